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

final class Q4_0Test {
    @TempDir
    Path dir;

    @Test
    void quantisesABlockWhoseLargestValueIsNegativeAsLlamaCppDoes() {
        float[] x = new float[32];
        // max = -8 (the first of the largest magnitudes), so d = 1 and q = (int) (x + 8.5), capped at 15
        float[] first = {-8, 3.5f, -3.5f, 7.9f, 8, 0.49f, -0.51f, 2.2f};
        System.arraycopy(first, 0, x, 0, first.length);
        x[16] = 5;
        x[17] = -6.5f;
        x[31] = -8;

        Q4_0 q = Q4_0.quantize(x, 1, 32);

        assertThat(q.scale(0, 0)).isEqualTo(1f);
        // ties go up (3.5 -> 4, -3.5 -> -3); 8 ties with -8 in magnitude but comes later, so it is capped at 7
        assertThat(quants(q, 0, 8)).containsExactly(0, 12, 5, 15, 15, 8, 7, 10);
        assertThat(quants(q, 8, 8)).containsOnly(8);
        assertThat(quants(q, 16, 2)).containsExactly(13, 2);
        assertThat(quants(q, 31, 1)).containsExactly(0);
        assertThat(values(q, 0, 8)).containsExactly(-8, 4, -3, 7, 7, 0, -1, 2);
        // low nibbles hold values 0..15 of the block, high nibbles values 16..31
        assertThat(unsigned(q.quantBytes(), 0, 16)).containsExactly(0xD0, 0x2C, 0x85, 0x8F, 0x8F, 0x88, 0x87, 0x8A,
                0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x08);
    }

    @Test
    void anAllZeroBlockHasScaleMinusZeroAndQuantsOfEight() {
        Q4_0 q = Q4_0.quantize(new float[64], 2, 32);

        ByteBuffer scales = q.scaleBytes();
        assertThat(scales.getShort(0)).as("0 / -8 is -0, stored as llama.cpp stores it").isEqualTo((short) 0x8000);
        assertThat(unsigned(q.quantBytes(), 0, 32)).containsOnly(0x88);
        assertThat(Math.abs(q.get(1, 31))).isZero();
    }

