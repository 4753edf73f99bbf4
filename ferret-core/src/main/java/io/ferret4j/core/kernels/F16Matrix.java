package io.ferret4j.core.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.Arrays;

import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.RawTensor;

/**
 * An IEEE binary16 matrix over little-endian bytes, typically a checkpoint tensor's memory-mapped bytes used in
 * place: nothing is copied or widened when it is created.
 */
public final class F16Matrix implements CompactMatrix {
    private final int rows;
    private final int cols;
    private final ByteBuffer bytes;                                    // [rows * cols * 2], little-endian
    private final ShortBuffer halves;                                  // the same, as binary16 values

    private F16Matrix(int rows, int cols, ByteBuffer bytes) {
        this.rows = rows;
        this.cols = cols;
        this.bytes = bytes;
        this.halves = bytes.asShortBuffer();
    }

    /**
     * Wraps an F16 tensor of rank 2 without copying.
     *
     * @throws IllegalArgumentException naming the tensor if it is not an F16 matrix
     */
    public static F16Matrix of(RawTensor t) {
        if (t.dtype() != DType.F16 || t.rank() != 2) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' is " + t.dtype()
                    + Arrays.toString(t.shape()) + ", expected an F16 matrix");
        }
        return of(t.bytes(), Math.toIntExact(t.dim(0)), Math.toIntExact(t.dim(1)));
    }

    /** Wraps {@code rows * cols} little-endian binary16 values starting at the buffer's position. */
    public static F16Matrix of(ByteBuffer littleEndianBytes, int rows, int cols) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("F16 matrix needs positive dimensions, got " + rows + "x" + cols);
        }
        long bytes = 2L * rows * cols;
        if (littleEndianBytes.remaining() != bytes) {
            throw new IllegalArgumentException("F16 matrix " + rows + "x" + cols + " needs " + bytes
                    + " bytes, got " + littleEndianBytes.remaining());
        }
        return new F16Matrix(rows, cols, littleEndianBytes.slice().order(ByteOrder.LITTLE_ENDIAN));
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public long byteSize() {
        return 2L * rows * cols;
    }

    @Override
    public float get(int r, int c) {
        return Half.widen(halves.get(index(r, c)));
    }

    /** The little-endian bytes, row-major, starting at index 0 (do not change position or limit). */
    ByteBuffer bytes() {
        return bytes;
    }

    /** The bit pattern at flat index {@code i = r * cols + c}, unchecked beyond the buffer's own bounds. */
    short half(int i) {
        return halves.get(i);
    }

    /** Copies row {@code r}'s bit patterns into {@code dst[0, cols)} (a memcpy for native-order buffers). */
    void copyRow(int r, short[] dst) {
        halves.get(r * cols, dst, 0, cols);
    }

    private int index(int r, int c) {
        if (r < 0 || r >= rows || c < 0 || c >= cols) {
            throw new IndexOutOfBoundsException("(" + r + ", " + c + ") outside " + rows + "x" + cols);
        }
        return r * cols + c;
    }

    @Override
    public String toString() {
        return "F16Matrix[" + rows + "x" + cols + "]";
    }
}
