package io.ferret4j.llm.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.Random;

import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.Float16;
import io.ferret4j.core.weights.RawTensor;
import org.junit.jupiter.api.Test;

/**
 * The fp32 sum rounded once to fp16 is the correctly rounded fp16 sum: checked against an independent rounding of
 * the exact sum (taken in double, where two fp16 values always add exactly) for every fp16 value added to a set of
 * edge values, and for a million random pairs.
 */
final class HalfSumTest {
    private static final short[] EDGES = {0x0000, (short) 0x8000, 0x0001, 0x03ff, 0x0400, 0x3c00, (short) 0xbc00,
            0x3c01, 0x1000, 0x6800, 0x7bff, (short) 0xfbff, 0x7c00, 0x5bff, 0x2e66};

    @Test
    void everyFp16ValuePlusEachEdgeValueIsCorrectlyRounded() {
        int n = EDGES.length * 65536;
        short[] delta = new short[n];
        short[] base = new short[n];
        for (int e = 0; e < EDGES.length; e++) {
            for (int v = 0; v < 65536; v++) {
                delta[e * 65536 + v] = (short) v;
                base[e * 65536 + v] = EDGES[e];
            }
        }
        assertCorrectlyRounded(delta, base);
    }

    @Test
    void aMillionRandomPairsAreCorrectlyRounded() {
        Random random = new Random(42);
        short[] delta = new short[1 << 20];
        short[] base = new short[1 << 20];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = (short) random.nextInt(65536);
            base[i] = (short) random.nextInt(65536);
        }
        assertCorrectlyRounded(delta, base);
    }

    private static void assertCorrectlyRounded(short[] delta, short[] base) {
        ByteBuffer scratch = ByteBuffer.allocateDirect(delta.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        ShortBuffer out = HalfSum.apply(tensor(delta), tensor(base), scratch).asShortBuffer();
        int checked = 0;
        for (int i = 0; i < delta.length; i++) {
            double exact = (double) Float16.toFloat(delta[i]) + Float16.toFloat(base[i]);
            if (Double.isNaN(exact)) {
                assertThat(Float.isNaN(Float16.toFloat(out.get(i)))).as("NaN at %d", i).isTrue();
                continue;
            }
            short expected = roundToHalf(exact);
            if (out.get(i) != expected) {
                assertThat(String.format("%04x", out.get(i))).as("h(%04x + %04x)", delta[i], base[i])
                        .isEqualTo(String.format("%04x", expected));
            }
            checked++;
        }
        assertThat(checked).isGreaterThan(delta.length / 2);
    }

    /** Round-to-nearest-even of a double to binary16, by scaling to an integer number of fp16 ulps. */
    private static short roundToHalf(double x) {
        if (Double.isInfinite(x) || Math.abs(x) >= 65520) {
            return (short) (x > 0 ? 0x7c00 : 0xfc00);
        }
        int exponent = Math.max(Math.getExponent(x), -14);             // subnormals share the ulp 2^-24
        double ulp = Math.scalb(1.0, exponent - 10);
        double rounded = Math.rint(x / ulp) * ulp;                      // exact: both are powers of two apart
        return Float16.fromFloat((float) rounded);                      // exact: rounded is an fp16 value
    }

    private static RawTensor tensor(short[] halves) {
        ByteBuffer b = ByteBuffer.allocate(halves.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.asShortBuffer().put(halves);
        return new RawTensor("t", DType.F16, new long[] {halves.length}, b, null);
    }
}
