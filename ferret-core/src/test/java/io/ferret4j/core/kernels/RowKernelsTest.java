package io.ferret4j.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import io.ferret4j.core.weights.Float16;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

final class RowKernelsTest {
    /** Columns not multiple of the vector length (16 floats here) exercise the tails. */
    private static final int[][] F16_SHAPES = {{1, 1}, {3, 7}, {5, 15}, {9, 16}, {17, 33}, {31, 100}, {6, 1000},
            {40, 4096}};
    private static final int[][] Q8_SHAPES = {{1, 32}, {5, 64}, {7, 96}, {19, 160}, {8, 1024}, {12, 4096}};
    private static final int[] NS = {1, 2, 5, 8};
    /** Block counts odd and even (the vector dot takes two blocks a step), up to LLaMA's widths. */
    private static final int[][] Q4_SHAPES = {{1, 32}, {5, 64}, {7, 96}, {19, 160}, {8, 1024}, {3, 4096}, {2, 11008}};

    /** Scalar, the best vector kernels, and vector kernels copying mapped rows first (the path of JDK 17). */
    static Stream<RowKernels> kernels() {
        return Stream.of(RowKernels.scalar(), RowKernels.best(), new VectorRowKernels(false));
    }

    @Test
    void bestKernelsUseTheVectorApiWhenTheModuleIsPresentAndMemorySegmentsWhereFinal() {
        assertThat(KernelSelection.VECTOR_MODULE_PRESENT).as("surefire starts the JVM with the incubator module").isTrue();
        int jdk = Runtime.version().feature();
        if (jdk >= 22) {
            assertThat(RowKernels.best().name()).as("segments are final from JDK 22").matches("vector-\\d+");
        } else if (jdk < 19) {
            assertThat(RowKernels.best().name()).as("no segments before JDK 19").matches("vector-\\d+-copying");
        }
        assertThat(new VectorRowKernels(false).name()).endsWith("-copying");
        assertThat(RowKernels.scalar().name()).isEqualTo("scalar");
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void f16ProductsMatchTheDoublePrecisionReference(RowKernels k) {
        SplittableRandom random = new SplittableRandom(1);
        for (int[] shape : F16_SHAPES) {
            for (boolean direct : new boolean[] {true, false}) {
                F16Matrix w = TestMatrices.randomF16(random, shape[0], shape[1], direct);
                for (int n : NS) {
                    float[] x = TestMatrices.floats(random, n * shape[1], 1);
                    float[] y = new float[n * shape[0]];
                    k.multiply(w, x, n, y, 0, shape[0]);
                    TestMatrices.assertMatchesReference(w, x, n, y, k.name() + " " + w + " n=" + n);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void q8ProductsMatchTheDoublePrecisionReference(RowKernels k) {
        SplittableRandom random = new SplittableRandom(2);
        for (int[] shape : Q8_SHAPES) {
            Q8_0 heap = Q8_0.quantize(TestMatrices.floats(random, shape[0] * shape[1], 0.05), shape[0], shape[1]);
            for (Q8_0 w : new Q8_0[] {heap, TestMatrices.toDirect(heap)}) {
                for (int n : NS) {
                    float[] x = TestMatrices.floats(random, n * shape[1], 1);
                    float[] y = new float[n * shape[0]];
                    k.multiply(w, x, n, y, 0, shape[0]);
                    TestMatrices.assertMatchesReference(w, x, n, y, k.name() + " " + w + " n=" + n);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void q8ProductsWithSubnormalHalfScalesMatchTheDoublePrecisionReference(RowKernels k) {
        SplittableRandom random = new SplittableRandom(4);
        float[] values = TestMatrices.floats(random, 24 * 256, 0.05);
        for (int i = 0; i < values.length; i++) {
            if ((i / Q8_0.BLOCK) % 3 != 0) {
                values[i] *= 1e-4f;                                    // block scales ~4e-8: fp16 subnormals
            }
        }
        Q8_0 heap = Q8_0.quantize(values, 24, 256);
        for (Q8_0 w : new Q8_0[] {heap, TestMatrices.toDirect(heap)}) {
            for (double xScale : new double[] {1, 1e-6}) {
                float[] x = TestMatrices.floats(random, w.cols(), xScale);
                float[] y = new float[w.rows()];
                k.multiply(w, x, 1, y, 0, w.rows());
                TestMatrices.assertMatchesReference(w, x, 1, y, k.name() + " " + w + " x scale " + xScale);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void q4ProductsMatchTheDoublePrecisionReference(RowKernels k) {
        SplittableRandom random = new SplittableRandom(31);
        for (int[] shape : Q4_SHAPES) {
            Q4_0 heap = Q4_0.quantize(TestMatrices.floats(random, shape[0] * shape[1], 0.05), shape[0], shape[1]);
            for (Q4_0 w : new Q4_0[] {heap, TestMatrices.toDirect(heap)}) {
                for (int n : NS) {
                    float[] x = TestMatrices.floats(random, n * shape[1], 1);
                    float[] y = new float[n * shape[0]];
                    k.multiply(w, x, n, y, 0, shape[0]);
                    TestMatrices.assertMatchesReference(w, x, n, y, k.name() + " " + w + " n=" + n);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void q4ProductsWithSubnormalHalfScalesMatchTheDoublePrecisionReference(RowKernels k) {
        SplittableRandom random = new SplittableRandom(32);
        float[] values = TestMatrices.floats(random, 24 * 256, 0.05);
        for (int i = 0; i < values.length; i++) {
            if ((i / Q4_0.BLOCK) % 3 != 0) {
                values[i] *= 1e-5f;                                    // block scales ~1e-7: fp16 subnormals
            }
        }
        Q4_0 heap = Q4_0.quantize(values, 24, 256);
        for (Q4_0 w : new Q4_0[] {heap, TestMatrices.toDirect(heap)}) {
            float[] x = TestMatrices.floats(random, w.cols(), 1);
            float[] y = new float[w.rows()];
            k.multiply(w, x, 1, y, 0, w.rows());
            TestMatrices.assertMatchesReference(w, x, 1, y, k.name() + " " + w);
        }
    }

    /** The contract of {@link RowKernels#multiply}: an input row's outputs do not depend on the rows beside it. */
    @ParameterizedTest
    @MethodSource("kernels")
    void q4OutputRowsAreBitIdenticalToTheProductOfThatInputRowAlone(RowKernels k) {
        SplittableRandom random = new SplittableRandom(33);
        Q4_0 heap = Q4_0.quantize(TestMatrices.floats(random, 37 * 544, 0.05), 37, 544);
        for (Q4_0 w : new Q4_0[] {heap, TestMatrices.toDirect(heap)}) {
            for (int n : new int[] {2, 3, 17, 40}) {
                float[] x = TestMatrices.floats(random, n * w.cols(), 1);
                float[] y = new float[n * w.rows()];
                k.multiply(w, x, n, y, 5, 30);
                for (int i = 0; i < n; i++) {
                    float[] alone = new float[w.rows()];
                    k.multiply(w, Arrays.copyOfRange(x, i * w.cols(), (i + 1) * w.cols()), 1, alone, 5, 30);
                    assertThat(Arrays.copyOfRange(y, i * w.rows() + 5, i * w.rows() + 30))
                            .as("%s %s n=%d row %d", k.name(), w, n, i)
                            .containsExactly(Arrays.copyOfRange(alone, 5, 30));
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void q4RowsDecodeToScaleTimesQuantMinusEightAndRoundToBf16(RowKernels k) {
        Q4_0 heap = Q4_0.quantize(TestMatrices.floats(new SplittableRandom(34), 3 * 160, 1), 3, 160);
        for (Q4_0 w : new Q4_0[] {heap, TestMatrices.toDirect(heap)}) {
            float[] row = new float[160 + 5];
            short[] bf16 = new short[160 + 5];
            for (int r = 0; r < 3; r++) {
                k.decodeRow(w, r, row, 5);
                k.decodeRowBf16(w, r, bf16, 5);
                for (int c = 0; c < 160; c++) {
                    float expected = (w.quant(r, c) - 8) * w.scale(r, c / 32);
                    assertThat(row[5 + c]).as("%s (%d, %d)", w, r, c).isEqualTo(expected);
                    assertThat(bf16[5 + c]).as("%s (%d, %d)", w, r, c).isEqualTo(Float16.floatToBf16(expected));
                }
            }
        }
    }

    @Test
    void directAndCopyingVectorKernelsGiveIdenticalResults() {
        SplittableRandom random = new SplittableRandom(7);
        Q8_0 q8 = Q8_0.quantize(TestMatrices.floats(random, 21 * 160, 0.05), 21, 160);
        Q4_0 q4 = Q4_0.quantize(TestMatrices.floats(random, 21 * 160, 0.05), 21, 160);
        CompactMatrix[] ws = {TestMatrices.randomF16(random, 21, 100, true), TestMatrices.toDirect(q8),
                TestMatrices.toDirect(q4)};
        for (CompactMatrix w : ws) {
            float[] x = TestMatrices.floats(random, w.cols(), 1);
            float[] direct = new float[w.rows()];
            float[] copying = new float[w.rows()];
            RowKernels.best().multiply(w, x, 1, direct, 0, w.rows());
            new VectorRowKernels(false).multiply(w, x, 1, copying, 0, w.rows());
            assertThat(direct).as("%s", w).containsExactly(copying);
        }
    }

    @Test
    void vectorKernelsAgreeWithTheScalarFallback() {
        SplittableRandom random = new SplittableRandom(3);
        CompactMatrix[] ws = {TestMatrices.randomF16(random, 33, 1000, true),
                Q8_0.quantize(TestMatrices.floats(random, 33 * 1024, 0.05), 33, 1024),
                Q4_0.quantize(TestMatrices.floats(random, 33 * 1024, 0.05), 33, 1024)};
        for (CompactMatrix w : ws) {
            for (int n : NS) {
                float[] x = TestMatrices.floats(random, n * w.cols(), 1);
                float[] scalar = new float[n * w.rows()];
                float[] vector = new float[n * w.rows()];
                RowKernels.scalar().multiply(w, x, n, scalar, 0, w.rows());
                RowKernels.best().multiply(w, x, n, vector, 0, w.rows());
                double[] mag = TestMatrices.magnitude(w, x, n);
                for (int i = 0; i < scalar.length; i++) {
                    assertThat((double) vector[i]).as("%s n=%d output %d", w, n, i)
                            .isCloseTo(scalar[i], org.assertj.core.data.Offset.offset(2 * TestMatrices.DOT_RTOL * mag[i]));
                }
                float[] rowScalar = new float[w.cols()];
                float[] rowVector = new float[w.cols()];
                RowKernels.scalar().decodeRow(w, 7, rowScalar, 0);
                RowKernels.best().decodeRow(w, 7, rowVector, 0);
                assertThat(rowVector).as("widening is exact in both").containsExactly(rowScalar);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void widensEveryFiniteHalfExactly(RowKernels k) {
        F16Matrix all = everyFiniteHalf();
        float[] row = new float[1024 + 3];
        for (int r = 0; r < all.rows(); r++) {
            k.decodeRow(all, r, row, 3);
            for (int c = 0; c < 1024; c++) {
                short half = all.half(r * 1024 + c);
                assertThat(Float.floatToRawIntBits(row[3 + c])).as("half 0x%04x", half & 0xffff)
                        .isEqualTo(Float.floatToRawIntBits(Float16.toFloat(half)));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void roundsEveryFiniteHalfAndQ8RowsToTheNearestBf16TiesToEven(RowKernels k) {
        F16Matrix all = everyFiniteHalf();                             // 3 dropped bits: an eighth are ties
        short[] row = new short[1024 + 3];
        for (int r = 0; r < all.rows(); r++) {
            k.decodeRowBf16(all, r, row, 3);
            for (int c = 0; c < 1024; c++) {
                short half = all.half(r * 1024 + c);
                assertThat(row[3 + c]).as("half 0x%04x", half & 0xffff)
                        .isEqualTo(Float16.floatToBf16(Float16.toFloat(half)));
            }
        }
        Q8_0 q = Q8_0.quantize(TestMatrices.floats(new SplittableRandom(4), 3 * 96, 1), 3, 96);
        for (int r = 0; r < 3; r++) {
            k.decodeRowBf16(q, r, row, 0);
            for (int c = 0; c < 96; c++) {
                assertThat(row[c]).isEqualTo(Float16.floatToBf16(q.scale(r, c / 32) * q.quant(r, c)));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void q8RowsDecodeToScaleTimesQuant(RowKernels k) {
        Q8_0 w = Q8_0.quantize(TestMatrices.floats(new SplittableRandom(4), 3 * 96, 1), 3, 96);
        float[] row = new float[96];
        for (int r = 0; r < 3; r++) {
            k.decodeRow(w, r, row, 0);
            for (int c = 0; c < 96; c++) {
                assertThat(row[c]).isEqualTo(w.scale(r, c / 32) * w.quant(r, c));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void multiplyWritesOnlyTheRequestedRows(RowKernels k) {
        F16Matrix w = TestMatrices.randomF16(new SplittableRandom(5), 10, 40, true);
        float[] x = TestMatrices.floats(new SplittableRandom(6), 2 * 40, 1);
        float[] y = new float[2 * 10];
        Arrays.fill(y, Float.NaN);
        k.multiply(w, x, 2, y, 3, 6);
        for (int i = 0; i < 2; i++) {
            for (int r = 0; r < 10; r++) {
                assertThat(Float.isNaN(y[i * 10 + r])).as("row %d col %d", i, r).isEqualTo(r < 3 || r >= 6);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void sumAddsEveryValueOfTheRangeAndNothingElse(RowKernels k) {
        SplittableRandom random = new SplittableRandom(11);
        float[] a = TestMatrices.floats(random, 1000, 1);
        for (int[] range : new int[][] {{0, 1000}, {3, 3}, {5, 6}, {7, 200}, {64, 128}, {999, 1000}}) {
            double exact = 0;
            double magnitude = 0;
            for (int i = range[0]; i < range[1]; i++) {
                exact += a[i];
                magnitude += Math.abs(a[i]);
            }
            assertThat((double) k.sum(a, range[0], range[1])).as("%s %s", k.name(), Arrays.toString(range))
                    .isCloseTo(exact, org.assertj.core.data.Offset.offset(1e-6 * magnitude + 1e-12));
        }
    }

    @Test
    void memoryBandwidthReadsEveryPieceAndRefusesLessThanOne() {
        try (KernelPool pool = new KernelPool(2)) {
            double gbs = MemoryBandwidth.readGbs(64L << 20, pool, RowKernels.best());
            assertThat(gbs).as("GB/s reading 64 MiB").isGreaterThan(0.1).isLessThan(10_000);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> MemoryBandwidth.readGbs(1 << 20, pool, RowKernels.best()))
                    .hasMessageContaining("at least 4194304 bytes, got 1048576");
        }
    }

    /** All 65536 binary16 patterns but exponent 31 (inf, NaN), as a 62 x 1024 matrix in direct memory. */
    private static F16Matrix everyFiniteHalf() {
        short[] finite = new short[62 * 1024];
        int count = 0;
        for (int h = 0; h < 1 << 16; h++) {
            if ((h & 0x7c00) != 0x7c00) {
                finite[count++] = (short) h;
            }
        }
        ByteBuffer bytes = ByteBuffer.allocateDirect(finite.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asShortBuffer().put(finite);
        return F16Matrix.of(bytes, 62, 1024);
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void dotAndAxpyMatchDoublePrecisionOnOffsetSlices(RowKernels k) {
        SplittableRandom random = new SplittableRandom(13);
        float[] a = TestMatrices.floats(random, 300, 1);
        float[] b = TestMatrices.floats(random, 300, 1);
        for (int n : new int[] {0, 1, 15, 16, 17, 33, 128, 200}) {
            double exact = 0;
            double magnitude = 0;
            for (int i = 0; i < n; i++) {
                exact += (double) a[5 + i] * b[90 + i];
                magnitude += Math.abs((double) a[5 + i] * b[90 + i]);
            }
            assertThat((double) k.dot(a, 5, b, 90, n)).as("%s dot n=%d", k.name(), n)
                    .isCloseTo(exact, org.assertj.core.data.Offset.offset(1e-6 * magnitude + 1e-12));
            float[] y = b.clone();
            k.axpy(0.37f, a, 5, y, 90, n);
            for (int i = 0; i < 300; i++) {
                float expected = i >= 90 && i < 90 + n ? (float) (0.37f * (double) a[i - 85] + b[i]) : b[i];
                assertThat(y[i]).as("%s axpy n=%d at %d", k.name(), n, i).isEqualTo(expected);
            }
        }
    }
}
