package io.ferret4j.core.kernels;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.AND;
import static jdk.incubator.vector.VectorOperators.B2F;
import static jdk.incubator.vector.VectorOperators.I2S;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.S2I;

import java.nio.ByteOrder;

import io.ferret4j.core.weights.Float16;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the incubating Vector API with {@code FloatVector.SPECIES_PREFERRED} lanes and fused multiply-adds.
 * For one input row (decoding) the widening is fused into the dot product. Vectors are loaded straight from a
 * mapped weight through {@link SegmentLoads} where the JDK has memory segments (19+); otherwise each row is first
 * copied into a per-thread array with a memcpy, and heap weights are read in place. For several input rows each
 * weight row is widened once into a scratch row and reused. Q4_0 goes to {@link Q4VectorKernels}. Loaded only through
 * {@link KernelSelection}.
 *
 * <p>Every vector expression is written out inside the method that loops over it: a small private method returning
 * a vector is inlined only while C2 sees fit (JDK 25 declined once that method had been compiled on its own), and a
 * call that is not inlined boxes every vector, which is many times slower (docs/performance.md).
 */
final class VectorRowKernels implements RowKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    private static final VectorSpecies<Byte> B = L >= 8
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : ByteVector.SPECIES_64;
    private static final int BLOCK = Q8_0.BLOCK;
    private static final int SCALE_GROUP = 16;                        // rows whose Q8_0 scales are widened at once
    private static final float X_SCALE = 0x1p56f;                     // see dotF16
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private final boolean direct;

    /** Kernels that load from mapped buffers directly where this JDK allows. */
    VectorRowKernels() {
        this(true);
    }

    /** With {@code direct} false, rows of mapped weights are always copied (the path of JDK 17). */
    VectorRowKernels(boolean direct) {
        if (L < 8) {
            throw new IllegalStateException("preferred vectors hold " + L + " floats, the kernels need >= 8");
        }
        this.direct = direct && SegmentLoads.AVAILABLE;
    }

    @Override
    public void multiply(CompactMatrix w, float[] x, int n, float[] y, int r0, int r1) {
        KernelScratch s = KernelScratch.forCols(w.cols());
        if (w instanceof Q4_0 q) {
            Q4VectorKernels.multiply(q, x, n, y, r0, r1, s, direct);
        } else if (n > 1) {
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
    public float sum(float[] a, int from, int to) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int i = from;
        for (; i + 4 * L <= to; i += 4 * L) {
            a0 = a0.add(FloatVector.fromArray(F, a, i));
            a1 = a1.add(FloatVector.fromArray(F, a, i + L));
            a2 = a2.add(FloatVector.fromArray(F, a, i + 2 * L));
            a3 = a3.add(FloatVector.fromArray(F, a, i + 3 * L));
        }
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(ADD);
        for (; i < to; i++) {
            s += a[i];
        }
        return s;
    }

    @Override
    public void decodeRowBf16(CompactMatrix w, int r, short[] dst, int off) {
        KernelScratch s = KernelScratch.forCols(w.cols());
        decode(w, r, s.row, 0, s);
        roundToBf16(s.row, w.cols(), dst, off);
    }

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            a0 = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), a0);
            a1 = FloatVector.fromArray(F, a, ao + i + L).fma(FloatVector.fromArray(F, b, bo + i + L), a1);
        }
        for (; i + L <= n; i += L) {
            a0 = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), a0);
        }
        float sum = a0.add(a1).reduceLanes(ADD);
        for (; i < n; i++) {
            sum += a[ao + i] * b[bo + i];
        }
        return sum;
    }

    @Override
    public void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector a = FloatVector.broadcast(F, alpha);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(F, x, xo + i).fma(a, FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = Math.fma(alpha, x[xo + i], y[yo + i]);
        }
    }

    @Override
    public String name() {
        return "vector-" + F.vectorBitSize() + (direct ? "" : "-copying");
    }

    // ---------------------------------------------------------------- one input row

    /** {@code y[r] = 2^56 · dotF16(row r, x · 2^56)}; see {@link #dotF16(short[], float[], int)}. */
    private void matvecF16(F16Matrix w, float[] x, float[] y, int r0, int r1, KernelScratch s) {
        int cols = w.cols();
        float[] xs = s.scaled;
        scale(x, cols, X_SCALE, xs);
        if (direct) {
            Object src = SegmentLoads.source(w.bytes());
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

    /**
     * {@code y[r] = 2^56 · dotQ8(row r, x · 2^56)} with the rows' raw scale bits, fetched for SCALE_GROUP rows at a
     * time (one copy instead of one per row); see {@link #dotQ8(byte[], int, short[], int, float[], int)}.
     */
    private void matvecQ8(Q8_0 w, float[] x, float[] y, int r0, int r1, KernelScratch s) {
        int cols = w.cols();
        int blocks = cols / BLOCK;
        float[] xs = s.scaled;
        scale(x, cols, X_SCALE, xs);
        boolean heap = w.quantsOnHeap();
        Object src = direct && !heap ? SegmentLoads.source(w.quantBytes()) : null;
        for (int g = r0; g < r1; g += SCALE_GROUP) {
            int count = Math.min(SCALE_GROUP, r1 - g);
            w.copyScales(g, count, s.halves);
            for (int r = g; r < g + count; r++) {
                int dOff = (r - g) * blocks;
                if (src != null) {
                    y[r] = dotQ8(src, (long) r * cols, s.halves, dOff, xs, cols) * X_SCALE;
                } else {
                    y[r] = dotQ8(w.rowQuants(r, s.quants), w.rowQuantsOffset(r), s.halves, dOff, xs, cols) * X_SCALE;
                }
            }
        }
    }

    /**
     * {@code 2^-56 Σ w_c x_c} from raw half bits and {@code xs = x · 2^56}: a half's bits moved into float position
     * are {@code w · 2^-112} (see {@link Half}), so putting {@code 2^56} on each side saves the re-biasing multiply.
     * Powers of two scale exactly: each product and partial sum is the unscaled one times {@code 2^-56} (unless
     * below {@code 2^-70} in magnitude).
     */
    private static float dotF16(short[] h, float[] xs, int cols) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int c = 0;
        for (; c + 2 * L <= cols; c += 2 * L) {
            IntVector h0 = (IntVector) ShortVector.fromArray(S, h, c).convertShape(S2I, I, 0);
            IntVector h1 = (IntVector) ShortVector.fromArray(S, h, c + L).convertShape(S2I, I, 0);
            a0 = h0.lanewise(LSHL, 13).lanewise(AND, Half.MASK).reinterpretAsFloats()
                    .fma(FloatVector.fromArray(F, xs, c), a0);
            a1 = h1.lanewise(LSHL, 13).lanewise(AND, Half.MASK).reinterpretAsFloats()
                    .fma(FloatVector.fromArray(F, xs, c + L), a1);
        }
        for (; c + L <= cols; c += L) {
            IntVector h0 = (IntVector) ShortVector.fromArray(S, h, c).convertShape(S2I, I, 0);
            a0 = h0.lanewise(LSHL, 13).lanewise(AND, Half.MASK).reinterpretAsFloats()
                    .fma(FloatVector.fromArray(F, xs, c), a0);
        }
        float sum = a0.add(a1).reduceLanes(ADD);
        for (; c < cols; c++) {
            sum += Float.intBitsToFloat((h[c] << 13) & Half.MASK) * xs[c];
        }
        return sum;
    }

    /** {@link #dotF16(short[], float[], int)} on row {@code r} loaded from the segment {@code src}. */
    private static float dotF16(F16Matrix w, Object src, int r, float[] xs) {
        int cols = w.cols();
        long base = 2L * r * cols;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int c = 0;
        try {
            for (; c + 2 * L <= cols; c += 2 * L) {
                ShortVector s0 = (ShortVector) SegmentLoads.SHORTS.invokeExact(S, src, base + 2L * c, LE);
                ShortVector s1 = (ShortVector) SegmentLoads.SHORTS.invokeExact(S, src, base + 2L * (c + L), LE);
                IntVector h0 = (IntVector) s0.convertShape(S2I, I, 0);
                IntVector h1 = (IntVector) s1.convertShape(S2I, I, 0);
                a0 = h0.lanewise(LSHL, 13).lanewise(AND, Half.MASK).reinterpretAsFloats()
                        .fma(FloatVector.fromArray(F, xs, c), a0);
                a1 = h1.lanewise(LSHL, 13).lanewise(AND, Half.MASK).reinterpretAsFloats()
                        .fma(FloatVector.fromArray(F, xs, c + L), a1);
            }
            for (; c + L <= cols; c += L) {
                ShortVector s0 = (ShortVector) SegmentLoads.SHORTS.invokeExact(S, src, base + 2L * c, LE);
                IntVector h0 = (IntVector) s0.convertShape(S2I, I, 0);
                a0 = h0.lanewise(LSHL, 13).lanewise(AND, Half.MASK).reinterpretAsFloats()
                        .fma(FloatVector.fromArray(F, xs, c), a0);
            }
        } catch (Throwable t) {
            throw SegmentLoads.rethrow(t);
        }
        float sum = a0.add(a1).reduceLanes(ADD);
        for (; c < cols; c++) {
            sum += Float.intBitsToFloat((w.half(r * cols + c) << 13) & Half.MASK) * xs[c];
        }
        return sum;
    }

    /**
     * {@code 2^-56 Σ_b d_b · (Σ_j q_j xs_j)} from {@code xs = x · 2^56} and this row's raw scale bits at
     * {@code d[dOff, dOff + cols / 32)}: each block's products are summed, then scaled once into one of two
     * accumulators (unrolling four blocks measured no faster on JDK 17 or 25). A scale's bits moved into float
     * position are {@code d · 2^-112} (see {@link Half}), widened in integer registers as the block is reached
     * instead of in a separate pass over the scales. Powers of two scale exactly, as in
     * {@link #dotF16(short[], float[], int)}.
     */
    private static float dotQ8(byte[] q, int qo, short[] d, int dOff, float[] x, int cols) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int blocks = cols / BLOCK;
        int b = 0;
        for (; b + 2 <= blocks; b += 2) {
            int c = b * BLOCK;
            FloatVector p0 = ((FloatVector) ByteVector.fromArray(B, q, qo + c).convertShape(B2F, F, 0))
                    .mul(FloatVector.fromArray(F, x, c));
            FloatVector p1 = ((FloatVector) ByteVector.fromArray(B, q, qo + c + BLOCK).convertShape(B2F, F, 0))
                    .mul(FloatVector.fromArray(F, x, c + BLOCK));
            for (int k = L; k < BLOCK; k += L) {
                p0 = ((FloatVector) ByteVector.fromArray(B, q, qo + c + k).convertShape(B2F, F, 0))
                        .fma(FloatVector.fromArray(F, x, c + k), p0);
                p1 = ((FloatVector) ByteVector.fromArray(B, q, qo + c + BLOCK + k).convertShape(B2F, F, 0))
                        .fma(FloatVector.fromArray(F, x, c + BLOCK + k), p1);
            }
            a0 = p0.fma(FloatVector.broadcast(F, scaleBits(d[dOff + b])), a0);
            a1 = p1.fma(FloatVector.broadcast(F, scaleBits(d[dOff + b + 1])), a1);
        }
        for (; b < blocks; b++) {
            int c = b * BLOCK;
            FloatVector p0 = FloatVector.zero(F);
            for (int k = 0; k < BLOCK; k += L) {
                p0 = ((FloatVector) ByteVector.fromArray(B, q, qo + c + k).convertShape(B2F, F, 0))
                        .fma(FloatVector.fromArray(F, x, c + k), p0);
            }
            a0 = p0.fma(FloatVector.broadcast(F, scaleBits(d[dOff + b])), a0);
        }
        return a0.add(a1).reduceLanes(ADD);
    }

    /** {@link #dotQ8(byte[], int, short[], int, float[], int)} on quants loaded from the segment {@code src}. */
    private static float dotQ8(Object src, long qo, short[] d, int dOff, float[] x, int cols) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int blocks = cols / BLOCK;
        int b = 0;
        try {
            for (; b + 2 <= blocks; b += 2) {
                int c = b * BLOCK;
                ByteVector q0 = (ByteVector) SegmentLoads.BYTES.invokeExact(B, src, qo + c, LE);
                ByteVector q1 = (ByteVector) SegmentLoads.BYTES.invokeExact(B, src, qo + c + BLOCK, LE);
                FloatVector p0 = ((FloatVector) q0.convertShape(B2F, F, 0)).mul(FloatVector.fromArray(F, x, c));
                FloatVector p1 = ((FloatVector) q1.convertShape(B2F, F, 0)).mul(FloatVector.fromArray(F, x, c + BLOCK));
                for (int k = L; k < BLOCK; k += L) {
                    q0 = (ByteVector) SegmentLoads.BYTES.invokeExact(B, src, qo + c + k, LE);
                    q1 = (ByteVector) SegmentLoads.BYTES.invokeExact(B, src, qo + c + BLOCK + k, LE);
                    p0 = ((FloatVector) q0.convertShape(B2F, F, 0)).fma(FloatVector.fromArray(F, x, c + k), p0);
                    p1 = ((FloatVector) q1.convertShape(B2F, F, 0)).fma(FloatVector.fromArray(F, x, c + BLOCK + k), p1);
                }
                a0 = p0.fma(FloatVector.broadcast(F, scaleBits(d[dOff + b])), a0);
                a1 = p1.fma(FloatVector.broadcast(F, scaleBits(d[dOff + b + 1])), a1);
            }
            for (; b < blocks; b++) {
                int c = b * BLOCK;
                FloatVector p0 = FloatVector.zero(F);
                for (int k = 0; k < BLOCK; k += L) {
                    ByteVector q0 = (ByteVector) SegmentLoads.BYTES.invokeExact(B, src, qo + c + k, LE);
                    p0 = ((FloatVector) q0.convertShape(B2F, F, 0)).fma(FloatVector.fromArray(F, x, c + k), p0);
                }
                a0 = p0.fma(FloatVector.broadcast(F, scaleBits(d[dOff + b])), a0);
            }
        } catch (Throwable t) {
            throw SegmentLoads.rethrow(t);
        }
        return a0.add(a1).reduceLanes(ADD);
    }

    /** A Q8_0 scale's bits in float position: {@code d · 2^-112}. */
    private static float scaleBits(short d) {
        return Float.intBitsToFloat((d << 13) & Half.MASK);
    }

    // ---------------------------------------------------------------- several input rows

    /** Each weight row is widened once, then dotted with the input rows four at a time (one load of w per four). */
    private void multiplyRows(CompactMatrix w, float[] x, int n, float[] y, int r0, int r1, KernelScratch s) {
        int cols = w.cols();
        int rows = w.rows();
        float[] sums = new float[4];
        for (int r = r0; r < r1; r++) {
            decode(w, r, s.row, 0, s);
            int i = 0;
            for (; i + 4 <= n; i += 4) {
                dot4(s.row, x, i * cols, cols, sums);
                for (int k = 0; k < 4; k++) {
                    y[(i + k) * rows + r] = sums[k];
                }
            }
            for (; i < n; i++) {
                y[i * rows + r] = dot(s.row, 0, x, i * cols, cols);
            }
        }
    }

    /** {@code sums[k] = Σ_c w[c] x[xo + k * cols + c]} for k < 4. */
    private static void dot4(float[] w, float[] x, int xo, int cols, float[] sums) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int c = 0;
        for (; c + L <= cols; c += L) {
            FloatVector wv = FloatVector.fromArray(F, w, c);
            a0 = wv.fma(FloatVector.fromArray(F, x, xo + c), a0);
            a1 = wv.fma(FloatVector.fromArray(F, x, xo + cols + c), a1);
            a2 = wv.fma(FloatVector.fromArray(F, x, xo + 2 * cols + c), a2);
            a3 = wv.fma(FloatVector.fromArray(F, x, xo + 3 * cols + c), a3);
        }
        float s0 = a0.reduceLanes(ADD);
        float s1 = a1.reduceLanes(ADD);
        float s2 = a2.reduceLanes(ADD);
        float s3 = a3.reduceLanes(ADD);
        for (; c < cols; c++) {
            s0 += w[c] * x[xo + c];
            s1 += w[c] * x[xo + cols + c];
            s2 += w[c] * x[xo + 2 * cols + c];
            s3 += w[c] * x[xo + 3 * cols + c];
        }
        sums[0] = s0;
        sums[1] = s1;
        sums[2] = s2;
        sums[3] = s3;
    }

    // ---------------------------------------------------------------- widening

    private void decode(CompactMatrix w, int r, float[] dst, int off, KernelScratch s) {
        if (w instanceof Q4_0 q) {
            Q4VectorKernels.decode(q, r, dst, off, s);
            return;
        }
        if (w instanceof F16Matrix f) {
            f.copyRow(r, s.halves);
            widenF16(s.halves, w.cols(), dst, off);
            return;
        }
        Q8_0 q = (Q8_0) w;
        byte[] qa = q.rowQuants(r, s.quants);
        int qo = q.rowQuantsOffset(r);
        q.copyRowScales(r, s.halves);
        for (int b = 0; b < w.cols() / BLOCK; b++) {
            float d = Half.widen(s.halves[b]);
            for (int c = b * BLOCK; c < (b + 1) * BLOCK; c += L) {
                ((FloatVector) ByteVector.fromArray(B, qa, qo + c).convertShape(B2F, F, 0)).mul(d)
                        .intoArray(dst, off + c);
            }
        }
    }

    @Override
    public void widenF16(short[] h, int count, float[] dst, int off) {
        int c = 0;
        for (; c + L <= count; c += L) {
            IntVector h0 = (IntVector) ShortVector.fromArray(S, h, c).convertShape(S2I, I, 0);
            h0.lanewise(LSHL, 13).lanewise(AND, Half.MASK).reinterpretAsFloats().mul(Half.REBIAS)
                    .intoArray(dst, off + c);
        }
        for (; c < count; c++) {
            dst[off + c] = Half.widen(h[c]);
        }
    }

    /**
     * Nearest bfloat16, ties to even, of finite floats (widened weights always are): adds {@code 0x7FFF} plus the
     * lowest kept bit, then keeps the top 16 bits.
     */
    private static void roundToBf16(float[] f, int count, short[] dst, int off) {
        int c = 0;
        for (; c + L <= count; c += L) {
            IntVector bits = FloatVector.fromArray(F, f, c).reinterpretAsInts();
            IntVector half = bits.lanewise(LSHR, 16).lanewise(AND, 1).add(0x7FFF);
            ((ShortVector) bits.add(half).lanewise(LSHR, 16).convertShape(I2S, S, 0)).intoArray(dst, off + c);
        }
        for (; c < count; c++) {
            dst[off + c] = Float16.floatToBf16(f[c]);
        }
    }

    private static void scale(float[] x, int count, float factor, float[] dst) {
        int c = 0;
        for (; c + L <= count; c += L) {
            FloatVector.fromArray(F, x, c).mul(factor).intoArray(dst, c);
        }
        for (; c < count; c++) {
            dst[c] = x[c] * factor;
        }
    }
}
