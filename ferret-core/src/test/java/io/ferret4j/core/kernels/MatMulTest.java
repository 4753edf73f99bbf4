package io.ferret4j.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;

import io.ferret4j.core.dnnl.DnnlSupport;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.testing.Bf16Bound;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

final class MatMulTest {
    /** bf16 tiles of 64 rows of 256 columns: 301 rows make four full tiles and a partial one of 45. */
    private static final long BF16_TILE_BYTES = 64 * 256 * 2;

    private final SplittableRandom random = new SplittableRandom(21);

    @AfterEach
    void switchOneDnnBackOn() {
        System.clearProperty(DnnlSupport.SWITCH_PROPERTY);
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        CompactMatrix[] ws = {TestMatrices.randomF16(random, 301, 700, true),
                Q8_0.quantize(TestMatrices.floats(random, 301 * 704, 0.05), 301, 704)};
        try (KernelPool one = new KernelPool(1); KernelPool two = new KernelPool(2)) {
            MatMul m1 = MatMul.defaults().withPool(one);
            MatMul m2 = MatMul.defaults().withPool(two);
            for (CompactMatrix w : ws) {
                for (int n : new int[] {1, 4}) {
                    float[] x = TestMatrices.floats(random, n * w.cols(), 1);
                    float[] y1 = new float[n * w.rows()];
                    float[] y2 = new float[n * w.rows()];
                    m1.matvec(w, x, n, y1);
                    m2.matvec(w, x, n, y2);
                    assertThat(y2).as("%s n=%d", w, n).containsExactly(y1);
                    TestMatrices.assertMatchesReference(w, x, n, y2, w + " n=" + n);
                }
                INDArray x = array(40, w.cols());
                assertThat(m2.gemm(w, x).data().asFloat()).containsExactly(m1.gemm(w, x).data().asFloat());
            }
        }
    }

    @Test
    void sgemmRouteMatchesTheReferenceIncludingAPartialLastTile() {
        // 64-66 row tiles: four and a partial one
        MatMul tiled = new MatMul(KernelPool.shared(), RowKernels.best(), 2, 64 * 100 * 4, Precision.FP32);
        CompactMatrix[] ws = {TestMatrices.randomF16(random, 301, 100, false),
                Q8_0.quantize(TestMatrices.floats(random, 301 * 96, 0.05), 301, 96)};
        for (CompactMatrix w : ws) {
            INDArray x = array(20, w.cols());
            INDArray y = tiled.gemm(w, x);
            assertThat(y.shape()).containsExactly(20, 301);
            TestMatrices.assertMatchesReference(w, x.data().asFloat(), 20, y.data().asFloat(), w.toString());
        }
    }

    @Test
    void bf16RouteStaysWithinBf16RoundingOfTheFp32RouteAcrossTiles() {
        assumeTrue(DnnlSupport.available(), DnnlSupport.status());
        MatMul fp32 = new MatMul(KernelPool.shared(), RowKernels.best(), 32, BF16_TILE_BYTES, Precision.FP32);
        MatMul bf16 = fp32.withPrecision(Precision.BF16);
        for (CompactMatrix w : compactPair(301, 256)) {
            INDArray x = array(40, w.cols());

            INDArray expected = fp32.gemm(w, x);
            INDArray actual = bf16.gemm(w, x);

            Bf16Bound.assertWithin(x, TestMatrices.widened(w), expected, actual);
            assertThat(Bf16Bound.relativeError(expected, actual)).as("%s: bf16 rounding, not fp32 (which gives 0)", w)
                    .isBetween(1e-4, 4e-3);
            assertThat(bf16.multiply(w, x).data().asFloat()).as("multiply takes the bf16 route from 32 rows on")
                    .containsExactly(actual.data().asFloat());
        }
    }

