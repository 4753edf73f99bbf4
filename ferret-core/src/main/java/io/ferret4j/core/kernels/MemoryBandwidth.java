package io.ferret4j.core.kernels;

import java.util.Arrays;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * The memory read bandwidth the kernels can reach: the threads of a {@link KernelPool} sum disjoint 4 MiB pieces of
 * float arrays far larger than any cache with {@link RowKernels#sum}, in place (no copy), best of several passes.
 * This is the rate a decode step that streams its weights once per token is bounded by.
 */
public final class MemoryBandwidth {
    /** 1 GiB: the default working set, well beyond the last-level cache of any current CPU. */
    public static final long DEFAULT_BYTES = 1L << 30;
    private static final int PIECE_FLOATS = 1 << 20;
    private static final int ARRAY_PIECES = 32;                        // 128 MiB arrays
    private static final int PASSES = 6;

    private MemoryBandwidth() {
    }

    /**
     * Read bandwidth in GB/s (10^9 bytes per second) over {@code bytes} of heap arrays, rounded down to whole
     * 4 MiB pieces; the arrays are filled (paged in) before timing.
     *
     * @throws IllegalArgumentException if {@code bytes} is less than one 4 MiB piece
     * @throws IllegalStateException if a pass did not read every value (which would make the rate meaningless)
     */
    public static double readGbs(long bytes, KernelPool pool, RowKernels kernels) {
        long pieces = bytes / (4L * PIECE_FLOATS);
        if (pieces < 1) {
            throw new IllegalArgumentException("bandwidth needs at least " + 4L * PIECE_FLOATS + " bytes, got " + bytes);
        }
        float[][] arrays = new float[(int) ((pieces + ARRAY_PIECES - 1) / ARRAY_PIECES)][];
        for (int a = 0; a < arrays.length; a++) {
            arrays[a] = new float[(int) Math.min(ARRAY_PIECES, pieces - (long) a * ARRAY_PIECES) * PIECE_FLOATS];
            Arrays.fill(arrays[a], 1f);
        }
        double best = 0;
        for (int pass = 0; pass < PASSES; pass++) {
            DoubleAdder total = new DoubleAdder();
            long t0 = System.nanoTime();
            pool.forEachRange((int) pieces, 1, (p0, p1) -> {
                double sum = 0;
                for (int p = p0; p < p1; p++) {
                    int from = (p % ARRAY_PIECES) * PIECE_FLOATS;
                    sum += kernels.sum(arrays[p / ARRAY_PIECES], from, from + PIECE_FLOATS);
                }
                total.add(sum);
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (total.sum() != (double) pieces * PIECE_FLOATS) {
                throw new IllegalStateException("bandwidth pass summed " + total.sum() + ", expected "
                        + (double) pieces * PIECE_FLOATS);
            }
            best = Math.max(best, pieces * 4.0 * PIECE_FLOATS / seconds / 1e9);
        }
        return best;
    }
}
