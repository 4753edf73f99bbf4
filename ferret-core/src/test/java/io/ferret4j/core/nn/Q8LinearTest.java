package io.ferret4j.core.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.SplittableRandom;

import io.ferret4j.core.kernels.Q8_0;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.core.testing.BlockLayout;
import io.ferret4j.core.testing.TensorAssert;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.core.weights.SafeTensorsWriter;
import io.ferret4j.core.weights.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

final class Q8LinearTest {
    /** Quantised at load unless stored as Q8_0. */
    private static final ExecutionPlan.Part Q8 = ExecutionPlan.Part.llm(WeightFormat.Q8_0, Precision.FP32);

    private static final int IN = 256;
    private static final int OUT = 300;

    @TempDir
    Path dir;

    private final SplittableRandom random = new SplittableRandom(51);

    @Test
    void staysWithinTheQuantisationErrorOfTheFullPrecisionLayer() {
        float[] weight = gaussian(OUT * IN, 0.05);
        try (SafeTensors st = checkpoint("f32.safetensors", weight)) {
            Weights w = Weights.of(st);
            Linear q8 = Linears.load(w, "proj", IN, OUT, true, Q8);
            DenseLinear dense = DenseLinear.load(w, "proj", IN, OUT, true);
            for (int n : new int[] {1, 40}) {
                float[] x = gaussian(n * IN, 1);
                INDArray xa = Nd4j.create(x, new long[] {n, IN}, 'c');
                INDArray exact = dense.forward(xa);
                INDArray quantised = q8.forward(xa);
                double sumSq = 0;
                double errSq = 0;
                for (int i = 0; i < n; i++) {
                    for (int o = 0; o < OUT; o++) {
                        double err = Math.abs(exact.getDouble(i, o) - quantised.getDouble(i, o));
                        assertThat(err).as("row %d output %d", i, o).isLessThanOrEqualTo(errorBound(weight, x, i, o));
                        sumSq += exact.getDouble(i, o) * exact.getDouble(i, o);
                        errSq += err * err;
                    }
                }
                assertThat(Math.sqrt(errSq / sumSq)).as("relative RMS error of Q8_0").isBetween(1e-4, 1e-2);
            }
        }
    }

    @Test
    void equalsDenseLinearOnTheDequantisedWeights() {
        try (SafeTensors st = checkpoint("f32.safetensors", gaussian(OUT * IN, 0.05))) {
            CompactLinear<?> q8 = (CompactLinear<?>) Linears.load(Weights.of(st), "proj", IN, OUT, true, Q8);
            Q8_0 q = (Q8_0) q8.weight();
            float[] dequantised = new float[OUT * IN];
            for (int o = 0; o < OUT; o++) {
                for (int c = 0; c < IN; c++) {
                    dequantised[o * IN + c] = q.get(o, c);
                }
            }
            DenseLinear dense = new DenseLinear(Nd4j.create(dequantised, new long[] {OUT, IN}, 'c'),
                    Weights.of(st).require("proj.bias", OUT));
            for (int n : new int[] {1, 5, 40}) {
                INDArray x = Nd4j.create(gaussian(n * IN, 1), new long[] {n, IN}, 'c');
                INDArray expected = dense.forward(x);
                TensorAssert.assertClose(expected, q8.forward(x), F16LinearTest.RTOL * expected.amaxNumber().doubleValue(),
                        F16LinearTest.RTOL);
            }
        }
    }

    @Test
    void readsAStoredQ8CheckpointAsTheSameLayerQuantisedAtLoad() {
        Path stored = dir.resolve("q8.safetensors");
        CompactLinear<?> atLoad;
        try (SafeTensors st = checkpoint("f16.safetensors", gaussian(OUT * IN, 0.05))) {
            Weights w = Weights.of(st);
            atLoad = (CompactLinear<?>) Linears.load(w, "proj", IN, OUT, true, Q8);
            SafeTensorsWriter writer = new SafeTensorsWriter();
            BlockLayout.add(writer, "proj.weight", (Q8_0) atLoad.weight());
            writer.add("proj.bias", st.get("proj.bias")).write(stored);
        }
        try (SafeTensors st = SafeTensors.open(stored)) {
            Weights w = Weights.of(st);
            Linear fromFile = Linears.load(w, "proj", IN, OUT, true, Q8);
            assertThat(w.unusedKeys()).isEmpty();
            for (int n : new int[] {1, 40}) {
                INDArray x = Nd4j.create(gaussian(n * IN, 1), new long[] {n, IN}, 'c');
                assertThat(fromFile.forward(x).data().asFloat()).containsExactly(atLoad.forward(x).data().asFloat());
            }
        }
    }

    @Test
    void namesTheLayerWhenInFeaturesAreNotAMultipleOf32() {
        Path file = dir.resolve("odd.safetensors");
        new SafeTensorsWriter().addF32("proj.weight", new long[] {4, 40}, new float[160]).write(file);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertThatThrownBy(() -> Linears.load(Weights.of(st), "proj", 40, 4, false, Q8))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("proj.weight").hasMessageContaining("4x40").hasMessageContaining("multiple of 32");
        }
    }

    /** {@code Σ_j |x_j| · maxerr(block of j)}, maxerr = amax/127 · (1/2 + 127 · 2^-11), plus fp32 rounding. */
    private static double errorBound(float[] weight, float[] x, int row, int out) {
        double bound = 0;
        double magnitude = 0;
        for (int b = 0; b < IN / 32; b++) {
            double amax = 0;
            double sx = 0;
            for (int j = b * 32; j < b * 32 + 32; j++) {
                amax = Math.max(amax, Math.abs(weight[out * IN + j]));
                sx += Math.abs(x[row * IN + j]);
                magnitude += Math.abs(weight[out * IN + j] * x[row * IN + j]);
            }
            bound += amax / 127 * (0.5 + 127 * 0x1p-11) * sx;
        }
        return bound + 1e-5 * magnitude;
    }

    private SafeTensors checkpoint(String name, float[] weight) {
        Path file = dir.resolve(name);
        SafeTensorsWriter writer = new SafeTensorsWriter();
        if (name.startsWith("f16")) {
            writer.add("proj.weight", DType.F16, new long[] {OUT, IN}, F16LinearTest.halves(weight));
        } else {
            writer.addF32("proj.weight", new long[] {OUT, IN}, weight);
        }
        writer.addF32("proj.bias", new long[] {OUT}, gaussian(OUT, 1)).write(file);
        return SafeTensors.open(file);
    }

    private float[] gaussian(int n, double scale) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (random.nextGaussian() * scale);
        }
        return f;
    }
}
