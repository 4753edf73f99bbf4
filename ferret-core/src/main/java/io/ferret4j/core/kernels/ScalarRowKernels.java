package io.ferret4j.core.kernels;

import io.ferret4j.core.weights.Float16;

/**
 * Plain-Java kernels: each weight row is widened once into a scratch row, then dotted with every input row.
 * Used when the Vector API is unavailable, and as the reference the vector kernels are tested against.
 */
final class ScalarRowKernels implements RowKernels {
    static final ScalarRowKernels INSTANCE = new ScalarRowKernels();

    private ScalarRowKernels() {
    }

    @Override
    public void multiply(CompactMatrix w, float[] x, int n, float[] y, int r0, int r1) {
        int cols = w.cols();
        int rows = w.rows();
        KernelScratch s = KernelScratch.forCols(cols);
        for (int r = r0; r < r1; r++) {
            decode(w, r, s.row, 0, s);
            for (int i = 0; i < n; i++) {
                y[i * rows + r] = dot(s.row, 0, x, i * cols, cols);
            }
        }
    }

    @Override
    public void decodeRow(CompactMatrix w, int r, float[] dst, int off) {
        decode(w, r, dst, off, KernelScratch.forCols(w.cols()));
    }

    @Override
    public float sum(float[] a, int from, int to) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = from;
        for (; i + 4 <= to; i += 4) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
        }
        for (; i < to; i++) {
            s0 += a[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void decodeRowBf16(CompactMatrix w, int r, short[] dst, int off) {
        KernelScratch s = KernelScratch.forCols(w.cols());
        decode(w, r, s.row, 0, s);
        for (int c = 0; c < w.cols(); c++) {
            dst[off + c] = Float16.floatToBf16(s.row[c]);
        }
    }

    @Override
    public void widenF16(short[] h, int count, float[] dst, int off) {
        for (int c = 0; c < count; c++) {
            dst[off + c] = Half.widen(h[c]);
        }
    }

    /** Four interleaved partial sums, so the loop is not one long dependency chain. */
    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            s0 += a[ao + i] * b[bo + i];
            s1 += a[ao + i + 1] * b[bo + i + 1];
            s2 += a[ao + i + 2] * b[bo + i + 2];
            s3 += a[ao + i + 3] * b[bo + i + 3];
        }
        for (; i < n; i++) {
            s0 += a[ao + i] * b[bo + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = Math.fma(alpha, x[xo + i], y[yo + i]);
        }
    }

    @Override
    public String name() {
        return "scalar";
    }

    private void decode(CompactMatrix w, int r, float[] dst, int off, KernelScratch s) {
        int cols = w.cols();
        if (w instanceof F16Matrix f) {
            f.copyRow(r, s.halves);
            widenF16(s.halves, cols, dst, off);
        } else if (w instanceof Q4_0 q) {
            byte[] qs = q.rowPacked(r, s.quants);
            int qo = q.rowPackedOffset(r);
            q.copyScales(r, 1, s.halves);
            for (int b = 0; b < cols / Q4_0.BLOCK; b++) {
                float d = Half.widen(s.halves[b]);
                int c = off + b * Q4_0.BLOCK;
                for (int j = 0; j < Q4_0.BLOCK_BYTES; j++) {
                    byte p = qs[qo + b * Q4_0.BLOCK_BYTES + j];
                    dst[c + j] = d * ((p & 0xF) - 8);                  // low nibble: the block's first half
                    dst[c + Q4_0.BLOCK_BYTES + j] = d * (((p >> 4) & 0xF) - 8);
                }
            }
        } else {
            Q8_0 q = (Q8_0) w;
            byte[] qa = q.rowQuants(r, s.quants);
            int qo = q.rowQuantsOffset(r);
            q.copyRowScales(r, s.halves);
            for (int b = 0; b < cols / Q8_0.BLOCK; b++) {
                float d = Half.widen(s.halves[b]);
                for (int j = b * Q8_0.BLOCK; j < (b + 1) * Q8_0.BLOCK; j++) {
                    dst[off + j] = d * qa[qo + j];
                }
            }
        }
    }
}
