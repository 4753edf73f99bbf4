package io.ferret4j.core.kernels;

/**
 * Row-level kernels over a {@link CompactMatrix}: dot products of weight rows with fp32 vectors, and widening of
 * single rows. Two implementations exist, chosen by {@link #best()}: one on the incubating Vector API (loaded only
 * when the JVM has the {@code jdk.incubator.vector} module, so this interface never links against it) and a
 * plain-Java fallback. Instances are stateless and thread-safe.
 */
public interface RowKernels {

    /**
     * {@code y[i * rows + r] = Σ_c w[r, c] · x[i * cols + c]} for the weight rows {@code r} in {@code [r0, r1)}
     * and the {@code n} input rows {@code i}: a slice of {@code y = x · wᵀ} with {@code x [n, cols]},
     * {@code y [n, rows]}. Each weight row is read from memory once whatever {@code n} is.
     *
     * <p><b>Batching does not change results:</b> for every {@code n}, {@code y[i * rows + r]} is bit-identical to
     * what this method gives for input row {@code i} alone ({@code n = 1}), and it does not depend on
     * {@code r0}/{@code r1}. Sequences decoded together in one call therefore produce exactly the numbers they
     * would produce decoded one by one. (The summation order within one dot product is otherwise unspecified and
     * differs between implementations.)
     */
    void multiply(CompactMatrix w, float[] x, int n, float[] y, int r0, int r1);

    /** Widens weight row {@code r} into {@code dst[off, off + cols)}. */
    void decodeRow(CompactMatrix w, int r, float[] dst, int off);

    /**
     * {@code Σ a[from, to)} in fp32, read as fast as these kernels can stream memory (the probe behind
     * {@link MemoryBandwidth}); the summation order is unspecified.
     */
    float sum(float[] a, int from, int to);

    /**
     * Widens weight row {@code r} and rounds it to the nearest bfloat16 (ties to even) into
     * {@code dst[off, off + cols)}, as bit patterns.
     */
    void decodeRowBf16(CompactMatrix w, int r, short[] dst, int off);

    /** Widens the binary16 values {@code h[0, count)} into {@code dst[off, off + count)}, exactly. */
    void widenF16(short[] h, int count, float[] dst, int off);

    /** {@code Σ a[ao + i] · b[bo + i]} for {@code i < n}, in fp32 (summation order unspecified). */
    float dot(float[] a, int ao, float[] b, int bo, int n);

    /** {@code y[yo + i] += alpha · x[xo + i]} for {@code i < n}, each a single fp32 rounding (fused where vectorised). */
    void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n);

    /** A short name for logs and benchmarks ({@code "vector-512"}, {@code "scalar"}). */
    String name();

    /** The Vector API kernels when the module is present and the CPU has 256-bit vectors or wider, else scalar. */
    static RowKernels best() {
        return KernelSelection.BEST;
    }

    /** The plain-Java kernels, available everywhere. */
    static RowKernels scalar() {
        return ScalarRowKernels.INSTANCE;
    }
}
