package io.ferret4j.core.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.SplittableRandom;

import io.ferret4j.core.testing.TensorAssert;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.core.weights.SafeTensorsWriter;
import io.ferret4j.core.weights.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

final class WeightFormatTest {
    @TempDir
    Path dir;

    @Test
    void loadsEachFormatAsItsLinearWithMatchingOutputs() {
        SplittableRandom random = new SplittableRandom(71);
        float[] weight = new float[64 * 96];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = (float) (random.nextGaussian() * 0.05);
        }
        Path file = dir.resolve("w.safetensors");
        new SafeTensorsWriter().add("fc.weight", DType.F16, new long[] {64, 96}, F16LinearTest.halves(weight))
                .write(file);
        try (SafeTensors st = SafeTensors.open(file)) {
            Weights w = Weights.of(st);
            Linear dense = WeightFormat.F32.loadLinear(w, "fc", 96, 64, false);
            Linear f16 = WeightFormat.F16.loadLinear(w, "fc", 96, 64, false);
            Linear q8 = WeightFormat.Q8_0.loadLinear(w, "fc", 96, 64, false);

            assertThat(dense).isInstanceOf(DenseLinear.class);
            assertThat(f16).isInstanceOf(F16Linear.class);
            assertThat(q8).isInstanceOf(Q8Linear.class);
            float[] xs = new float[3 * 96];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = (float) random.nextGaussian();
            }
            INDArray x = Nd4j.create(xs, new long[] {3, 96}, 'c');
            INDArray expected = dense.forward(x);
            TensorAssert.assertClose(expected, f16.forward(x), 1e-5, 1e-5);
            TensorAssert.assertClose(expected, q8.forward(x), 2e-2 * expected.amaxNumber().doubleValue(), 0);
        }
    }
}
