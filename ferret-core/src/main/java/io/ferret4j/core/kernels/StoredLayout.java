package io.ferret4j.core.kernels;

import java.nio.ByteBuffer;

import io.ferret4j.core.weights.CheckpointException;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.Weights;

/**
 * How a checkpoint stores a block-quantised weight {@code key [rows, cols]}: two tensors, the quants under
 * {@code key} ({@link #quantsType()}, shape {@code [rows, cols / valuesPerByte]}) and the binary16 block scales under
 * {@code key + scalesSuffix} (F16, shape {@code [rows, cols / 32]}). Each format's class comment says what the bytes
 * mean ({@link Q8_0}, {@link Q4_0}).
 *
 * @param format        the format's name in messages ({@code "Q8_0"})
 * @param quantsType    dtype of the quants tensor
 * @param valuesPerByte weights per quant byte (1 for int8, 2 for packed nibbles)
 * @param scalesSuffix  appended to the weight's key for the scales tensor
 */
public record StoredLayout(String format, DType quantsType, int valuesPerByte, String scalesSuffix) {

    /** The quants tensor's shape for a {@code [rows, cols]} weight. */
    public long[] quantsShape(long rows, long cols) {
        return new long[] {rows, cols / valuesPerByte};
    }

    /** The scales tensor's shape for a {@code [rows, cols]} weight. */
    public long[] scalesShape(long rows, long cols) {
        return new long[] {rows, cols / BlockRows.BLOCK};
    }

    /** True if {@code key} is stored in this layout (its scales tensor is present). */
    public boolean isStored(Weights w, String key) {
        return w.contains(key + scalesSuffix);
    }

    /** The little-endian bytes of a stored weight's two tensors. */
    record Tensors(ByteBuffer quants, ByteBuffer scales) {
    }

    /**
     * The bytes of {@code key}'s two tensors (memory-mapped, both marked used), checked against a
     * {@code [rows, cols]} weight.
     *
     * @throws CheckpointException naming the key and the expected and found dtype or shape
     */
    Tensors read(Weights w, String key, long rows, long cols) {
        BlockRows.checkShape(format, Math.toIntExact(rows), Math.toIntExact(cols), "'" + w.key(key) + "'");
        RawTensor q = w.requireRaw(key, quantsShape(rows, cols));
        RawTensor d = w.requireRaw(key + scalesSuffix, scalesShape(rows, cols));
        if (q.dtype() != quantsType || d.dtype() != DType.F16) {
            throw new CheckpointException(w.source().path(), format + " weight '" + w.key(key) + "' needs "
                    + quantsType + " quants and F16 scales, found " + q.dtype() + " and " + d.dtype());
        }
        return new Tensors(q.bytes(), d.bytes());
    }
}
