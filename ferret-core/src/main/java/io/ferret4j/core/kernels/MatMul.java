package io.ferret4j.core.kernels;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@code y = x · wᵀ} for a compact weight {@code w [rows, cols]} and FLOAT activations {@code x [n, cols]}, by one of
 * two routes. Up to {@code gemmMinRows - 1} input rows (decoding) go through the {@link RowKernels}, which stream
 * the compact weight once with output rows split over the {@link KernelPool}. From {@code gemmMinRows} rows on
 * (prefill), tiles of weight rows are widened into a reused fp32 scratch of at most {@code tileBytes} and
 * multiplied by ND4J's sgemm, which runs at BLAS speed. Both routes compute each output from the same weight
 * values; they differ only in fp32 summation order.
 *
 * @param pool        threads for the kernels and for widening tiles
 * @param kernels     row kernels, normally {@link RowKernels#best()}
 * @param gemmMinRows smallest {@code n} sent to the sgemm route
 * @param tileBytes   size of the fp32 scratch tile (per calling thread, kept between calls); larger tiles mean
 *                    fewer sgemm calls, each of which repacks {@code x}
 */
public record MatMul(KernelPool pool, RowKernels kernels, int gemmMinRows, long tileBytes) {
    /**
     * Crossover measured for 11008×4096 F16 and Q8_0 on a 2-core AVX-512 machine ({@code KernelBenchmark crossover}):
     * the kernels stream the weight once but do every product in Java; the sgemm route first widens the whole
     * weight (tens of ms) and pays that back from a few dozen rows on.
     */
    public static final int DEFAULT_GEMM_MIN_ROWS = 32;
    /** 32 MiB: 2048 rows of 4096 columns; a 700-row prefill ran at 85% of plain sgemm with it, 75-78% with 4 MiB. */
    public static final long DEFAULT_TILE_BYTES = 32L << 20;
    /** Rows per thread are at least this much work (multiply-adds), so tiny products are not split. */
    private static final int MIN_CHUNK_WORK = 1 << 16;

    private static final ThreadLocal<Map<Long, INDArray>> TILES = ThreadLocal.withInitial(HashMap::new);

    /** Validates the settings. */
    public MatMul {
        if (gemmMinRows < 2 || tileBytes < 4 || tileBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("gemmMinRows must be >= 2 and tileBytes in [4, 2^31), got "
                    + gemmMinRows + " and " + tileBytes);
        }
    }

    /** The shared pool, the best kernels and the measured defaults. */
    public static MatMul defaults() {
        return new MatMul(KernelPool.shared(), RowKernels.best(), DEFAULT_GEMM_MIN_ROWS, DEFAULT_TILE_BYTES);
    }

    /** The same settings on another pool. */
    public MatMul withPool(KernelPool other) {
        return new MatMul(other, kernels, gemmMinRows, tileBytes);
    }

    /** The same settings with other kernels. */
    public MatMul withKernels(RowKernels other) {
        return new MatMul(pool, other, gemmMinRows, tileBytes);
    }

    /** {@code x · wᵀ} by the route that suits {@code n}: {@code [n, cols] -> [n, rows]} FLOAT. */
    public INDArray multiply(CompactMatrix w, INDArray x) {
        checkInput(w, x);
        return x.size(0) >= gemmMinRows ? gemm(w, x) : matvec(w, x);
    }

    /** The kernel route on arrays: {@code y [n, rows] = x [n, cols] · wᵀ}, row-major. */
    public void matvec(CompactMatrix w, float[] x, int n, float[] y) {
        if (x.length < (long) n * w.cols() || y.length < (long) n * w.rows()) {
            throw new IllegalArgumentException("x holds " + x.length + " and y " + y.length + " floats, " + n
                    + " rows of " + w + " need " + (long) n * w.cols() + " and " + (long) n * w.rows());
        }
        int minChunk = Math.max(1, MIN_CHUNK_WORK / Math.max(1, w.cols() * n));
        pool.forEachRange(w.rows(), minChunk, (r0, r1) -> kernels.multiply(w, x, n, y, r0, r1));
    }

    /** The kernel route: {@code [n, cols] -> [n, rows]} FLOAT. */
    public INDArray matvec(CompactMatrix w, INDArray x) {
        checkInput(w, x);
        int n = (int) x.size(0);
        float[] y = new float[n * w.rows()];
        matvec(w, contiguous(x).data().asFloat(), n, y);
        return Nd4j.create(y, new long[] {n, w.rows()}, 'c');
    }

    /** The sgemm route: {@code [n, cols] -> [n, rows]} FLOAT. */
    public INDArray gemm(CompactMatrix w, INDArray x) {
        checkInput(w, x);
        INDArray xc = contiguous(x);
        int n = (int) x.size(0);
        int rows = w.rows();
        int t = (int) Math.max(1, Math.min(rows, tileBytes / (4L * w.cols())));
        INDArray tile = tile(t, w.cols());
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, n, rows);
        INDArray outTile = Nd4j.createUninitialized(DataType.FLOAT, n, t);
        for (int r0 = 0; r0 < rows; r0 += t) {
            int rt = Math.min(t, rows - r0);
            widen(w, r0, rt, tile);                                    // tile[0, rt) = w[r0, r0 + rt)
            INDArray wt = rt == t ? tile : tile.get(NDArrayIndex.interval(0, rt), NDArrayIndex.all());
            INDArray ot = rt == t ? outTile : Nd4j.createUninitialized(DataType.FLOAT, n, rt);
            Nd4j.gemm(xc, wt, ot, false, true, 1.0, 0.0);              // [n, rt]
            out.get(NDArrayIndex.all(), NDArrayIndex.interval(r0, r0 + rt)).assign(ot);
        }
        return out;
    }

    /** Widens weight rows {@code [r0, r0 + count)} into the first rows of the fp32 {@code tile}, in parallel. */
    private void widen(CompactMatrix w, int r0, int count, INDArray tile) {
        int cols = w.cols();
        FloatBuffer dst = tile.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
        pool.forEachRange(count, 8, (a, b) -> {
            float[] row = new float[cols];
            for (int r = a; r < b; r++) {
                kernels.decodeRow(w, r0 + r, row, 0);
                dst.put(r * cols, row, 0, cols);
            }
        });
    }

    /** This thread's reusable {@code [t, cols]} scratch, so prefill does not allocate (and page in) tiles per call. */
    @SuppressWarnings("try")                                           // the scope is used implicitly by ND4J
    private static INDArray tile(int t, int cols) {
        return TILES.get().computeIfAbsent(((long) t << 32) | cols, k -> {
            try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                return Nd4j.createUninitialized(DataType.FLOAT, t, cols);   // kept across calls and layer workspaces
            }
        });
    }

    private static INDArray contiguous(INDArray x) {
        boolean packed = !x.isView() && x.ordering() == 'c' && x.data().length() == x.length();
        return packed ? x : x.dup('c');
    }

    private static void checkInput(CompactMatrix w, INDArray x) {
        if (x.rank() != 2 || x.size(1) != w.cols() || x.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("input " + x.dataType() + Arrays.toString(x.shape())
                    + " does not match " + w + ": expected FLOAT [n, " + w.cols() + "]");
        }
    }
}