    @Test
    void bf16LeavesFewerRowsThanGemmMinRowsOnTheFp32Kernels() {
        MatMul fp32 = new MatMul(KernelPool.shared(), RowKernels.best(), 32, BF16_TILE_BYTES, Precision.FP32);
        MatMul bf16 = fp32.withPrecision(Precision.BF16);
        for (CompactMatrix w : compactPair(301, 256)) {
            for (int n : new int[] {1, 31}) {
                INDArray x = array(n, w.cols());

                assertThat(bf16.multiply(w, x).data().asFloat()).as("%s n=%d", w, n)
                        .containsExactly(fp32.multiply(w, x).data().asFloat());
            }
        }
    }

    @Test
    void bf16RouteIsTheFp32RouteWhereOneDnnIsSwitchedOff() {
        System.setProperty(DnnlSupport.SWITCH_PROPERTY, "off");
        MatMul fp32 = new MatMul(KernelPool.shared(), RowKernels.best(), 32, BF16_TILE_BYTES, Precision.FP32);
        for (CompactMatrix w : compactPair(301, 256)) {
            INDArray x = array(40, w.cols());

            assertThat(fp32.withPrecision(Precision.BF16).gemm(w, x).data().asFloat()).as(w.toString())
                    .containsExactly(fp32.gemm(w, x).data().asFloat());
        }
    }

    @Test
    void multiplyPicksTheRouteByRowCountAndBothAgree() {
        MatMul mm = new MatMul(KernelPool.shared(), RowKernels.best(), 8, 128 * 300 * 4, Precision.FP32);
        F16Matrix w = TestMatrices.randomF16(random, 200, 300, true);
        for (int n : new int[] {1, 7, 8, 30}) {
            INDArray x = array(n, 300);
            INDArray viaKernels = mm.matvec(w, x);
            INDArray viaGemm = mm.gemm(w, x);
            INDArray chosen = mm.multiply(w, x);
            assertThat(chosen.data().asFloat()).containsExactly((n < 8 ? viaKernels : viaGemm).data().asFloat());
            TestMatrices.assertMatchesReference(w, x.data().asFloat(), n, viaGemm.data().asFloat(), "gemm n=" + n);
            TestMatrices.assertMatchesReference(w, x.data().asFloat(), n, viaKernels.data().asFloat(), "kernels n=" + n);
        }
    }

    @Test
    void acceptsViewsAndTransposedInputs() {
        F16Matrix w = TestMatrices.randomF16(random, 50, 64, true);
        INDArray big = array(64, 6);
        INDArray x = big.transpose();                                  // [6, 64], 'f' view
        float[] packed = x.dup('c').data().asFloat();
        TestMatrices.assertMatchesReference(w, packed, 6, MatMul.defaults().matvec(w, x).data().asFloat(), "view");
        TestMatrices.assertMatchesReference(w, packed, 6, MatMul.defaults().gemm(w, x).data().asFloat(), "view");
    }

    @Test
    void rejectsInputsOfTheWrongWidthOrType() {
        F16Matrix w = TestMatrices.randomF16(random, 5, 64, true);
        assertThatThrownBy(() -> MatMul.defaults().multiply(w, array(2, 63)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("FLOAT[2, 63]").hasMessageContaining("expected FLOAT [n, 64]");
        assertThatThrownBy(() -> MatMul.defaults().multiply(w, array(2, 64).castTo(DataType.DOUBLE)))
                .hasMessageContaining("DOUBLE[2, 64]");
        assertThatThrownBy(() -> new MatMul(KernelPool.shared(), RowKernels.best(), 1, 64, Precision.FP32))
                .hasMessageContaining("gemmMinRows must be >= 2");
        assertThatThrownBy(() -> MatMul.defaults().withPrecision(null)).hasMessageContaining("precision set");
    }

    /** A random F16 and a random Q8_0 matrix of the same shape. */
    private CompactMatrix[] compactPair(int rows, int cols) {
        return new CompactMatrix[] {TestMatrices.randomF16(random, rows, cols, true),
                Q8_0.quantize(TestMatrices.floats(random, rows * cols, 0.05), rows, cols)};
    }

    private INDArray array(int n, int cols) {
        return Nd4j.create(TestMatrices.floats(random, n * cols, 1), new long[] {n, cols}, 'c');
    }
}
