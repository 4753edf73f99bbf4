package io.ferret4j.core.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;

/**
 * A matrix quantised in blocks of 32 weights along each row, each block with one binary16 scale (llama.cpp's
 * {@link Q8_0} and {@link Q4_0}), and stored in a checkpoint as its {@link #layout()} says.
 */
public sealed interface BlockQuantized extends CompactMatrix permits Q8_0, Q4_0 {

    /** How the two tensors are stored. */
    StoredLayout layout();

    /** The quants as stored under the weight's key ({@link StoredLayout#quantsShape}), from index 0. */
    ByteBuffer quantBytes();

    /** The binary16 block scales {@code [rows, cols / 32]}, little-endian, as stored under the scales key. */
    ByteBuffer scaleBytes();

    /** A little-endian copy of {@code scales} from index 0, as {@link #scaleBytes()} returns it. */
    static ByteBuffer littleEndian(ShortBuffer scales) {
        ByteBuffer d = ByteBuffer.allocate(scales.capacity() * 2).order(ByteOrder.LITTLE_ENDIAN);
        d.asShortBuffer().put(scales.duplicate().position(0));
        return d;
    }
}
