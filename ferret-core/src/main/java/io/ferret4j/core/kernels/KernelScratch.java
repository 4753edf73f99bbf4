package io.ferret4j.core.kernels;

/** Per-thread row buffers of the kernels, grown on demand and reused across calls. */
final class KernelScratch {
    private static final ThreadLocal<KernelScratch> CURRENT = ThreadLocal.withInitial(KernelScratch::new);

    short[] halves = new short[0];                                     // one F16 row, or Q8_0/Q4_0 scales
    byte[] quants = new byte[0];                                       // one Q8_0 row, or a packed Q4_0 row
    float[] row = new float[0];                                        // one widened row
    private float[] scaled = new float[0];                             // the input rows times 2^56

    private KernelScratch() {
    }

    /** This thread's buffers, each at least {@code cols} long. */
    static KernelScratch forCols(int cols) {
        KernelScratch s = CURRENT.get();
        if (s.row.length < cols) {
            s.halves = new short[cols];
            s.quants = new byte[cols];
            s.row = new float[cols];
        }
        return s;
    }

    /** A buffer of at least {@code length} floats for the scaled input rows. */
    float[] scaled(int length) {
        if (scaled.length < length) {
            scaled = new float[length];
        }
        return scaled;
    }
}
