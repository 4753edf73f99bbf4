package io.ferret4j.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import io.ferret4j.core.weights.Float16;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The batching contract of {@link RowKernels#multiply}: an output computed with {@code n} input rows is bit for bit
 * the output for that input row alone, for every {@code n}, every row range and both load paths of the vector
 * kernels. Property tests on seeded random matrices.
 */
final class RowKernelsBatchTest {
    /** Every group size and tail the kernels may use, and more than four groups. */
    private static final int[] NS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 17};
    /** Not a multiple of 2, 4 or 8, so the last group of weight rows is partial wherever rows are split. */
    private static final int ROWS = 13;
    /** The full range and one that starts and ends inside it. */
    private static final int[][] RANGES = {{0, ROWS}, {3, 11}};
    /** Multiples of 32 but not 64 (an odd number of Q8_0 blocks), small and LLaMA-sized. */
    private static final int[] COLS = {32, 96, 4128};

    static Stream<RowKernels> kernels() {
        return RowKernelsTest.kernels();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void f16OutputsDoNotDependOnHowManyRowsAreBatched(RowKernels k) {
        SplittableRandom random = new SplittableRandom(21);
        for (int cols : new int[] {32, 96, 100, 4128}) {                // 100: a tail shorter than a vector
            for (boolean direct : new boolean[] {true, false}) {
                assertBatchingChangesNoBit(k, f16WithSubnormals(random, cols, direct), random);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void q8OutputsDoNotDependOnHowManyRowsAreBatched(RowKernels k) {
        SplittableRandom random = new SplittableRandom(22);
        for (int cols : COLS) {
            Q8_0 heap = q8WithSubnormalScales(random, cols);
            for (Q8_0 w : new Q8_0[] {heap, TestMatrices.toDirect(heap)}) {
                assertBatchingChangesNoBit(k, w, random);
            }
        }
    }

    /**
     * The property above only means something if a different summation order shows in the last bits at these
     * shapes: the scalar kernels sum in another order than the vector kernels, and some outputs must differ.
     */
    @Test
    void aDifferentSummationOrderChangesBitsAtTheseShapes() {
        SplittableRandom random = new SplittableRandom(23);
        CompactMatrix[] ws = {f16WithSubnormals(random, 4128, true), q8WithSubnormalScales(random, 4128)};
        for (CompactMatrix w : ws) {
            float[] x = TestMatrices.floats(random, w.cols(), 1);
            float[] scalar = new float[ROWS];
            float[] vector = new float[ROWS];
            RowKernels.scalar().multiply(w, x, 1, scalar, 0, ROWS);
            RowKernels.best().multiply(w, x, 1, vector, 0, ROWS);
            assertThat(differingBits(scalar, vector)).as("%s: outputs whose bits differ between orders", w)
                    .isGreaterThan(ROWS / 3);
        }
    }

    private static void assertBatchingChangesNoBit(RowKernels k, CompactMatrix w, SplittableRandom random) {
        int cols = w.cols();
        int most = NS[NS.length - 1];
        float[] x = TestMatrices.floats(random, most * cols, 1);
        float[][] alone = new float[most][ROWS];                       // [input row][weight row], n = 1
        for (int i = 0; i < most; i++) {
            k.multiply(w, Arrays.copyOfRange(x, i * cols, (i + 1) * cols), 1, alone[i], 0, ROWS);
        }
        for (int n : NS) {
            for (int[] range : RANGES) {
                float[] y = new float[n * ROWS];
                Arrays.fill(y, Float.NaN);
                k.multiply(w, x, n, y, range[0], range[1]);
                List<String> wrong = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    for (int r = range[0]; r < range[1]; r++) {
                        if (Float.floatToRawIntBits(y[i * ROWS + r]) != Float.floatToRawIntBits(alone[i][r])) {
                            wrong.add("(" + i + ", " + r + "): " + y[i * ROWS + r] + " alone " + alone[i][r]);
                        }
                    }
                }
                assertThat(wrong).as("%s %s n=%d rows %s: outputs that differ from the input row alone", k.name(), w,
                        n, Arrays.toString(range)).isEmpty();
            }
        }
    }

    /** N(0, 0.05) halves, every third one scaled down to a binary16 subnormal (below 2^-14). */
    private static F16Matrix f16WithSubnormals(SplittableRandom random, int cols, boolean direct) {
        float[] values = TestMatrices.floats(random, ROWS * cols, 0.05);
        for (int i = 0; i < values.length; i += 3) {
            values[i] *= 1e-4f;
        }
        F16Matrix w = F16Matrix.of(TestMatrices.halves(values, direct), ROWS, cols);
        assertThat(Float16.toFloat(w.half(0))).as("a subnormal half").isLessThan(0x1p-14f).isNotZero();
        return w;
    }

    /** Quantised N(0, 0.05) values with two blocks in three scaled so their block scales are binary16 subnormals. */
    private static Q8_0 q8WithSubnormalScales(SplittableRandom random, int cols) {
        float[] values = TestMatrices.floats(random, ROWS * cols, 0.05);
        for (int i = 0; i < values.length; i++) {
            if ((i / Q8_0.BLOCK) % 3 != 0) {
                values[i] *= 1e-4f;                                    // block scales ~4e-8
            }
        }
        Q8_0 w = Q8_0.quantize(values, ROWS, cols);
        int perRow = cols / Q8_0.BLOCK;
        assertThat(w.scale(1 / perRow, 1 % perRow)).as("a subnormal scale").isLessThan(0x1p-14f).isNotZero();
        return w;
    }

    private static int differingBits(float[] a, float[] b) {
        int count = 0;
        for (int i = 0; i < a.length; i++) {
            count += Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i]) ? 1 : 0;
        }
        return count;
    }
}
