package io.ferret4j.core.kernels;

import java.util.SplittableRandom;
import java.util.StringJoiner;

/**
 * Run by {@link VectorFallbackTest} in a JVM started without the Vector API module: prints which kernels
 * {@link RowKernels#best()} picked and the F16, Q8_0 and Q4_0 products of {@link #inputs()} as float bit patterns.
 */
public final class FallbackProbe {
    static final int ROWS = 67;
    static final int COLS = 160;
    static final int N = 2;

    private FallbackProbe() {
    }

    record Inputs(F16Matrix f16, Q8_0 q8, Q4_0 q4, float[] x) {
    }

    static Inputs inputs() {
        SplittableRandom random = new SplittableRandom(61);
        F16Matrix f16 = TestMatrices.randomF16(random, ROWS, COLS, true);
        Q8_0 q8 = Q8_0.quantize(TestMatrices.floats(random, ROWS * COLS, 0.05), ROWS, COLS);
        Q4_0 q4 = Q4_0.quantize(TestMatrices.floats(random, ROWS * COLS, 0.05), ROWS, COLS);
        return new Inputs(f16, q8, q4, TestMatrices.floats(random, N * COLS, 1));
    }

    static float[] product(CompactMatrix w, float[] x) {
        float[] y = new float[N * w.rows()];
        MatMul.defaults().matvec(w, x, N, y);
        return y;
    }

    public static void main(String[] args) {
        Inputs in = inputs();
        System.out.println("kernels " + RowKernels.best().name());
        System.out.println("f16 " + bits(product(in.f16(), in.x())));
        System.out.println("q8 " + bits(product(in.q8(), in.x())));
        System.out.println("q4 " + bits(product(in.q4(), in.x())));
    }

    private static String bits(float[] y) {
        StringJoiner j = new StringJoiner(",");
        for (float v : y) {
            j.add(Integer.toString(Float.floatToRawIntBits(v)));
        }
        return j.toString();
    }
}
