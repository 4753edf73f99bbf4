package io.ferret4j.core.kernels;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import io.ferret4j.core.dnnl.Bf16TileProduct;
import io.ferret4j.core.dnnl.DnnlSupport;
import io.ferret4j.core.plan.Precision;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@code y = x · wᵀ} for a compact weight {@code w [rows, cols]} and FLOAT activations {@code x [n, cols]}, by one of
 * two routes. Up to {@code gemmMinRows - 1} input rows (decoding) go through the {@link RowKernels}, which stream
 * the compact weight once with output rows split over the {@link KernelPool}. From {@code gemmMinRows} rows on
 * (prefill), tiles of weight rows are widened into a reused fp32 scratch of at most {@code tileBytes} and
 * multiplied by ND4J's sgemm, which runs at BLAS speed. Both routes compute each output from the same weight
 * values; they differ only in fp32 summation order. On the kernel route each input row gets exactly the bits it
 * would get alone ({@link RowKernels#multiply}), so rows decoded together do not perturb each other.
 *
 * <p>With {@link Precision#BF16}, where {@link DnnlSupport#available()}, the batched route rounds {@code x} to bf16
 * once, rounds tiles of weight rows to bf16 in the kernels ({@link RowKernels#decodeRowBf16}; plain rows measured
 * faster than a reorder into oneDNN's blocked layout) and multiplies each by oneDNN with fp32 accumulation into
 * its columns of the output ({@link Bf16TileProduct}); the error bound is that of
 * {@link io.ferret4j.core.dnnl.DnnlBf16Matmul}. On a CPU with avx512_bf16 it is faster than the fp32 tiles
 * ({@code Bf16PrefillBenchmark}; figures in docs/performance.md, "Figures behind the code's choices", and ADR 003).
 *
 * @param pool        threads for the kernels, for filling tiles and for oneDNN's OpenMP team
 * @param kernels     row kernels, normally {@link RowKernels#best()}
 * @param gemmMinRows smallest {@code n} sent to the batched route
 * @param tileBytes   size of the scratch tile (per calling thread, kept between calls); larger
 *                    tiles mean fewer sgemm calls, each of which repacks {@code x}
 * @param precision   arithmetic of the batched route: {@link Precision#FP32} (ND4J sgemm) or {@link Precision#BF16}
 *                    (oneDNN, where {@link DnnlSupport#available()}; fp32 elsewhere); the kernel route is fp32 always
 */
public record MatMul(KernelPool pool, RowKernels kernels, int gemmMinRows, long tileBytes, Precision precision) {
    /**
     * Where the two routes cross for 11008×4096 F16 and Q8_0 ({@code KernelBenchmark crossover}; docs/performance.md):
     * the kernels stream the weight once but do every product in Java; the sgemm route first widens the whole
     * weight and pays that back from a few dozen rows on.
     */
    public static final int DEFAULT_GEMM_MIN_ROWS = 32;
    /** 32 MiB: 2048 rows of 4096 columns; a prefill runs nearer plain sgemm with it than with 4 MiB (see docs). */
    public static final long DEFAULT_TILE_BYTES = 32L << 20;
    /**
     * 96 MiB of bf16 holds each weight of a LLaMA-7B layer whole (11008×4096 is 86 MiB), so oneDNN writes whole
     * output rows and picks its brgemm kernel; a tile of part of the rows writes a block of columns, for which
     * oneDNN 2.5 falls back to the slower gemm:jit (docs/performance.md).
     */
    public static final long DEFAULT_BF16_TILE_BYTES = 96L << 20;
    /** Rows per thread are at least this much work (multiply-adds), so tiny products are not split. */
    private static final int MIN_CHUNK_WORK = 1 << 16;

    private static final ThreadLocal<Map<Long, INDArray>> TILES = ThreadLocal.withInitial(HashMap::new);
    private static final ThreadLocal<INDArray[]> BF16_TILE = ThreadLocal.withInitial(() -> new INDArray[1]);

    /** Validates the settings. */
    public MatMul {
        if (gemmMinRows < 2 || tileBytes < 4 || tileBytes > Integer.MAX_VALUE || precision == null) {
            throw new IllegalArgumentException("gemmMinRows must be >= 2, tileBytes in [4, 2^31) and precision set, "
                    + "got " + gemmMinRows + ", " + tileBytes + " and " + precision);
        }
    }

    /** The shared pool, the best kernels, the measured defaults and fp32. */
    public static MatMul defaults() {
        return defaults(Precision.FP32);
    }

    /** The shared pool, the best kernels and the defaults measured for {@code precision}. */
    public static MatMul defaults(Precision precision) {
        return new MatMul(KernelPool.shared(), RowKernels.best(), DEFAULT_GEMM_MIN_ROWS,
                precision == Precision.BF16 ? DEFAULT_BF16_TILE_BYTES : DEFAULT_TILE_BYTES, precision);
    }

    /** The same settings on another pool. */
    public MatMul withPool(KernelPool other) {
        return new MatMul(other, kernels, gemmMinRows, tileBytes, precision);
    }

    /** The same settings with other kernels. */
    public MatMul withKernels(RowKernels other) {
        return new MatMul(pool, other, gemmMinRows, tileBytes, precision);
    }

    /** The same settings with the batched route in {@code other}. */
    public MatMul withPrecision(Precision other) {
        return new MatMul(pool, kernels, gemmMinRows, tileBytes, other);
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

    /**
     * The batched route: {@code [n, cols] -> [n, rows]} FLOAT, in bf16 when {@link #precision()} asks for it and
     * {@link DnnlSupport#available()}, else in fp32.
     */
    public INDArray gemm(CompactMatrix w, INDArray x) {
        checkInput(w, x);
        INDArray xc = contiguous(x);
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, x.size(0), w.rows());
        if (precision == Precision.BF16 && DnnlSupport.available()) {
            gemmBf16(w, xc, out);
        } else {
            gemmFp32(w, xc, out);
        }
        return out;
    }

    /**
     * Tiles widened to fp32, each multiplied by ND4J's sgemm and copied into its columns of {@code out}; a weight
     * that fits one tile (CLIP's) is multiplied straight into {@code out}.
     */
    private void gemmFp32(CompactMatrix w, INDArray x, INDArray out) {
        int rows = w.rows();
        int t = tileRows(w, Float.BYTES);
        INDArray tile = tile(t, w.cols());
        if (t == rows) {
            fill(w, 0, rows, tile);
            Nd4j.gemm(x, tile, out, false, true, 1.0, 0.0);
            return;
        }
        INDArray outTile = Nd4j.createUninitialized(DataType.FLOAT, x.size(0), t);
        for (int r0 = 0; r0 < rows; r0 += t) {
            int rt = Math.min(t, rows - r0);
            fill(w, r0, rt, tile);                                     // tile[0, rt) = w[r0, r0 + rt)
            INDArray wt = rt == t ? tile : tile.get(NDArrayIndex.interval(0, rt), NDArrayIndex.all());
            INDArray ot = rt == t ? outTile : Nd4j.createUninitialized(DataType.FLOAT, x.size(0), rt);
            Nd4j.gemm(x, wt, ot, false, true, 1.0, 0.0);               // [n, rt]
            out.get(NDArrayIndex.all(), NDArrayIndex.interval(r0, r0 + rt)).assign(ot);
        }
    }

    /** Tiles of weight rows rounded to bf16, each multiplied by oneDNN straight into its columns of {@code out}. */
    private void gemmBf16(CompactMatrix w, INDArray x, INDArray out) {
        int rows = w.rows();
        int t = tileRows(w, Short.BYTES);
        INDArray tile = bf16Tile((long) t * w.cols());
        try (Bf16TileProduct product = Bf16TileProduct.start(x, out, pool.threads())) {
            for (int r0 = 0; r0 < rows; r0 += t) {
                int rt = Math.min(t, rows - r0);
                fill(w, r0, rt, tile);                                 // tile[0, rt) = bf16(w[r0, r0 + rt))
                product.multiply(tile, r0, rt);                        // out[:, r0, r0 + rt)
            }
        }
    }

    /** Weight rows per tile of {@link #tileBytes()} holding {@code bytes}-byte values. */
    private int tileRows(CompactMatrix w, int bytes) {
        return (int) Math.max(1, Math.min(w.rows(), tileBytes / ((long) bytes * w.cols())));
    }

    /**
     * Writes weight rows {@code [r0, r0 + count)} into the first rows of {@code tile}, in parallel: widened for a
     * FLOAT tile, rounded to nearest bf16 for a BFLOAT16 one.
     */
    private void fill(CompactMatrix w, int r0, int count, INDArray tile) {
        int cols = w.cols();
        boolean bf16 = tile.dataType() == DataType.BFLOAT16;
        ByteBuffer dst = DirectBuffers.bytes(tile);
        pool.forEachRange(count, 8, (a, b) -> {
            ShortBuffer halves = dst.asShortBuffer();
            FloatBuffer floats = dst.asFloatBuffer();
            float[] row = new float[bf16 ? 0 : cols];
            short[] rounded = new short[bf16 ? cols : 0];
            for (int r = a; r < b; r++) {
                if (bf16) {
                    kernels.decodeRowBf16(w, r0 + r, rounded, 0);
                    halves.put(r * cols, rounded, 0, cols);
                } else {
                    kernels.decodeRow(w, r0 + r, row, 0);
                    floats.put(r * cols, row, 0, cols);
                }
            }
        });
    }

    /** This thread's reusable {@code [t, cols]} scratch, so prefill does not allocate (and page in) tiles per call. */
    private static INDArray tile(int t, int cols) {
        return TILES.get().computeIfAbsent(((long) t << 32) | cols,
                k -> LayerWorkspace.outside(() -> Nd4j.createUninitialized(DataType.FLOAT, t, cols)));
    }

    /**
     * This thread's bf16 scratch of at least {@code length} values: one buffer for all shapes, grown to the largest
     * tile asked for (86 MiB for LLaMA-7B), since {@link Bf16TileProduct} reads tiles from a flat buffer's start.
     */
    private static INDArray bf16Tile(long length) {
        INDArray[] held = BF16_TILE.get();
        if (held[0] == null || held[0].length() < length) {
            held[0] = LayerWorkspace.outside(() -> Nd4j.createUninitialized(DataType.BFLOAT16, length));
        }
        return held[0];
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
