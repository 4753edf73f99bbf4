package io.ferret4j.core.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.SplittableRandom;

import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.core.testing.TensorAssert;
import io.ferret4j.core.weights.CheckpointException;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.Float16;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.core.weights.SafeTensorsWriter;
import io.ferret4j.core.weights.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

final class F16LinearTest {
    /** Same weights, same inputs: only fp32 summation order differs from sgemm. */
    static final double RTOL = 1e-5;
    /** The language model's F16: mapped as stored, never rounded. */
    private static final ExecutionPlan.Part AS_STORED = ExecutionPlan.Part.llm(WeightFormat.F16, Precision.FP32);

    @TempDir
    Path dir;

    private final SplittableRandom random = new SplittableRandom(41);

    @Test
    void equalsDenseLinearOnTheWidenedWeightsOfAMappedCheckpoint() {
        int in = 200;
        int out = 300;
        Path file = dir.resolve("f16.safetensors");
        new SafeTensorsWriter()
                .add("proj.weight", DType.F16, new long[] {out, in}, halves(gaussian(out * in, 0.05)))
                .addF32("proj.bias", new long[] {out}, gaussian(out, 1))
                .write(file);

        try (SafeTensors st = SafeTensors.open(file)) {
            Weights w = Weights.of(st);
            Linear f16 = Linears.load(w, "proj", in, out, true, AS_STORED);
            DenseLinear dense = DenseLinear.load(w, "proj", in, out, true);
            assertThat(w.unusedKeys()).isEmpty();
            assertThat(st.get("proj.weight").bytes().isDirect()).as("weights are read from the mapping").isTrue();
            assertThat(f16.inFeatures()).isEqualTo(in);
            assertThat(f16.outFeatures()).isEqualTo(out);
            for (int n : new int[] {1, 3, 8, 40}) {                    // kernel route and sgemm route
                INDArray x = Nd4j.create(gaussian(n * in, 1), new long[] {n, in}, 'c');
                INDArray expected = dense.forward(x);
                INDArray actual = f16.forward(x);
                double scale = expected.amaxNumber().doubleValue();
                TensorAssert.assertClose(expected, actual, RTOL * scale, RTOL);
            }
        }
    }

    @Test
    void refusesAWeightThatIsNotF16() {
        Path file = dir.resolve("f32.safetensors");
        new SafeTensorsWriter().addF32("proj.weight", new long[] {2, 3}, new float[6]).write(file);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertThatThrownBy(() -> Linears.load(Weights.of(st), "proj", 3, 2, false, AS_STORED))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("'proj.weight' is F32[2, 3], but the plan holds it as stored F16");
            assertThatThrownBy(() -> Linears.load(Weights.of(st), "proj", 4, 2, false, AS_STORED))
                    .hasMessageContaining("has shape [2, 3], expected [2, 4]");
        }
    }

    private float[] gaussian(int n, double scale) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (random.nextGaussian() * scale);
        }
        return f;
    }

    static ByteBuffer halves(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i++) {
            b.putShort(i * 2, Float16.fromFloat(values[i]));
        }
        return b;
    }
}