    @Test
    void valuesOnTheGridOfAPositiveMaximumComeBackExactly() {
        float[] x = new float[64];
        for (int j = 0; j < 32; j++) {
            x[j] = ((j % 16) - 8) * -0.25f;                            // max 2 first: d = -0.25, q = j % 16
        }
        x[32] = 2;
        x[33] = 1.125f;                                                // a tie: q = (int) 4.0 = 4, value 1
        x[34] = -2;                                                    // -2 / d = 8 is off the grid [-8, 7]

        Q4_0 q = Q4_0.quantize(x, 1, 64);

        assertThat(q.scale(0, 0)).isEqualTo(-0.25f);
        assertThat(values(q, 0, 32)).containsExactly(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], x[9],
                x[10], x[11], x[12], x[13], x[14], x[15], x[16], x[17], x[18], x[19], x[20], x[21], x[22], x[23],
                x[24], x[25], x[26], x[27], x[28], x[29], x[30], x[31]);
        for (int j = 0; j < 16; j++) {
            assertThat(q.quantBytes().get(j) & 0xFF).as("byte %d", j).isEqualTo(j * 17);
        }
        assertThat(quants(q, 32, 3)).containsExactly(0, 4, 15);
        assertThat(values(q, 32, 3)).containsExactly(2f, 1f, -1.75f);
    }

    @Test
    void storesTheSignedScaleInBinary16AndBoundsTheError() {
        SplittableRandom random = new SplittableRandom(21);
        int rows = 13;
        int cols = 256;
        float[] x = TestMatrices.floats(random, rows * cols, 0.05);
        Q4_0 q = Q4_0.quantize(x, rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < cols / 32; b++) {
                float max = 0;
                for (int j = 0; j < 32; j++) {
                    max = Math.abs(x[r * cols + b * 32 + j]) > Math.abs(max) ? x[r * cols + b * 32 + j] : max;
                }
                float d = max / -8;
                assertThat(q.scale(r, b)).isEqualTo(Float16.round(d));
                for (int j = 0; j < 32; j++) {
                    int c = b * 32 + j;
                    // half a step when rounded, a whole step when capped at 7 (x / d > 7.5), plus the scale's
                    // binary16 rounding (relative 2^-11) times |q - 8| <= 8
                    double steps = x[r * cols + c] / (double) d > 7.4 ? 1 : 0.5;
                    double bound = (Math.abs(d) * steps + 8 * Math.abs(q.scale(r, b) - d)) * (1 + 1e-5);
                    assertThat(Math.abs(x[r * cols + c] - (double) q.get(r, c))).as("(%d, %d)", r, c)
                            .isLessThanOrEqualTo(bound);
                }
            }
        }
    }

    @Test
    void quantisesF16Bf16AndF32TensorsFromTheirWidenedValues() {
        float[] x = TestMatrices.floats(new SplittableRandom(22), 4 * 64, 1);
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
        assertSame(Q4_0.quantize(new RawTensor("w", DType.F32, shape, f32, dir)), Q4_0.quantize(x, 4, 64));
        assertSame(Q4_0.quantize(new RawTensor("w", DType.BF16, shape, bf16, dir)), Q4_0.quantize(bfValues, 4, 64));
        assertSame(Q4_0.quantize(new RawTensor("w", DType.F16, shape, TestMatrices.halves(x, false), dir)),
                Q4_0.quantize(f16Values, 4, 64));
    }

    @Test
    void refusesColumnsThatAreNotAMultipleOf32AndTensorsThatAreNotFloatMatrices() {
        RawTensor t = new RawTensor("model.layers.0.mlp.up_proj.weight", DType.F16, new long[] {2, 48},
                ByteBuffer.allocate(2 * 48 * 2), dir);
        assertThatThrownBy(() -> Q4_0.quantize(t)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model.layers.0.mlp.up_proj.weight").hasMessageContaining("2x48")
                .hasMessageContaining("Q4_0 needs").hasMessageContaining("multiple of 32");
        RawTensor ints = new RawTensor("ids", DType.I32, new long[] {1, 32}, ByteBuffer.allocate(128), dir);
        assertThatThrownBy(() -> Q4_0.quantize(ints)).hasMessageContaining("Q4_0 quantisation")
                .hasMessageContaining("'ids' is I32[1, 32]");
        assertThatThrownBy(() -> Q4_0.of(ByteBuffer.allocate(32), ByteBuffer.allocate(2), 1, 32))
                .hasMessageContaining("needs 16 quant bytes and 2 scale bytes, got 32 and 2");
    }

    @Test
    void roundTripsThroughTheSafetensorsLayout() {
        Q4_0 q = Q4_0.quantize(TestMatrices.floats(new SplittableRandom(23), 5 * 96, 1), 5, 96);
        Path file = dir.resolve("q4.safetensors");
        SafeTensorsWriter writer = new SafeTensorsWriter();
        BlockLayout.add(writer, "proj.weight", q);
        writer.write(file);

        try (SafeTensors st = SafeTensors.open(file)) {
            assertThat(st.names()).containsExactly("proj.weight", "proj.weight.q4_0_scales");
            assertThat(st.get("proj.weight").dtype()).isEqualTo(DType.U8);
            assertThat(st.get("proj.weight").shape()).containsExactly(5, 48);
            assertThat(st.get("proj.weight.q4_0_scales").dtype()).isEqualTo(DType.F16);
            assertThat(st.get("proj.weight.q4_0_scales").shape()).containsExactly(5, 3);
            Weights w = Weights.of(st);
            assertThat(Q4_0.isStored(w, "proj.weight")).isTrue();
            assertThat(Q8_0.isStored(w, "proj.weight")).isFalse();
            Q4_0 back = Q4_0.read(w, "proj.weight", 5, 96);
            assertThat(back.quantBytes().isDirect()).as("mapped, not copied").isTrue();
            assertSame(back, q);
            assertThat(w.unusedKeys()).isEmpty();
        }
    }

    @Test
    void readNamesTheKeyAndBothValuesWhenTheStoredTensorsAreWrong() {
        Path file = dir.resolve("bad.safetensors");
        new SafeTensorsWriter()
                .add("i8.weight", DType.I8, new long[] {1, 16}, ByteBuffer.allocate(16))
                .add("i8.weight.q4_0_scales", DType.F16, new long[] {1, 1}, ByteBuffer.allocate(2))
                .add("wide.weight", DType.U8, new long[] {1, 32}, ByteBuffer.allocate(32))
                .add("wide.weight.q4_0_scales", DType.F16, new long[] {1, 1}, ByteBuffer.allocate(2))
                .add("f32scales.weight", DType.U8, new long[] {1, 16}, ByteBuffer.allocate(16))
                .add("f32scales.weight.q4_0_scales", DType.F32, new long[] {1, 1}, ByteBuffer.allocate(4))
                .write(file);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertThatThrownBy(() -> Q4_0.read(Weights.of(st), "i8.weight", 1, 32))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining("Q4_0 weight 'i8.weight'")
                    .hasMessageContaining("needs U8 quants and F16 scales, found I8 and F16");
            assertThatThrownBy(() -> Q4_0.read(Weights.of(st), "wide.weight", 1, 32))
                    .hasMessageContaining("wide.weight").hasMessageContaining("has shape [1, 32], expected [1, 16]");
            assertThatThrownBy(() -> Q4_0.read(Weights.of(st), "f32scales.weight", 1, 32))
                    .hasMessageContaining("found U8 and F32");
            assertThatThrownBy(() -> Q4_0.read(Weights.of(st), "i8.weight", 1, 48))
                    .hasMessageContaining("'i8.weight' is 1x48").hasMessageContaining("multiple of 32");
        }
    }

    private static void assertSame(Q4_0 actual, Q4_0 expected) {
        assertThat(actual.rows()).isEqualTo(expected.rows());
        assertThat(actual.cols()).isEqualTo(expected.cols());
        assertThat(actual.quantBytes()).isEqualTo(expected.quantBytes());
        assertThat(actual.scaleBytes()).isEqualTo(expected.scaleBytes());
    }

    private static int[] quants(Q4_0 q, int from, int count) {
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = q.quant(0, from + i);
        }
        return out;
    }

    private static float[] values(Q4_0 q, int from, int count) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = q.get(0, from + i);
        }
        return out;
    }

    private static int[] unsigned(ByteBuffer b, int from, int count) {
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = b.get(from + i) & 0xFF;
        }
        return out;
    }
}
