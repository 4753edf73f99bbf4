package io.ferret4j.core.nd4j;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Rotary position embedding in the "rotate_half" convention as ND4J ops: within each head, dimension {@code i} is
 * paired with {@code i + d/2}, and the pair at position {@code p} becomes {@code (x1·cos − x2·sin, x2·cos + x1·sin)}
 * with the angle's tables held as ND4J arrays. The same fp32 roundings as {@code q·cos + rotate_half(q)·sin}.
 */
public final class Nd4jRotary {
    private final INDArray cos;                                        // [maxPositions, d/2]
    private final INDArray sin;                                        // [maxPositions, d/2]
    private final int headDim;

    /**
     * @param cos     {@code cos(θ)} for every position and frequency, row-major {@code [maxPositions, d/2]}
     * @param sin     {@code sin(θ)}, same layout
     * @param headDim {@code d}
     */
    public Nd4jRotary(float[] cos, float[] sin, int headDim) {
        int half = headDim / 2;
        if (cos.length != sin.length || cos.length % half != 0) {
            throw new IllegalArgumentException("cos (" + cos.length + ") and sin (" + sin.length
                    + ") tables must both be [positions, " + half + "]");
        }
        this.cos = Nd4j.create(cos, new long[] {cos.length / half, half}, 'c');
        this.sin = Nd4j.create(sin, new long[] {sin.length / half, half}, 'c');
        this.headDim = headDim;
    }

    /**
     * Rotates every head of {@code x} by its row's position, {@code startPosition + row}; the caller checks the
     * range.
     */
    public INDArray apply(INDArray x, int startPosition) {            // [T, heads*d] -> [T, heads*d]
        int rows = (int) x.size(0);
        long heads = x.size(1) / headDim;
        int half = headDim / 2;
        INDArray c = cos.get(interval(startPosition, startPosition + rows), all()).reshape(rows, 1, half);
        INDArray s = sin.get(interval(startPosition, startPosition + rows), all()).reshape(rows, 1, half);
        INDArray perHead = x.reshape(rows, heads, headDim);                              // [T, heads, d]
        INDArray x1 = perHead.get(all(), all(), interval(0, half));                      // [T, heads, d/2]
        INDArray x2 = perHead.get(all(), all(), interval(half, headDim));
        INDArray first = x1.mul(c).subi(x2.mul(s));                                      // x1·cos + (−x2)·sin
        INDArray second = x2.mul(c).addi(x1.mul(s));
        return Nd4j.concat(2, first, second).reshape(rows, heads * headDim);
    }
}
