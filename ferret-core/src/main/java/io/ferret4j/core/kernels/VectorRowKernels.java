package io.ferret4j.core.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the incubating Vector API with {@code FloatVector.SPECIES_PREFERRED} lanes and fused multiply-adds.
 * Weight rows are first copied from their (usually memory-mapped) buffer into a per-thread array, a plain memcpy,
 * because loading vectors straight from a {@code ByteBuffer} is spelled differently on JDK 17
 * ({@code fromByteBuffer}) and JDK 20+ ({@code fromMemorySegment}); arrays work on both. For one input row the
 * widening is fused into the dot product; for several, each weight row is widened once and then reused.
 * Loaded only through {@link KernelSelection}.
 */
final class VectorRowKernels implements RowKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    private static final VectorSpecies<Byte> B = L >= 8
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : ByteVector.SPECIES_64;
    private static final int PER_BLOCK = Q8_0.BLOCK / L;              // vectors per Q8_0 block
    private static final int SCALE_GROUP = 16;                        // rows whose Q8_0 scales are widened at once
    private static final float X_SCALE = 0x1p56f;
    private static final float UNSCALE = 0x1p56f;                     // 2^-112 · 2^56 · 2^56 = 1

    VectorRowKernels() {
        if (L < 8) {
            throw new IllegalStateException("preferred vectors hold " + L + " floats, the kernels need >= 8");
        }
    }

    @Override
    public void multiply(CompactMatrix w, float[] x, int n, float[] y, int r0, int r1) {
        if (w instanceof F16Matrix f) {
            multiplyF16(f, x, n, y, r0, r1);
        } else {
            multiplyQ8((Q8_0) w, x, n, y, r0, r1);
        }
    }

    @Override
    public void decodeRow(CompactMatrix w, int r, float[] dst, int off) {
        KernelScratch s = KernelScratch.forCols(w.cols());
        if (w instanceof F16Matrix f) {
            f.copyRow(r, s.halves);
            widenF16(s.halves, w.cols(), dst, off);
        } else {
            decodeQ8((Q8_0) w, r, dst, off, s);
        }
    }

    @Override
    public String name() {
        return "vector-" + F.vectorBitSize();
    }

    private static void multiplyF16(F16Matrix w, float[] x, int n, float[] y, int r0, int r1) {
        int cols = w.cols();
        int rows = w.rows();
        KernelScratch s = KernelScratch.forCols(cols);
        if (n == 1) {
            scale(x, cols, X_SCALE, s.scales);
            for (int r = r0; r < r1; r++) {
                w.copyRow(r, s.halves);
                y[r] = dotF16(s.halves, s.scales, cols) * UNSCALE;
            }
            return;
        }
        for (int r = r0; r < r1; r++) {
            w.copyRow(r, s.halves);
            widenF16(s.halves, cols, s.row, 0);
            for (int i = 0; i < n; i++) {
                y[i * rows + r] = dot(s.row, x, i * cols, cols);
            }
        }
    }

    private static void multiplyQ8(Q8_0 w, float[] x, int n, float[] y, int r0, int r1) {
        int cols = w.cols();
        int rows = w.rows();
        int blocks = cols / Q8_0.BLOCK;
        KernelScratch s = KernelScratch.forCols(cols);
        if (n == 1) {
            // scales are fetched and widened for SCALE_GROUP rows at a time: one copy instead of one per row
            for (int g = r0; g < r1; g += SCALE_GROUP) {
                int count = Math.min(SCALE_GROUP, r1 - g);
                w.copyScales(g, count, s.halves);
                widenF16(s.halves, count * blocks, s.scales, 0);
                for (int r = g; r < g + count; r++) {
                    byte[] qa = w.rowQuants(r, s.quants);
                    y[r] = dotQ8(qa, w.rowQuantsOffset(r), s.scales, (r - g) * blocks, x, cols);
                }
            }
            return;
        }
        for (int r = r0; r < r1; r++) {
            decodeQ8(w, r, s.row, 0, s);
            for (int i = 0; i < n; i++) {
                y[i * rows + r] = dot(s.row, x, i * cols, cols);
            }
        }
    }

    /** binary16 → float, exact for finite values (see {@link Half}). */
    private static FloatVector f16(short[] h, int off) {
        return f16Bits(h, off).mul(Half.REBIAS);
    }

    /** The half's bits in float position: {@code w · 2^-112}. */
    private static FloatVector f16Bits(short[] h, int off) {
        IntVector bits = (IntVector) ShortVector.fromArray(S, h, off).convertShape(VectorOperators.S2I, I, 0);
        return bits.lanewise(VectorOperators.LSHL, 13).lanewise(VectorOperators.AND, Half.MASK).reinterpretAsFloats();
    }

    private static void scale(float[] x, int count, float factor, float[] dst) {
        int c = 0;
        for (; c + L <= count; c += L) {
            xv(x, c).mul(factor).intoArray(dst, c);
        }
        for (; c < count; c++) {
            dst[c] = x[c] * factor;
        }
    }

    private static FloatVector q8(byte[] q, int off) {
        return (FloatVector) ByteVector.fromArray(B, q, off).convertShape(VectorOperators.B2F, F, 0);
    }

    private static FloatVector xv(float[] x, int off) {
        return FloatVector.fromArray(F, x, off);
    }

    /**
     * {@code 2^-56 Σ w_c x_c} from raw half bits and {@code xs = x · 2^56}: the half's bits moved into float position
     * are {@code w · 2^-112}, so folding {@code 2^56} into each side saves the re-biasing multiply. Powers of two
     * scale exactly, so every product and partial sum is the unscaled one times {@code 2^-56} unless it falls
     * below {@code 2^-70} in magnitude.
     */
    private static float dotF16(short[] h, float[] xs, int cols) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int c = 0;
        for (; c + 4 * L <= cols; c += 4 * L) {
            a0 = f16Bits(h, c).fma(xv(xs, c), a0);
            a1 = f16Bits(h, c + L).fma(xv(xs, c + L), a1);
            a2 = f16Bits(h, c + 2 * L).fma(xv(xs, c + 2 * L), a2);
            a3 = f16Bits(h, c + 3 * L).fma(xv(xs, c + 3 * L), a3);
        }
        for (; c + L <= cols; c += L) {
            a0 = f16Bits(h, c).fma(xv(xs, c), a0);
        }
        float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) {
            sum += Float.intBitsToFloat((h[c] << 13) & Half.MASK) * xs[c];
        }
        return sum;
    }

    /**
     * Σ_b d_b · (Σ_j q_j x_j) with the scales of this row at {@code d[dOff, dOff + cols / 32)}: each block's
     * products are summed, then scaled once into one of four accumulators.
     */
    private static float dotQ8(byte[] q, int qo, float[] d, int dOff, float[] x, int cols) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int blocks = cols / Q8_0.BLOCK;
        int b = 0;
        for (; b + 4 <= blocks; b += 4) {
            a0 = block(q, qo, x, b).fma(FloatVector.broadcast(F, d[dOff + b]), a0);
            a1 = block(q, qo, x, b + 1).fma(FloatVector.broadcast(F, d[dOff + b + 1]), a1);
            a2 = block(q, qo, x, b + 2).fma(FloatVector.broadcast(F, d[dOff + b + 2]), a2);
            a3 = block(q, qo, x, b + 3).fma(FloatVector.broadcast(F, d[dOff + b + 3]), a3);
        }
        for (; b < blocks; b++) {
            a0 = block(q, qo, x, b).fma(FloatVector.broadcast(F, d[dOff + b]), a0);
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }

    private static FloatVector block(byte[] q, int qo, float[] x, int b) {
        int c = b * Q8_0.BLOCK;
        FloatVector p = q8(q, qo + c).mul(xv(x, c));
        for (int k = 1; k < PER_BLOCK; k++) {
            p = q8(q, qo + c + k * L).fma(xv(x, c + k * L), p);
        }
        return p;
    }

    private static float dot(float[] w, float[] x, int xo, int cols) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int c = 0;
        for (; c + 4 * L <= cols; c += 4 * L) {
            a0 = xv(w, c).fma(xv(x, xo + c), a0);
            a1 = xv(w, c + L).fma(xv(x, xo + c + L), a1);
            a2 = xv(w, c + 2 * L).fma(xv(x, xo + c + 2 * L), a2);
            a3 = xv(w, c + 3 * L).fma(xv(x, xo + c + 3 * L), a3);
        }
        for (; c + L <= cols; c += L) {
            a0 = xv(w, c).fma(xv(x, xo + c), a0);
        }
        float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) {
            sum += w[c] * x[xo + c];
        }
        return sum;
    }

    private static void widenF16(short[] h, int count, float[] dst, int off) {
        int c = 0;
        for (; c + L <= count; c += L) {
            f16(h, c).intoArray(dst, off + c);
        }
        for (; c < count; c++) {
            dst[off + c] = Half.widen(h[c]);
        }
    }

    private static void decodeQ8(Q8_0 w, int r, float[] dst, int off, KernelScratch s) {
        int cols = w.cols();
        byte[] qa = w.rowQuants(r, s.quants);
        int qo = w.rowQuantsOffset(r);
        w.copyRowScales(r, s.halves);
        for (int b = 0; b < cols / Q8_0.BLOCK; b++) {
            float d = Half.widen(s.halves[b]);
            int c = b * Q8_0.BLOCK;
            for (int k = 0; k < PER_BLOCK; k++) {
                q8(qa, qo + c + k * L).mul(d).intoArray(dst, off + c + k * L);
            }
        }
    }
}
