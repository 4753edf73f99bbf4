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
 * For one input row (decoding) the widening is fused into the dot product and vectors are loaded straight from
 * the weight's buffer through {@link DirectLoads}; where this JDK offers no such load, each row is first copied
 * into a per-thread array (a memcpy, which costs about a fifth of the kernel's time). For several input rows each
 * weight row is widened once into a scratch row and reused. Loaded only through {@link KernelSelection}.
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
    private static final float X_SCALE = 0x1p56f;                     // see dotF16
    private static final DirectLoads LOADS = DirectLoads.find();      // null: copy rows

    private final boolean direct;

    /** Kernels that load from buffers directly where this JDK allows. */
    VectorRowKernels() {
        this(true);
    }

    /** With {@code direct} false, rows of mapped weights are always copied (the path of JDKs without direct loads). */
    VectorRowKernels(boolean direct) {
        if (L < 8) {
            throw new IllegalStateException("preferred vectors hold " + L + " floats, the kernels need >= 8");
        }
        this.direct = direct && LOADS != null;
    }

    @Override
    public void multiply(CompactMatrix w, float[] x, int n, float[] y, int r0, int r1) {
        KernelScratch s = KernelScratch.forCols(w.cols());
        if (n > 1) {
            multiplyRows(w, x, n, y, r0, r1, s);
        } else if (w instanceof F16Matrix f) {
            matvecF16(f, x, y, r0, r1, s);
        } else {
            matvecQ8((Q8_0) w, x, y, r0, r1, s);
        }
    }

    @Override
    public void decodeRow(CompactMatrix w, int r, float[] dst, int off) {
        decode(w, r, dst, off, KernelScratch.forCols(w.cols()));
    }

    @Override
    public String name() {
        return "vector-" + F.vectorBitSize() + (direct ? "" : "-copying");
    }

    // ---------------------------------------------------------------- one input row

    /** {@code y[r] = 2^56 · dotF16(row r, x · 2^56)}; see {@link #dotF16(short[], float[], int)}. */
    private void matvecF16(F16Matrix w, float[] x, float[] y, int r0, int r1, KernelScratch s) {
        int cols = w.cols();
        float[] xs = s.scales;
        scale(x, cols, X_SCALE, xs);
        if (direct) {
            Object src = LOADS.source(w.bytes());
            for (int r = r0; r < r1; r++) {
                y[r] = dotF16(w, src, r, xs) * X_SCALE;
            }
        } else {
            for (int r = r0; r < r1; r++) {
                w.copyRow(r, s.halves);
                y[r] = dotF16(s.halves, xs, cols) * X_SCALE;
            }
        }
    }

    private void matvecQ8(Q8_0 w, float[] x, float[] y, int r0, int r1, KernelScratch s) {
        int cols = w.cols();
        int blocks = cols / Q8_0.BLOCK;
        boolean heap = w.quantsOnHeap();
        Object src = direct && !heap ? LOADS.source(w.quantBytes()) : null;
        // scales are fetched and widened for SCALE_GROUP rows at a time: one copy instead of one per row
        for (int g = r0; g < r1; g += SCALE_GROUP) {
            int count = Math.min(SCALE_GROUP, r1 - g);
            w.copyScales(g, count, s.halves);
            widenF16(s.halves, count * blocks, s.scales, 0);
            for (int r = g; r < g + count; r++) {
                int dOff = (r - g) * blocks;
                if (src != null) {
                    y[r] = dotQ8(src, (long) r * cols, s.scales, dOff, x, cols);
                } else {
                    y[r] = dotQ8(w.rowQuants(r, s.quants), w.rowQuantsOffset(r), s.scales, dOff, x, cols);
                }
            }
        }
    }

    /**
     * {@code 2^-56 Σ w_c x_c} from raw half bits and {@code xs = x · 2^56}: a half's bits moved into float position
     * are {@code w · 2^-112}, so putting {@code 2^56} on each side saves the re-biasing multiply. Powers of two scale
     * exactly, so each product and partial sum is the unscaled one times {@code 2^-56} (unless below {@code 2^-70}).
     */
    private static float dotF16(short[] h, float[] xs, int cols) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int c = 0;
        for (; c + 4 * L <= cols; c += 4 * L) {
            a0 = halfBits(ShortVector.fromArray(S, h, c)).fma(xv(xs, c), a0);
            a1 = halfBits(ShortVector.fromArray(S, h, c + L)).fma(xv(xs, c + L), a1);
            a2 = halfBits(ShortVector.fromArray(S, h, c + 2 * L)).fma(xv(xs, c + 2 * L), a2);
            a3 = halfBits(ShortVector.fromArray(S, h, c + 3 * L)).fma(xv(xs, c + 3 * L), a3);
        }
        for (; c + L <= cols; c += L) {
            a0 = halfBits(ShortVector.fromArray(S, h, c)).fma(xv(xs, c), a0);
        }
        float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) {
            sum += halfBits(h[c]) * xs[c];
        }
        return sum;
    }

    /** {@link #dotF16(short[], float[], int)} on row {@code r} loaded from {@code src}. */
    private static float dotF16(F16Matrix w, Object src, int r, float[] xs) {
        int cols = w.cols();
        long base = 2L * r * cols;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int c = 0;
        for (; c + 4 * L <= cols; c += 4 * L) {
            a0 = halfBits(LOADS.shorts(S, src, base + 2L * c)).fma(xv(xs, c), a0);
            a1 = halfBits(LOADS.shorts(S, src, base + 2L * (c + L))).fma(xv(xs, c + L), a1);
            a2 = halfBits(LOADS.shorts(S, src, base + 2L * (c + 2 * L))).fma(xv(xs, c + 2 * L), a2);
            a3 = halfBits(LOADS.shorts(S, src, base + 2L * (c + 3 * L))).fma(xv(xs, c + 3 * L), a3);
        }
        for (; c + L <= cols; c += L) {
            a0 = halfBits(LOADS.shorts(S, src, base + 2L * c)).fma(xv(xs, c), a0);
        }
        float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) {
            sum += halfBits(w.half(r * cols + c)) * xs[c];
        }
        return sum;
    }

    /**
     * {@code Σ_b d_b · (Σ_j q_j x_j)} with this row's scales at {@code d[dOff, dOff + cols / 32)}: each block's
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

    /** {@link #dotQ8(byte[], int, float[], int, float[], int)} on quants loaded from {@code src}. */
    private static float dotQ8(Object src, long qo, float[] d, int dOff, float[] x, int cols) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int blocks = cols / Q8_0.BLOCK;
        int b = 0;
        for (; b + 4 <= blocks; b += 4) {
            a0 = block(src, qo, x, b).fma(FloatVector.broadcast(F, d[dOff + b]), a0);
            a1 = block(src, qo, x, b + 1).fma(FloatVector.broadcast(F, d[dOff + b + 1]), a1);
            a2 = block(src, qo, x, b + 2).fma(FloatVector.broadcast(F, d[dOff + b + 2]), a2);
            a3 = block(src, qo, x, b + 3).fma(FloatVector.broadcast(F, d[dOff + b + 3]), a3);
        }
        for (; b < blocks; b++) {
            a0 = block(src, qo, x, b).fma(FloatVector.broadcast(F, d[dOff + b]), a0);
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }

    private static FloatVector block(byte[] q, int qo, float[] x, int b) {
        int c = b * Q8_0.BLOCK;
        FloatVector p = q8(ByteVector.fromArray(B, q, qo + c)).mul(xv(x, c));
        for (int k = 1; k < PER_BLOCK; k++) {
            p = q8(ByteVector.fromArray(B, q, qo + c + k * L)).fma(xv(x, c + k * L), p);
        }
        return p;
    }

    private static FloatVector block(Object src, long qo, float[] x, int b) {
        int c = b * Q8_0.BLOCK;
        FloatVector p = q8(LOADS.bytes(B, src, qo + c)).mul(xv(x, c));
        for (int k = 1; k < PER_BLOCK; k++) {
            p = q8(LOADS.bytes(B, src, qo + c + k * L)).fma(xv(x, c + k * L), p);
        }
        return p;
    }

    // ---------------------------------------------------------------- several input rows

    private static void multiplyRows(CompactMatrix w, float[] x, int n, float[] y, int r0, int r1, KernelScratch s) {
        int cols = w.cols();
        int rows = w.rows();
        for (int r = r0; r < r1; r++) {
            decode(w, r, s.row, 0, s);
            for (int i = 0; i < n; i++) {
                y[i * rows + r] = dot(s.row, x, i * cols, cols);
            }
        }
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

    // ---------------------------------------------------------------- widening

    private static void decode(CompactMatrix w, int r, float[] dst, int off, KernelScratch s) {
        if (w instanceof F16Matrix f) {
            f.copyRow(r, s.halves);
            widenF16(s.halves, w.cols(), dst, off);
            return;
        }
        Q8_0 q = (Q8_0) w;
        byte[] qa = q.rowQuants(r, s.quants);
        int qo = q.rowQuantsOffset(r);
        q.copyRowScales(r, s.halves);
        for (int b = 0; b < w.cols() / Q8_0.BLOCK; b++) {
            float d = Half.widen(s.halves[b]);
            int c = b * Q8_0.BLOCK;
            for (int k = 0; k < PER_BLOCK; k++) {
                q8(ByteVector.fromArray(B, qa, qo + c + k * L)).mul(d).intoArray(dst, off + c + k * L);
            }
        }
    }

    private static void widenF16(short[] h, int count, float[] dst, int off) {
        int c = 0;
        for (; c + L <= count; c += L) {
            halfBits(ShortVector.fromArray(S, h, c)).mul(Half.REBIAS).intoArray(dst, off + c);
        }
        for (; c < count; c++) {
            dst[off + c] = Half.widen(h[c]);
        }
    }

    /** The halves' bits moved into float position, {@code w · 2^-112} (see {@link Half}). */
    private static FloatVector halfBits(ShortVector h) {
        IntVector bits = (IntVector) h.convertShape(VectorOperators.S2I, I, 0);
        return bits.lanewise(VectorOperators.LSHL, 13).lanewise(VectorOperators.AND, Half.MASK).reinterpretAsFloats();
    }

    private static float halfBits(short h) {
        return Float.intBitsToFloat((h << 13) & Half.MASK);
    }

    private static FloatVector q8(ByteVector q) {
        return (FloatVector) q.convertShape(VectorOperators.B2F, F, 0);
    }

    private static FloatVector xv(float[] x, int off) {
        return FloatVector.fromArray(F, x, off);
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
}
