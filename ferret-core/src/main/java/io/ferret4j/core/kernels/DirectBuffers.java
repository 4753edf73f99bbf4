package io.ferret4j.core.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An ND4J array's off-heap data as a {@code java.nio} buffer in native byte order, without a copy: Java code reads
 * or writes it in place instead of through a heap array (which for prompt-sized tensors is a humongous object per
 * call). The buffer spans the whole data buffer from its start, so the array must not be an offset view.
 */
public final class DirectBuffers {
    private DirectBuffers() {
    }

    /** {@code array}'s data as bytes. */
    public static ByteBuffer bytes(INDArray array) {
        if (array.offset() != 0) {
            throw new IllegalArgumentException("an offset view (offset " + array.offset() + ") does not start at its "
                    + "buffer's start; dup() it first");
        }
        return array.data().asNio().order(ByteOrder.nativeOrder());
    }

    /** {@code array}'s data as floats; it must be a FLOAT array. */
    public static FloatBuffer floats(INDArray array) {
        if (array.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("expected a FLOAT array, got " + array.dataType());
        }
        return bytes(array).asFloatBuffer();
    }
}
