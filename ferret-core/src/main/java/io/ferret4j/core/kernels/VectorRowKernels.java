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
 * The widening is fused into the dot products. Vectors are loaded straight from a mapped weight through
 * {@link SegmentLoads} where the JDK has memory segments (19+); otherwise each row is first copied into a per-thread
 * array with a memcpy, and heap weights are read in place.
 *
 * <p>Several input rows (batched decoding) share each load of a weight row: the four-row kernels
 * ({@code dotF16x4}, {@code dotQ8x4}) widen each weight vector once and feed it to four sets of accumulators, each
 * taking exactly the steps of the one-row kernel ({@code dotF16}, {@code dotQ8}) for its input row, so every output
 * is bit-identical to the one-row result whatever {@code n} is (the {@link RowKernels#multiply} contract). The
 * per-row steps are written out four times because the accumulators must stay in registers: vectors held in an
 * array or passed to a helper method are boxed (next paragraph). Q4_0 goes to {@link Q4VectorKernels}. Loaded only
 * through {@link KernelSelection}.
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
    private static final int GROUP = 4;                               // input rows served by one load of a weight row
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
        int cols = w.cols();
        if (w instanceof Q4_0 q) {
            Q4VectorKernels.multiply(q, x, n, y, r0, r1, KernelScratch.forCols(cols), direct);
            return;
        }
        float[] xs = KernelScratch.forCols(cols).scaled(n * cols);
        scale(x, n * cols, X_SCALE, xs);
        if (w instanceof F16Matrix f) {
            multiplyF16(f, xs, n, y, r0, r1);
        } else {
            multiplyQ8((Q8_0) w, xs, n, y, r0, r1);
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

    // ---------------------------------------------------------------- products

    /**
     * {@code y[i * rows + r] = 2^56 · dotF16(row r, x_i · 2^56)} for each input row {@code i}: the weight row is
     * loaded (or copied) once and serves the input rows {@value #GROUP} at a time ({@link #group}).
     */
    private void multiplyF16(F16Matrix w, float[] xs, int n, float[] y, int r0, int r1) {
        int cols = w.cols();
        short[] h = KernelScratch.forCols(cols).halves;
        Object src = direct ? SegmentLoads.source(w.bytes()) : null;
        int[] xo = new int[GROUP];
        float[] sums = new float[GROUP];
        float[] lanes = new float[GROUP * L];
        for (int r = r0; r < r1; r++) {
            if (src == null) {
                w.copyRow(r, h);
            }
            for (int i = 0; i < n; i += GROUP) {
                if (group(i, n, cols, xo) == 1) {
                    sums[0] = src != null ? dotF16(w, src, r, xs, xo[0], lanes) : dotF16(h, xs, xo[0], cols, lanes);
                } else if (src != null) {
                    dotF16x4(w, src, r, xs, xo, lanes, sums);
                } else {
                    dotF16x4(h, xs, xo, cols, lanes, sums);
                }
                store(sums, i, n, y, w.rows(), r);
            }
        }
    }

    /**
     * {@code y[i * rows + r] = 2^56 · dotQ8(row r, x_i · 2^56)} for each input row {@code i}, with the rows' raw
     * scale bits fetched for SCALE_GROUP rows at a time (one copy instead of one per row); each quant row is loaded
     * (or copied) once and serves the input rows {@value #GROUP} at a time ({@link #group}). The kernels leave their
     * lane sums in {@code lanes}, added up only after the SCALE_GROUP rows so that the rows' chains of L dependent
     * adds overlap; added right after each kernel they looked slower for one input row (docs/performance.md,
     * "Several input rows per pass").
     */
    private void multiplyQ8(Q8_0 w, float[] xs, int n, float[] y, int r0, int r1) {
        int cols = w.cols();
        int blocks = cols / BLOCK;
        int padded = (n + GROUP - 1) / GROUP * GROUP;
        KernelScratch s = KernelScratch.forCols(cols);
        Object src = direct && !w.quantsOnHeap() ? SegmentLoads.source(w.quantBytes()) : null;
        int[] xo = new int[GROUP];
        float[] lanes = new float[SCALE_GROUP * padded * L];           // [row of the group][input row][lane]
        for (int g = r0; g < r1; g += SCALE_GROUP) {
            int count = Math.min(SCALE_GROUP, r1 - g);
            w.copyScales(g, count, s.halves);
            for (int r = g; r < g + count; r++) {
                int dOff = (r - g) * blocks;
                byte[] q = src == null ? w.rowQuants(r, s.quants) : null;
                int qo = w.rowQuantsOffset(r);
                for (int i = 0; i < n; i += GROUP) {
                    int lo = ((r - g) * padded + i) * L;
                    boolean lone = group(i, n, cols, xo) == 1;
                    if (lone && src != null) {
                        dotQ8(src, (long) r * cols, s.halves, dOff, xs, xo[0], cols, lanes, lo);
                    } else if (lone) {
                        dotQ8(q, qo, s.halves, dOff, xs, xo[0], cols, lanes, lo);
                    } else if (src != null) {
                        dotQ8x4(src, (long) r * cols, s.halves, dOff, xs, xo, cols, lanes, lo);
                    } else {
                        dotQ8x4(q, qo, s.halves, dOff, xs, xo, cols, lanes, lo);
                    }
                }
            }
            for (int r = g; r < g + count; r++) {
                for (int i = 0; i < n; i++) {
                    y[i * w.rows() + r] = sumLanes(lanes, ((r - g) * padded + i) * L) * X_SCALE;
                }
            }
        }
    }

    /**
     * Sets {@code xo} to the offsets of input rows {@code i, i + 1, ...} (at most {@value #GROUP}, fewer at the end,
     * where the last is repeated to fill the group: its result is simply written again) and returns how many rows
     * are distinct. A lone row goes to the one-row kernel, whose arithmetic the four-row kernels repeat per row.
     */
    private static int group(int i, int n, int cols, int[] xo) {
        int count = Math.min(GROUP, n - i);
        for (int k = 0; k < GROUP; k++) {
            xo[k] = (i + Math.min(k, count - 1)) * cols;
        }
        return count;
    }

    /** {@code y[(i + k) * rows + r] = 2^56 · sums[k]} for the distinct rows of the group at {@code i}. */
    private static void store(float[] sums, int i, int n, float[] y, int rows, int r) {
        for (int k = 0; k < Math.min(GROUP, n - i); k++) {
            y[(i + k) * rows + r] = sums[k] * X_SCALE;
        }
    }

    // ---------------------------------------------------------------- F16 dot products

    /**
     * {@code 2^-56 Σ w_c x_c} from raw half bits and the input row {@code xs[xo, xo + cols) = x · 2^56}: a half's
     * bits moved into float position are {@code w · 2^-112} (see {@link Half}), so putting {@code 2^56} on each side
     * saves the re-biasing multiply. Powers of two scale exactly: each product and partial sum is the unscaled one
     * times {@code 2^-56} (unless below {@code 2^-70} in magnitude).
     */
    private static float dotF16(short[] h, float[] xs, int xo, int cols, float[] lanes) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int c = 0;
        for (; c + 2 * L <= cols; c += 2 * L) {
            IntVector h0 = (IntVector) ShortVector.fromArray(S, h, c).convertShape(S2I, I, 0);
            IntVector h1 = (IntVector) ShortVector.fromArray(S, h, c + L).convertShape(S2I, I, 0);
            a0 = h0.lanewise(LSHL, 13).lanewise(AND, Half.MASK).reinterpretAsFloats()
                    .fma(FloatVector.fromArray(F, xs, xo + c), a0);
            a1 = h1.lanewise(LSHL, 13).lanewise(AND, Half.MASK).reinterpretAsFloats()
                    .fma(FloatVector.fromArray(F, xs, xo + c + L), a1);
        }
        for (; c + L <= cols; c += L) {
            IntVector h0 = (IntVector) ShortVector.fromArray(S, h, c).convertShape(S2I, I, 0);
            a0 = h0.lanewise(LSHL, 13).lanewise(AND, Half.MASK).reinterpretAsFloats()
                    .fma(FloatVector.fromArray(F, xs, xo + c), a0);
        }
        a0.add(a1).intoArray(lanes, 0);
        float sum = sumLanes(lanes, 0);
        for (; c < cols; c++) {
            sum += Float.intBitsToFloat((h[c] << 13) & Half.MASK) * xs[xo + c];
        }
        return sum;
    }

    /** {@link #dotF16(short[], float[], int, int, float[])} on row {@code r} loaded from the segment {@code src}. */
    private static float dotF16(F16Matrix w, Object src, int r, float[] xs, int xo, float[] lanes) {
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
                        .fma(FloatVector.fromArray(F, xs, xo + c), a0);
                a1 = h1.lanewise(LSHL, 13).lanewise(AND, Half.MASK).reinterpretAsFloats()
                        .fma(FloatVector.fromArray(F, xs, xo + c + L), a1);
            }
            for (; c + L <= cols; c += L) {
                ShortVector s0 = (ShortVector) SegmentLoads.SHORTS.invokeExact(S, src, base + 2L * c, LE);
                IntVector h0 = (IntVector) s0.convertShape(S2I, I, 0);
                a0 = h0.lanewise(LSHL, 13).lanewise(AND, Half.MASK).reinterpretAsFloats()
                        .fma(FloatVector.fromArray(F, xs, xo + c), a0);
            }
        } catch (Throwable t) {
            throw SegmentLoads.rethrow(t);
        }
        a0.add(a1).intoArray(lanes, 0);
        float sum = sumLanes(lanes, 0);
        for (; c < cols; c++) {
            sum += Float.intBitsToFloat((w.half(r * cols + c) << 13) & Half.MASK) * xs[xo + c];
        }
        return sum;
    }

    /**
     * {@code sums[k] = dotF16(h, xs, xo[k], cols)} for {@code k < 4}, bit for bit: each weight vector is widened
     * once and fed to four chains {@code a0k}/{@code a1k} that take exactly the steps of the one-row kernel.
     */
    private static void dotF16x4(short[] h, float[] xs, int[] xo, int cols, float[] lanes, float[] sums) {
        int x0 = xo[0];
        int x1 = xo[1];
        int x2 = xo[2];
        int x3 = xo[3];
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a11 = FloatVector.zero(F);
        FloatVector a02 = FloatVector.zero(F);
        FloatVector a12 = FloatVector.zero(F);
        FloatVector a03 = FloatVector.zero(F);
        FloatVector a13 = FloatVector.zero(F);
        int c = 0;
        for (; c + 2 * L <= cols; c += 2 * L) {
            IntVector h0 = (IntVector) ShortVector.fromArray(S, h, c).convertShape(S2I, I, 0);
            IntVector h1 = (IntVector) ShortVector.fromArray(S, h, c + L).convertShape(S2I, I, 0);
            FloatVector w0 = h0.lanewise(LSHL, 13).lanewise(AND, Half.MASK).reinterpretAsFloats();
            FloatVector w1 = h1.lanewise(LSHL, 13).lanewise(AND, Half.MASK).reinterpretAsFloats();
            a00 = w0.fma(FloatVector.fromArray(F, xs, x0 + c), a00);
            a10 = w1.fma(FloatVector.fromArray(F, xs, x0 + c + L), a10);
            a01 = w0.fma(FloatVector.fromArray(F, xs, x1 + c), a01);
            a11 = w1.fma(FloatVector.fromArray(F, xs, x1 + c + L), a11);
            a02 = w0.fma(FloatVector.fromArray(F, xs, x2 + c), a02);
            a12 = w1.fma(FloatVector.fromArray(F, xs, x2 + c + L), a12);
            a03 = w0.fma(FloatVector.fromArray(F, xs, x3 + c), a03);
            a13 = w1.fma(FloatVector.fromArray(F, xs, x3 + c + L), a13);
        }
        for (; c + L <= cols; c += L) {
            IntVector h0 = (IntVector) ShortVector.fromArray(S, h, c).convertShape(S2I, I, 0);
            FloatVector w0 = h0.lanewise(LSHL, 13).lanewise(AND, Half.MASK).reinterpretAsFloats();
            a00 = w0.fma(FloatVector.fromArray(F, xs, x0 + c), a00);
            a01 = w0.fma(FloatVector.fromArray(F, xs, x1 + c), a01);
            a02 = w0.fma(FloatVector.fromArray(F, xs, x2 + c), a02);
            a03 = w0.fma(FloatVector.fromArray(F, xs, x3 + c), a03);
        }
        a00.add(a10).intoArray(lanes, 0);
        a01.add(a11).intoArray(lanes, L);
        a02.add(a12).intoArray(lanes, 2 * L);
        a03.add(a13).intoArray(lanes, 3 * L);
        for (int k = 0; k < GROUP; k++) {
            sums[k] = sumLanes(lanes, k * L);
        }
        for (int k = 0; k < GROUP; k++) {
            for (int t = c; t < cols; t++) {
                sums[k] += Float.intBitsToFloat((h[t] << 13) & Half.MASK) * xs[xo[k] + t];
            }
        }
    }

    /**
     * {@link #dotF16x4(short[], float[], int[], int, float[], float[])} on row {@code r} loaded from the segment
     * {@code src}.
     */
    private static void dotF16x4(F16Matrix w, Object src, int r, float[] xs, int[] xo, float[] lanes,
            float[] sums) {
        int cols = w.cols();
        long base = 2L * r * cols;
        int x0 = xo[0];
        int x1 = xo[1];
        int x2 = xo[2];
        int x3 = xo[3];
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a11 = FloatVector.zero(F);
        FloatVector a02 = FloatVector.zero(F);
        FloatVector a12 = FloatVector.zero(F);
        FloatVector a03 = FloatVector.zero(F);
        FloatVector a13 = FloatVector.zero(F);
        int c = 0;
        try {
            for (; c + 2 * L <= cols; c += 2 * L) {
                ShortVector s0 = (ShortVector) SegmentLoads.SHORTS.invokeExact(S, src, base + 2L * c, LE);
                ShortVector s1 = (ShortVector) SegmentLoads.SHORTS.invokeExact(S, src, base + 2L * (c + L), LE);
                FloatVector w0 = ((IntVector) s0.convertShape(S2I, I, 0)).lanewise(LSHL, 13).lanewise(AND, Half.MASK)
                        .reinterpretAsFloats();
                FloatVector w1 = ((IntVector) s1.convertShape(S2I, I, 0)).lanewise(LSHL, 13).lanewise(AND, Half.MASK)
                        .reinterpretAsFloats();
                a00 = w0.fma(FloatVector.fromArray(F, xs, x0 + c), a00);
                a10 = w1.fma(FloatVector.fromArray(F, xs, x0 + c + L), a10);
                a01 = w0.fma(FloatVector.fromArray(F, xs, x1 + c), a01);
                a11 = w1.fma(FloatVector.fromArray(F, xs, x1 + c + L), a11);
                a02 = w0.fma(FloatVector.fromArray(F, xs, x2 + c), a02);
                a12 = w1.fma(FloatVector.fromArray(F, xs, x2 + c + L), a12);
                a03 = w0.fma(FloatVector.fromArray(F, xs, x3 + c), a03);
                a13 = w1.fma(FloatVector.fromArray(F, xs, x3 + c + L), a13);
            }
            for (; c + L <= cols; c += L) {
                ShortVector s0 = (ShortVector) SegmentLoads.SHORTS.invokeExact(S, src, base + 2L * c, LE);
                FloatVector w0 = ((IntVector) s0.convertShape(S2I, I, 0)).lanewise(LSHL, 13).lanewise(AND, Half.MASK)
                        .reinterpretAsFloats();
                a00 = w0.fma(FloatVector.fromArray(F, xs, x0 + c), a00);
                a01 = w0.fma(FloatVector.fromArray(F, xs, x1 + c), a01);
                a02 = w0.fma(FloatVector.fromArray(F, xs, x2 + c), a02);
                a03 = w0.fma(FloatVector.fromArray(F, xs, x3 + c), a03);
            }
        } catch (Throwable t) {
            throw SegmentLoads.rethrow(t);
        }
        a00.add(a10).intoArray(lanes, 0);
        a01.add(a11).intoArray(lanes, L);
        a02.add(a12).intoArray(lanes, 2 * L);
        a03.add(a13).intoArray(lanes, 3 * L);
        for (int k = 0; k < GROUP; k++) {
            sums[k] = sumLanes(lanes, k * L);
        }
        for (int k = 0; k < GROUP; k++) {
            for (int t = c; t < cols; t++) {
                sums[k] += Float.intBitsToFloat((w.half(r * cols + t) << 13) & Half.MASK) * xs[xo[k] + t];
            }
        }
    }

    // ---------------------------------------------------------------- Q8_0 dot products

    /**
     * {@code 2^-56 Σ_b d_b · (Σ_j q_j xs_j)} from the input row {@code xs[xo, xo + cols) = x · 2^56} and this row's
     * raw scale bits at {@code d[dOff, dOff + cols / 32)}, left as L lane sums in {@code lanes[lo, lo + L)} for
     * {@link #sumLanes}: each block's products are summed, then scaled once into one of two accumulators
     * (unrolling four blocks measured no faster on JDK 17 or 25). A scale's bits moved into float position are
     * {@code d · 2^-112} (see {@link Half}), widened in integer registers as the block is reached instead of in a
     * separate pass over the scales. Powers of two scale exactly, as in
     * {@link #dotF16(short[], float[], int, int, float[])}.
     */
    private static void dotQ8(byte[] q, int qo, short[] d, int dOff, float[] x, int xo, int cols, float[] lanes,
            int lo) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int blocks = cols / BLOCK;
        int b = 0;
        for (; b + 2 <= blocks; b += 2) {
            int c = b * BLOCK;
            FloatVector p0 = ((FloatVector) ByteVector.fromArray(B, q, qo + c).convertShape(B2F, F, 0))
                    .mul(FloatVector.fromArray(F, x, xo + c));
            FloatVector p1 = ((FloatVector) ByteVector.fromArray(B, q, qo + c + BLOCK).convertShape(B2F, F, 0))
                    .mul(FloatVector.fromArray(F, x, xo + c + BLOCK));
            for (int k = L; k < BLOCK; k += L) {
                p0 = ((FloatVector) ByteVector.fromArray(B, q, qo + c + k).convertShape(B2F, F, 0))
                        .fma(FloatVector.fromArray(F, x, xo + c + k), p0);
                p1 = ((FloatVector) ByteVector.fromArray(B, q, qo + c + BLOCK + k).convertShape(B2F, F, 0))
                        .fma(FloatVector.fromArray(F, x, xo + c + BLOCK + k), p1);
            }
            a0 = p0.fma(FloatVector.broadcast(F, scaleBits(d[dOff + b])), a0);
            a1 = p1.fma(FloatVector.broadcast(F, scaleBits(d[dOff + b + 1])), a1);
        }
        for (; b < blocks; b++) {
            int c = b * BLOCK;
            FloatVector p0 = FloatVector.zero(F);
            for (int k = 0; k < BLOCK; k += L) {
                p0 = ((FloatVector) ByteVector.fromArray(B, q, qo + c + k).convertShape(B2F, F, 0))
                        .fma(FloatVector.fromArray(F, x, xo + c + k), p0);
            }
            a0 = p0.fma(FloatVector.broadcast(F, scaleBits(d[dOff + b])), a0);
        }
        a0.add(a1).intoArray(lanes, lo);
    }

    /**
     * {@link #dotQ8(byte[], int, short[], int, float[], int, int, float[], int)} on quants loaded from the segment
     * {@code src}.
     */
    private static void dotQ8(Object src, long qo, short[] d, int dOff, float[] x, int xo, int cols, float[] lanes,
            int lo) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int blocks = cols / BLOCK;
        int b = 0;
        try {
            for (; b + 2 <= blocks; b += 2) {
                int c = b * BLOCK;
                ByteVector q0 = (ByteVector) SegmentLoads.BYTES.invokeExact(B, src, qo + c, LE);
                ByteVector q1 = (ByteVector) SegmentLoads.BYTES.invokeExact(B, src, qo + c + BLOCK, LE);
                FloatVector p0 = ((FloatVector) q0.convertShape(B2F, F, 0)).mul(FloatVector.fromArray(F, x, xo + c));
                FloatVector p1 = ((FloatVector) q1.convertShape(B2F, F, 0))
                        .mul(FloatVector.fromArray(F, x, xo + c + BLOCK));
                for (int k = L; k < BLOCK; k += L) {
                    q0 = (ByteVector) SegmentLoads.BYTES.invokeExact(B, src, qo + c + k, LE);
                    q1 = (ByteVector) SegmentLoads.BYTES.invokeExact(B, src, qo + c + BLOCK + k, LE);
                    p0 = ((FloatVector) q0.convertShape(B2F, F, 0)).fma(FloatVector.fromArray(F, x, xo + c + k), p0);
                    p1 = ((FloatVector) q1.convertShape(B2F, F, 0))
                            .fma(FloatVector.fromArray(F, x, xo + c + BLOCK + k), p1);
                }
                a0 = p0.fma(FloatVector.broadcast(F, scaleBits(d[dOff + b])), a0);
                a1 = p1.fma(FloatVector.broadcast(F, scaleBits(d[dOff + b + 1])), a1);
            }
            for (; b < blocks; b++) {
                int c = b * BLOCK;
                FloatVector p0 = FloatVector.zero(F);
                for (int k = 0; k < BLOCK; k += L) {
                    ByteVector q0 = (ByteVector) SegmentLoads.BYTES.invokeExact(B, src, qo + c + k, LE);
                    p0 = ((FloatVector) q0.convertShape(B2F, F, 0)).fma(FloatVector.fromArray(F, x, xo + c + k), p0);
                }
                a0 = p0.fma(FloatVector.broadcast(F, scaleBits(d[dOff + b])), a0);
            }
        } catch (Throwable t) {
            throw SegmentLoads.rethrow(t);
        }
        a0.add(a1).intoArray(lanes, lo);
    }

    /**
     * {@code dotQ8(q, qo, d, dOff, x, xo[k], cols, lanes, lo + k * L)} for {@code k < 4}, bit for bit: each quant
     * vector is converted once and fed to four block sums {@code p0k}/{@code p1k} and accumulators
     * {@code a0k}/{@code a1k} that take exactly the steps of the one-row kernel.
     */
    private static void dotQ8x4(byte[] q, int qo, short[] d, int dOff, float[] x, int[] xo, int cols, float[] lanes,
            int lo) {
        int x0 = xo[0];
        int x1 = xo[1];
        int x2 = xo[2];
        int x3 = xo[3];
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a11 = FloatVector.zero(F);
        FloatVector a02 = FloatVector.zero(F);
        FloatVector a12 = FloatVector.zero(F);
        FloatVector a03 = FloatVector.zero(F);
        FloatVector a13 = FloatVector.zero(F);
        int blocks = cols / BLOCK;
        int b = 0;
        for (; b + 2 <= blocks; b += 2) {
            int c = b * BLOCK;
            FloatVector w0 = (FloatVector) ByteVector.fromArray(B, q, qo + c).convertShape(B2F, F, 0);
            FloatVector w1 = (FloatVector) ByteVector.fromArray(B, q, qo + c + BLOCK).convertShape(B2F, F, 0);
            FloatVector p00 = w0.mul(FloatVector.fromArray(F, x, x0 + c));
            FloatVector p10 = w1.mul(FloatVector.fromArray(F, x, x0 + c + BLOCK));
            FloatVector p01 = w0.mul(FloatVector.fromArray(F, x, x1 + c));
            FloatVector p11 = w1.mul(FloatVector.fromArray(F, x, x1 + c + BLOCK));
            FloatVector p02 = w0.mul(FloatVector.fromArray(F, x, x2 + c));
            FloatVector p12 = w1.mul(FloatVector.fromArray(F, x, x2 + c + BLOCK));
            FloatVector p03 = w0.mul(FloatVector.fromArray(F, x, x3 + c));
            FloatVector p13 = w1.mul(FloatVector.fromArray(F, x, x3 + c + BLOCK));
            for (int k = L; k < BLOCK; k += L) {
                w0 = (FloatVector) ByteVector.fromArray(B, q, qo + c + k).convertShape(B2F, F, 0);
                w1 = (FloatVector) ByteVector.fromArray(B, q, qo + c + BLOCK + k).convertShape(B2F, F, 0);
                p00 = w0.fma(FloatVector.fromArray(F, x, x0 + c + k), p00);
                p10 = w1.fma(FloatVector.fromArray(F, x, x0 + c + BLOCK + k), p10);
                p01 = w0.fma(FloatVector.fromArray(F, x, x1 + c + k), p01);
                p11 = w1.fma(FloatVector.fromArray(F, x, x1 + c + BLOCK + k), p11);
                p02 = w0.fma(FloatVector.fromArray(F, x, x2 + c + k), p02);
                p12 = w1.fma(FloatVector.fromArray(F, x, x2 + c + BLOCK + k), p12);
                p03 = w0.fma(FloatVector.fromArray(F, x, x3 + c + k), p03);
                p13 = w1.fma(FloatVector.fromArray(F, x, x3 + c + BLOCK + k), p13);
            }
            FloatVector d0 = FloatVector.broadcast(F, scaleBits(d[dOff + b]));
            FloatVector d1 = FloatVector.broadcast(F, scaleBits(d[dOff + b + 1]));
            a00 = p00.fma(d0, a00);
            a10 = p10.fma(d1, a10);
            a01 = p01.fma(d0, a01);
            a11 = p11.fma(d1, a11);
            a02 = p02.fma(d0, a02);
            a12 = p12.fma(d1, a12);
            a03 = p03.fma(d0, a03);
            a13 = p13.fma(d1, a13);
        }
        for (; b < blocks; b++) {
            int c = b * BLOCK;
            FloatVector p00 = FloatVector.zero(F);
            FloatVector p01 = FloatVector.zero(F);
            FloatVector p02 = FloatVector.zero(F);
            FloatVector p03 = FloatVector.zero(F);
            for (int k = 0; k < BLOCK; k += L) {
                FloatVector w0 = (FloatVector) ByteVector.fromArray(B, q, qo + c + k).convertShape(B2F, F, 0);
                p00 = w0.fma(FloatVector.fromArray(F, x, x0 + c + k), p00);
                p01 = w0.fma(FloatVector.fromArray(F, x, x1 + c + k), p01);
                p02 = w0.fma(FloatVector.fromArray(F, x, x2 + c + k), p02);
                p03 = w0.fma(FloatVector.fromArray(F, x, x3 + c + k), p03);
            }
            FloatVector d0 = FloatVector.broadcast(F, scaleBits(d[dOff + b]));
            a00 = p00.fma(d0, a00);
            a01 = p01.fma(d0, a01);
            a02 = p02.fma(d0, a02);
            a03 = p03.fma(d0, a03);
        }
        a00.add(a10).intoArray(lanes, lo);
        a01.add(a11).intoArray(lanes, lo + L);
        a02.add(a12).intoArray(lanes, lo + 2 * L);
        a03.add(a13).intoArray(lanes, lo + 3 * L);
    }

    /**
     * {@link #dotQ8x4(byte[], int, short[], int, float[], int[], int, float[], int)} on quants loaded from the
     * segment {@code src}.
     */
    private static void dotQ8x4(Object src, long qo, short[] d, int dOff, float[] x, int[] xo, int cols,
            float[] lanes, int lo) {
        int x0 = xo[0];
        int x1 = xo[1];
        int x2 = xo[2];
        int x3 = xo[3];
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a11 = FloatVector.zero(F);
        FloatVector a02 = FloatVector.zero(F);
        FloatVector a12 = FloatVector.zero(F);
        FloatVector a03 = FloatVector.zero(F);
        FloatVector a13 = FloatVector.zero(F);
        int blocks = cols / BLOCK;
        int b = 0;
        try {
            for (; b + 2 <= blocks; b += 2) {
                int c = b * BLOCK;
                FloatVector w0 = (FloatVector) ((ByteVector) SegmentLoads.BYTES.invokeExact(B, src, qo + c, LE))
                        .convertShape(B2F, F, 0);
                FloatVector w1 = (FloatVector) ((ByteVector) SegmentLoads.BYTES.invokeExact(B, src, qo + c + BLOCK, LE))
                        .convertShape(B2F, F, 0);
                FloatVector p00 = w0.mul(FloatVector.fromArray(F, x, x0 + c));
                FloatVector p10 = w1.mul(FloatVector.fromArray(F, x, x0 + c + BLOCK));
                FloatVector p01 = w0.mul(FloatVector.fromArray(F, x, x1 + c));
                FloatVector p11 = w1.mul(FloatVector.fromArray(F, x, x1 + c + BLOCK));
                FloatVector p02 = w0.mul(FloatVector.fromArray(F, x, x2 + c));
                FloatVector p12 = w1.mul(FloatVector.fromArray(F, x, x2 + c + BLOCK));
                FloatVector p03 = w0.mul(FloatVector.fromArray(F, x, x3 + c));
                FloatVector p13 = w1.mul(FloatVector.fromArray(F, x, x3 + c + BLOCK));
                for (int k = L; k < BLOCK; k += L) {
                    w0 = (FloatVector) ((ByteVector) SegmentLoads.BYTES.invokeExact(B, src, qo + c + k, LE))
                            .convertShape(B2F, F, 0);
                    w1 = (FloatVector) ((ByteVector) SegmentLoads.BYTES.invokeExact(B, src, qo + c + BLOCK + k, LE))
                            .convertShape(B2F, F, 0);
                    p00 = w0.fma(FloatVector.fromArray(F, x, x0 + c + k), p00);
                    p10 = w1.fma(FloatVector.fromArray(F, x, x0 + c + BLOCK + k), p10);
                    p01 = w0.fma(FloatVector.fromArray(F, x, x1 + c + k), p01);
                    p11 = w1.fma(FloatVector.fromArray(F, x, x1 + c + BLOCK + k), p11);
                    p02 = w0.fma(FloatVector.fromArray(F, x, x2 + c + k), p02);
                    p12 = w1.fma(FloatVector.fromArray(F, x, x2 + c + BLOCK + k), p12);
                    p03 = w0.fma(FloatVector.fromArray(F, x, x3 + c + k), p03);
                    p13 = w1.fma(FloatVector.fromArray(F, x, x3 + c + BLOCK + k), p13);
                }
                FloatVector d0 = FloatVector.broadcast(F, scaleBits(d[dOff + b]));
                FloatVector d1 = FloatVector.broadcast(F, scaleBits(d[dOff + b + 1]));
                a00 = p00.fma(d0, a00);
                a10 = p10.fma(d1, a10);
                a01 = p01.fma(d0, a01);
                a11 = p11.fma(d1, a11);
                a02 = p02.fma(d0, a02);
                a12 = p12.fma(d1, a12);
                a03 = p03.fma(d0, a03);
                a13 = p13.fma(d1, a13);
            }
            for (; b < blocks; b++) {
                int c = b * BLOCK;
                FloatVector p00 = FloatVector.zero(F);
                FloatVector p01 = FloatVector.zero(F);
                FloatVector p02 = FloatVector.zero(F);
                FloatVector p03 = FloatVector.zero(F);
                for (int k = 0; k < BLOCK; k += L) {
                    FloatVector w0 = (FloatVector) ((ByteVector) SegmentLoads.BYTES.invokeExact(B, src, qo + c + k, LE))
                            .convertShape(B2F, F, 0);
                    p00 = w0.fma(FloatVector.fromArray(F, x, x0 + c + k), p00);
                    p01 = w0.fma(FloatVector.fromArray(F, x, x1 + c + k), p01);
                    p02 = w0.fma(FloatVector.fromArray(F, x, x2 + c + k), p02);
                    p03 = w0.fma(FloatVector.fromArray(F, x, x3 + c + k), p03);
                }
                FloatVector d0 = FloatVector.broadcast(F, scaleBits(d[dOff + b]));
                a00 = p00.fma(d0, a00);
                a01 = p01.fma(d0, a01);
                a02 = p02.fma(d0, a02);
                a03 = p03.fma(d0, a03);
            }
        } catch (Throwable t) {
            throw SegmentLoads.rethrow(t);
        }
        a00.add(a10).intoArray(lanes, lo);
        a01.add(a11).intoArray(lanes, lo + L);
        a02.add(a12).intoArray(lanes, lo + 2 * L);
        a03.add(a13).intoArray(lanes, lo + 3 * L);
    }

    /**
     * {@code Σ lanes[off, off + L)}, added from lane 0 up, each kernel's last step. This is the order of
     * {@code reduceLanes(ADD)} on JDK 17 and in the Vector API's Java code, but JDK 25's compiled form adds the lanes
     * in another order, so a product's last bits changed when its kernel got compiled: results that depend on JIT
     * state cannot be bit-identical between a batch and a lone row.
     */
    private static float sumLanes(float[] lanes, int off) {
        float s = 0;
        for (int i = 0; i < L; i++) {
            s += lanes[off + i];
        }
        return s;
    }

    /** A Q8_0 scale's bits in float position: {@code d · 2^-112}. */
    private static float scaleBits(short d) {
        return Float.intBitsToFloat((d << 13) & Half.MASK);
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
