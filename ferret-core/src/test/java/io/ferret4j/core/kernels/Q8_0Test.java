package io.ferret4j.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.SplittableRandom;

import io.ferret4j.core.testing.BlockLayout;
import io.ferret4j.core.weights.CheckpointException;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.Float16;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.core.weights.SafeTensorsWriter;
import io.ferret4j.core.weights.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class Q8_0Test {
    @TempDir
    Path dir;

    @Test
    void quantisesBlocksAsLlamaCppDoes() {
        float[] x = new float[96];
        // block 0: amax 127 so d = 1 and q = roundf(x), ties away from zero (Math.round would give -2 for -2.5)
        float[] b0 = {127, -2.5f, 2.5f, -0.5f, 0.5f, 1.49f, -1.51f, 0};
        System.arraycopy(b0, 0, x, 0, b0.length);
        // block 1 is all zeros: d = 0, q = 0; block 2: amax 63.5 so d = 0.5 and q = roundf(2x)
        float[] b2 = {-63.5f, 10.25f, -10.25f, 0.25f, -0.25f};
        System.arraycopy(b2, 0, x, 64, b2.length);

        Q8_0 q = Q8_0.quantize(x, 1, 96);

        assertThat(q.scale(0, 0)).isEqualTo(1f);
        assertThat(quants(q, 0, 8)).containsExactly(127, -3, 3, -1, 1, 1, -2, 0);
        assertThat(q.scale(0, 1)).isEqualTo(0f);
        assertThat(quants(q, 32, 32)).containsOnly(0);
        assertThat(q.scale(0, 2)).isEqualTo(0.5f);
        assertThat(quants(q, 64, 6)).containsExactly(-127, 21, -21, 1, -1, 0);
    }

    @Test
    void storesTheScaleInBinary16AndBoundsTheError() {
        SplittableRandom random = new SplittableRandom(11);
        int rows = 13;
        int cols = 256;
        float[] x = TestMatrices.floats(random, rows * cols, 0.05);
        Q8_0 q = Q8_0.quantize(x, rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < cols / 32; b++) {
                float amax = 0;
                for (int j = 0; j < 32; j++) {
                    amax = Math.max(amax, Math.abs(x[r * cols + b * 32 + j]));
                }
                assertThat(q.scale(r, b)).isEqualTo(Float16.round(amax / 127));
                // |x - d16 q| <= d/2 (rounding) + 127 |d16 - d| (scale stored in binary16, rel. error <= 2^-11)
                double bound = amax / 127 * (0.5 + 127 * 0x1p-11) * (1 + 1e-6);
                for (int j = 0; j < 32; j++) {
                    int c = b * 32 + j;
                    assertThat(Math.abs(x[r * cols + c] - (double) q.get(r, c))).isLessThanOrEqualTo(bound);
                }
            }
        }
    }

    @Test
    void quantisesF16Bf16AndF32TensorsFromTheirWidenedValues() {
        float[] x = TestMatrices.floats(new SplittableRandom(12), 4 * 64, 1);
        ByteBuffer f32 = ByteBuffer.allocate(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer bf16 = ByteBuffer.allocate(x.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        float[] bfValues = new float[x.length];
        float[] f16Values = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f32.putFloat(i * 4, x[i]);
            bf16.putShort(i * 2, Float16.floatToBf16(x[i]));
            bfValues[i] = Float16.bf16ToFloat(Float16.floatToBf16(x[i]));
            f16Values[i] = Float16.round(x[i]);
        }
        long[] shape = {4, 64};
        assertSame(Q8_0.quantize(new RawTensor("w", DType.F32, shape, f32, dir)), Q8_0.quantize(x, 4, 64));
        assertSame(Q8_0.quantize(new RawTensor("w", DType.BF16, shape, bf16, dir)), Q8_0.quantize(bfValues, 4, 64));
        assertSame(Q8_0.quantize(new RawTensor("w", DType.F16, shape, TestMatrices.halves(x, false), dir)),
                Q8_0.quantize(f16Values, 4, 64));
    }

    @Test
    void refusesColumnsThatAreNotAMultipleOf32() {
        RawTensor t = new RawTensor("model.layers.0.mlp.up_proj.weight", DType.F16, new long[] {2, 48},
                ByteBuffer.allocate(2 * 48 * 2), dir);
        assertThatThrownBy(() -> Q8_0.quantize(t)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model.layers.0.mlp.up_proj.weight").hasMessageContaining("2x48")
                .hasMessageContaining("multiple of 32");
        assertThatThrownBy(() -> Q8_0.quantize(new float[40], 1, 40)).hasMessageContaining("multiple of 32");
    }

    @Test
    void refusesTensorsThatAreNotFloatingPointMatrices() {
        RawTensor ints = new RawTensor("ids", DType.I32, new long[] {1, 32}, ByteBuffer.allocate(128), dir);
        assertThatThrownBy(() -> Q8_0.quantize(ints)).hasMessageContaining("'ids' is I32[1, 32]");
    }

    @Test
    void roundTripsThroughTheSafetensorsLayout() {
        Q8_0 q = Q8_0.quantize(TestMatrices.floats(new SplittableRandom(13), 5 * 96, 1), 5, 96);
        Path file = dir.resolve("q8.safetensors");
        SafeTensorsWriter writer = new SafeTensorsWriter();
        BlockLayout.add(writer, "proj.weight", q);
        writer.write(file);

        try (SafeTensors st = SafeTensors.open(file)) {
            assertThat(st.names()).containsExactly("proj.weight", "proj.weight.q8_0_scales");
            assertThat(st.get("proj.weight").dtype()).isEqualTo(DType.I8);
            assertThat(st.get("proj.weight.q8_0_scales").dtype()).isEqualTo(DType.F16);
            assertThat(st.get("proj.weight.q8_0_scales").shape()).containsExactly(5, 3);
            Weights w = Weights.of(st);
            assertThat(Q8_0.isStored(w, "proj.weight")).isTrue();
            Q8_0 back = Q8_0.read(w, "proj.weight", 5, 96);
            assertSame(back, q);
            assertThat(w.unusedKeys()).isEmpty();
        }
    }

    @Test
    void readNamesTheKeyWhenTheStoredDtypesAreWrong() {
        Path file = dir.resolve("bad.safetensors");
        new SafeTensorsWriter()
                .add("proj.weight", DType.U8, new long[] {1, 32}, ByteBuffer.allocate(32))
                .add("proj.weight.q8_0_scales", DType.F16, new long[] {1, 1}, ByteBuffer.allocate(2))
                .write(file);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertThatThrownBy(() -> Q8_0.read(Weights.of(st), "proj.weight", 1, 32))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining("'proj.weight'")
                    .hasMessageContaining("found U8 and F16");
            assertThatThrownBy(() -> Q8_0.read(Weights.of(st), "proj.weight", 2, 32))
                    .hasMessageContaining("has shape [1, 32], expected [2, 32]");
        }
    }

    private static void assertSame(Q8_0 actual, Q8_0 expected) {
        assertThat(actual.rows()).isEqualTo(expected.rows());
        assertThat(actual.cols()).isEqualTo(expected.cols());
        for (int r = 0; r < expected.rows(); r++) {
            for (int c = 0; c < expected.cols(); c++) {
                assertThat(actual.quant(r, c)).as("quant (%d, %d)", r, c).isEqualTo(expected.quant(r, c));
            }
            for (int b = 0; b < expected.cols() / 32; b++) {
                assertThat(actual.scale(r, b)).as("scale (%d, %d)", r, b).isEqualTo(expected.scale(r, b));
            }
        }
    }

    private static int[] quants(Q8_0 q, int from, int count) {
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = q.quant(0, from + i);
        }
        return out;
    }
}
