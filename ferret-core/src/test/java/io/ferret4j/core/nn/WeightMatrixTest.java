package io.ferret4j.core.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;

import io.ferret4j.core.dnnl.DnnlSupport;
import io.ferret4j.core.kernels.CompactMatrix;
import io.ferret4j.core.kernels.F16Matrix;
import io.ferret4j.core.kernels.Q4_0;
import io.ferret4j.core.kernels.Q8_0;
import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.plan.ExecutionPlan.Part;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.core.testing.Bf16Bound;
import io.ferret4j.core.testing.TensorAssert;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.core.weights.SafeTensorsWriter;
import io.ferret4j.core.weights.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

final class WeightMatrixTest {
    @TempDir
    Path dir;

    private final SplittableRandom random = new SplittableRandom(71);

    @Test
    void loadsEachFormatAsItsLinearWithMatchingOutputs() {
        try (SafeTensors st = SafeTensors.open(writeF16Weight())) {
            Weights w = Weights.of(st);
            Linear dense = Linears.load(w, "fc", 96, 64, false, Part.llm(WeightFormat.F32, Precision.FP32));
            Linear f16 = Linears.load(w, "fc", 96, 64, false, Part.llm(WeightFormat.F16, Precision.FP32));
            Linear q8 = Linears.load(w, "fc", 96, 64, false, Part.llm(WeightFormat.Q8_0, Precision.FP32));
            Linear q4 = Linears.load(w, "fc", 96, 64, false, Part.llm(WeightFormat.Q4_0, Precision.FP32));

            assertThat(dense).isInstanceOf(DenseLinear.class);
            assertThat(((CompactLinear<?>) f16).weight()).isInstanceOf(F16Matrix.class);
            assertThat(((CompactLinear<?>) q8).weight()).isInstanceOf(Q8_0.class);
            assertThat(((CompactLinear<?>) q4).weight()).isInstanceOf(Q4_0.class);
            INDArray x = input(3);
            INDArray expected = dense.forward(x);
            TensorAssert.assertClose(expected, f16.forward(x), 1e-5, 1e-5);
            TensorAssert.assertClose(expected, q8.forward(x), 2e-2 * expected.amaxNumber().doubleValue(), 0);
            TensorAssert.assertClose(expected, q4.forward(x), 0.25 * expected.amaxNumber().doubleValue(), 0);
        }
    }

    @Test
    void bf16AppliesToBatchedProductsOfCompactFormatsOnly() {
        assumeTrue(DnnlSupport.available(), DnnlSupport.status());
        try (SafeTensors st = SafeTensors.open(writeF16Weight())) {
            for (WeightFormat format : new WeightFormat[] {WeightFormat.F16, WeightFormat.Q8_0, WeightFormat.Q4_0}) {
                CompactLinear<?> fp32 = (CompactLinear<?>) Linears.load(Weights.of(st), "fc", 96, 64, false, Part.llm(format, Precision.FP32));
                Linear bf16 = Linears.load(Weights.of(st), "fc", 96, 64, false, Part.llm(format, Precision.BF16));
                INDArray decode = input(3);
                INDArray prefill = input(40);

                assertThat(bf16.forward(decode).data().asFloat()).as("%s, 3 rows: the fp32 kernels", format)
                        .containsExactly(fp32.forward(decode).data().asFloat());
                INDArray expected = fp32.forward(prefill);
                INDArray actual = bf16.forward(prefill);
                Bf16Bound.assertWithin(prefill, widened(fp32.weight()), expected, actual);
                assertThat(Bf16Bound.relativeError(expected, actual)).as("%s, 40 rows: bf16, not fp32", format)
                        .isGreaterThan(1e-4);
            }
            assertThat(Linears.load(Weights.of(st), "fc", 96, 64, false, Part.llm(WeightFormat.F32, Precision.BF16)))
                    .isInstanceOf(Bf16Linear.class);
        }
    }

    @Test
    void theNd4jEnginesHalfCopyBelongsToTheCheckpointsMemory() {
        try (SafeTensors st = SafeTensors.open(writeF16Weight())) {
            Weights w = Weights.of(st);
            WeightMatrix.Half half = (WeightMatrix.Half) WeightMatrix.load(w, "fc.weight", 64, 96,
                    Part.llm(Engine.ND4J, WeightFormat.F16, Precision.FP32));
            assertThat(half.weight().dataType()).isEqualTo(DataType.HALF);
            assertThat(half.weight().data().wasClosed()).as("in use until the model closes").isFalse();

            w.memory().close();

            assertThat(half.weight().data().wasClosed()).as("freed with the checkpoint's memory").isTrue();
        }
    }

    private Path writeF16Weight() {
        float[] weight = new float[64 * 96];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = (float) (random.nextGaussian() * 0.05);
        }
        Path file = dir.resolve("w.safetensors");
        new SafeTensorsWriter().add("fc.weight", DType.F16, new long[] {64, 96}, F16LinearTest.halves(weight))
                .write(file);
        return file;
    }

    private INDArray input(int rows) {
        float[] xs = new float[rows * 96];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) random.nextGaussian();
        }
        return Nd4j.create(xs, new long[] {rows, 96}, 'c');
    }

    private static INDArray widened(CompactMatrix w) {
        INDArray out = Nd4j.create(DataType.FLOAT, w.rows(), w.cols());
        for (int r = 0; r < w.rows(); r++) {
            for (int c = 0; c < w.cols(); c++) {
                out.putScalar(r, c, w.get(r, c));
            }
        }
        return out;
    }
}
