package io.ferret4j.core.kernels;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.B2I;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHR;

import java.nio.ByteOrder;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernels of {@link Q4_0}, called by {@link VectorRowKernels} (and, like it, loaded only when the
 * incubator module is present). A block's 16 packed bytes are loaded {@code L} at a time and widened to ints; their
 * low nibbles, minus 8, become the block's first {@code L} values and their high nibbles the values 16 further on,
 * so the input is read in two runs per block and the in-block order of llama.cpp needs no shuffle. (Taking the
 * nibbles apart in byte lanes and widening each half to float measured slower: x86 has no byte shift.)
 *
 * <p>Every input row goes through the one-row dot product, so output row {@code i} of a product with {@code n}
 * rows is bit-identical to the product of row {@code i} alone; the rows of a group of weight rows are dotted with
 * each input row in turn while they are in cache. As in {@link VectorRowKernels}, each vector expression is written
 * out in the loop that uses it, once for arrays and once for memory segments.
 */
final class Q4VectorKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.length() <= Q4_0.BLOCK_BYTES
            ? FloatVector.SPECIES_PREFERRED : FloatVector.SPECIES_512;  // a load must not cross a half block
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    private static final int BLOCK = Q4_0.BLOCK;
    private static final int HALF = Q4_0.BLOCK_BYTES;                  // bytes per block, and values per nibble run
    private static final int ROW_GROUP = 16;                           // weight rows whose scales are fetched at once
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Q4VectorKernels() {
    }

    /**
     * {@code y[i * rows + r] = Σ_c w[r, c] x[i * cols + c]} for {@code r} in {@code [r0, r1)}, {@code i < n}, with
     * packed quants loaded from the mapped file when {@code direct}, else from the heap array or a copied row.
     */
    static void multiply(Q4_0 w, float[] x, int n, float[] y, int r0, int r1, KernelScratch s, boolean direct) {
        int cols = w.cols();
        int rows = w.rows();
        int blocks = cols / BLOCK;
        Object src = direct && !w.packedOnHeap() ? SegmentLoads.source(w.quantBytes()) : null;
        for (int g = r0; g < r1; g += ROW_GROUP) {
            int count = Math.min(ROW_GROUP, r1 - g);
            w.copyScales(g, count, s.halves);
            for (int i = 0; i < n; i++) {
                for (int r = g; r < g + count; r++) {
                    int dOff = (r - g) * blocks;
                    y[i * rows + r] = src != null
                            ? dot(src, (long) r * (cols / 2), s.halves, dOff, x, i * cols, cols)
                            : dot(w.rowPacked(r, s.quants), w.rowPackedOffset(r), s.halves, dOff, x, i * cols, cols);
                }
            }
        }
    }

    /**
     * {@code Σ_b d_b · Σ_j (q_j - 8) x_j} over the packed row at {@code q[qo]}, the row's scale bits at
     * {@code d[dOff]} and the input at {@code x[xo]}: each block's products are summed, then scaled once into one
     * of two accumulators (two blocks per step).
     */
    private static float dot(byte[] q, int qo, short[] d, int dOff, float[] x, int xo, int cols) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int blocks = cols / BLOCK;
        int b = 0;
        for (; b + 2 <= blocks; b += 2) {
            int p = qo + b * HALF;
            int c = xo + b * BLOCK;
            FloatVector p0 = FloatVector.zero(F);
            FloatVector p1 = FloatVector.zero(F);
            for (int k = 0; k < HALF; k += L) {
                IntVector w0 = (IntVector) ByteVector.fromArray(B, q, p + k).convertShape(B2I, I, 0);
                IntVector w1 = (IntVector) ByteVector.fromArray(B, q, p + HALF + k).convertShape(B2I, I, 0);
                p0 = ((FloatVector) w0.and(0xF).sub(8).convert(I2F, 0)).fma(FloatVector.fromArray(F, x, c + k), p0);
                p1 = ((FloatVector) w1.and(0xF).sub(8).convert(I2F, 0))
                        .fma(FloatVector.fromArray(F, x, c + BLOCK + k), p1);
                p0 = ((FloatVector) w0.lanewise(LSHR, 4).and(0xF).sub(8).convert(I2F, 0))
                        .fma(FloatVector.fromArray(F, x, c + HALF + k), p0);
                p1 = ((FloatVector) w1.lanewise(LSHR, 4).and(0xF).sub(8).convert(I2F, 0))
                        .fma(FloatVector.fromArray(F, x, c + BLOCK + HALF + k), p1);
            }
            a0 = p0.fma(FloatVector.broadcast(F, Half.widen(d[dOff + b])), a0);
            a1 = p1.fma(FloatVector.broadcast(F, Half.widen(d[dOff + b + 1])), a1);
        }
        for (; b < blocks; b++) {
            int p = qo + b * HALF;
            int c = xo + b * BLOCK;
            FloatVector p0 = FloatVector.zero(F);
            for (int k = 0; k < HALF; k += L) {
                IntVector w0 = (IntVector) ByteVector.fromArray(B, q, p + k).convertShape(B2I, I, 0);
                p0 = ((FloatVector) w0.and(0xF).sub(8).convert(I2F, 0)).fma(FloatVector.fromArray(F, x, c + k), p0);
                p0 = ((FloatVector) w0.lanewise(LSHR, 4).and(0xF).sub(8).convert(I2F, 0))
                        .fma(FloatVector.fromArray(F, x, c + HALF + k), p0);
            }
            a0 = p0.fma(FloatVector.broadcast(F, Half.widen(d[dOff + b])), a0);
        }
        return a0.add(a1).reduceLanes(ADD);
    }

    /**
     * {@link #dot(byte[], int, short[], int, float[], int, int)} on packed bytes loaded from the segment {@code src}.
     */
    private static float dot(Object src, long qo, short[] d, int dOff, float[] x, int xo, int cols) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int blocks = cols / BLOCK;
        int b = 0;
        try {
            for (; b + 2 <= blocks; b += 2) {
                long p = qo + (long) b * HALF;
                int c = xo + b * BLOCK;
                FloatVector p0 = FloatVector.zero(F);
                FloatVector p1 = FloatVector.zero(F);
                for (int k = 0; k < HALF; k += L) {
                    ByteVector v0 = (ByteVector) SegmentLoads.BYTES.invokeExact(B, src, p + k, LE);
                    ByteVector v1 = (ByteVector) SegmentLoads.BYTES.invokeExact(B, src, p + HALF + k, LE);
                    IntVector w0 = (IntVector) v0.convertShape(B2I, I, 0);
                    IntVector w1 = (IntVector) v1.convertShape(B2I, I, 0);
                    p0 = ((FloatVector) w0.and(0xF).sub(8).convert(I2F, 0)).fma(FloatVector.fromArray(F, x, c + k), p0);
                    p1 = ((FloatVector) w1.and(0xF).sub(8).convert(I2F, 0))
                            .fma(FloatVector.fromArray(F, x, c + BLOCK + k), p1);
                    p0 = ((FloatVector) w0.lanewise(LSHR, 4).and(0xF).sub(8).convert(I2F, 0))
                            .fma(FloatVector.fromArray(F, x, c + HALF + k), p0);
                    p1 = ((FloatVector) w1.lanewise(LSHR, 4).and(0xF).sub(8).convert(I2F, 0))
                            .fma(FloatVector.fromArray(F, x, c + BLOCK + HALF + k), p1);
                }
                a0 = p0.fma(FloatVector.broadcast(F, Half.widen(d[dOff + b])), a0);
                a1 = p1.fma(FloatVector.broadcast(F, Half.widen(d[dOff + b + 1])), a1);
            }
            for (; b < blocks; b++) {
                long p = qo + (long) b * HALF;
                int c = xo + b * BLOCK;
                FloatVector p0 = FloatVector.zero(F);
                for (int k = 0; k < HALF; k += L) {
                    ByteVector v0 = (ByteVector) SegmentLoads.BYTES.invokeExact(B, src, p + k, LE);
                    IntVector w0 = (IntVector) v0.convertShape(B2I, I, 0);
                    p0 = ((FloatVector) w0.and(0xF).sub(8).convert(I2F, 0)).fma(FloatVector.fromArray(F, x, c + k), p0);
                    p0 = ((FloatVector) w0.lanewise(LSHR, 4).and(0xF).sub(8).convert(I2F, 0))
                            .fma(FloatVector.fromArray(F, x, c + HALF + k), p0);
                }
                a0 = p0.fma(FloatVector.broadcast(F, Half.widen(d[dOff + b])), a0);
            }
        } catch (Throwable t) {
            throw SegmentLoads.rethrow(t);
        }
        return a0.add(a1).reduceLanes(ADD);
    }

    /** Widens row {@code r} into {@code dst[off, off + cols)}: {@code (q - 8) · d}, exact. */
    static void decode(Q4_0 w, int r, float[] dst, int off, KernelScratch s) {
        byte[] q = w.rowPacked(r, s.quants);
        int qo = w.rowPackedOffset(r);
        w.copyScales(r, 1, s.halves);
        for (int b = 0; b < w.cols() / BLOCK; b++) {
            float d = Half.widen(s.halves[b]);
            int c = off + b * BLOCK;
            for (int k = 0; k < HALF; k += L) {
                IntVector v = (IntVector) ByteVector.fromArray(B, q, qo + b * HALF + k).convertShape(B2I, I, 0);
                ((FloatVector) v.and(0xF).sub(8).convert(I2F, 0)).mul(d).intoArray(dst, c + k);
                ((FloatVector) v.lanewise(LSHR, 4).and(0xF).sub(8).convert(I2F, 0)).mul(d).intoArray(dst, c + HALF + k);
            }
        }
    }
}
