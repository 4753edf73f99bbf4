package io.ferret4j.core.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One tensor as stored in a checkpoint: its dtype, shape and little-endian C-order bytes. The bytes are
 * usually a read-only view of a memory-mapped file, so holding a {@code RawTensor} costs no heap.
 */
public final class RawTensor {
    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final ByteBuffer data;
    private final Path file;
    private final ByteBuffer owned;                                    // made for this tensor alone, or null
    private volatile boolean released;

    /**
     * @param data exactly {@code numel(shape) * dtype.byteSize()} bytes, C order; it is duplicated, so the
     *             caller's position and limit are not shared
     */
    public RawTensor(String name, DType dtype, long[] shape, ByteBuffer data, Path file) {
        this(name, dtype, shape, data, file, null);
    }

    /**
     * A tensor over a buffer made for it alone, which {@link #release()} or {@link TensorMemory} may unmap or free.
     *
     * @param buffer the buffer {@code FileChannel.map} or {@code ByteBuffer.allocateDirect} returned for this
     *               tensor, used by nothing else
     */
    static RawTensor owning(String name, DType dtype, long[] shape, ByteBuffer buffer, Path file) {
        return new RawTensor(name, dtype, shape, buffer, file, buffer);
    }

    private RawTensor(String name, DType dtype, long[] shape, ByteBuffer data, Path file, ByteBuffer owned) {
        this.name = name;
        this.owned = owned;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.file = file;
        long expected = numel(shape) * dtype.byteSize();
        if (data.remaining() != expected) {
            throw new CheckpointException(file, "tensor '" + name + "' " + dtype + Arrays.toString(shape)
                    + " needs " + expected + " bytes, found " + data.remaining());
        }
        this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    public long numel() {
        return numel(shape);
    }

    /** The file it came from. */
    public Path file() {
        return file;
    }

    /** A read-only little-endian view of the raw bytes, positioned at 0. */
    public ByteBuffer bytes() {
        if (released) {
            throw new IllegalStateException("tensor '" + name + "' was released after it was copied");
        }
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The values widened to a new FLOAT INDArray of the same shape (off-heap; F16/BF16/integers are converted
     * exactly where float can hold them).
     */
    public INDArray toFloatArray() {
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, shape.length == 0 ? new long[0] : shape, 'c');
        long n = numel();
        if (n == 0) {
            return out;
        }
        FloatBuffer dst = out.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
        copyAsFloats(dst);
        // written through the host buffer: a device backend (CUDA) must copy it over before its next op reads it
        Nd4j.getAffinityManager().tagLocation(out, AffinityManager.Location.HOST);
        return out;
    }

    /** The values widened to a new float array (for small tensors and tests). */
    public float[] toFloats() {
        float[] out = new float[Math.toIntExact(numel())];
        copyAsFloats(FloatBuffer.wrap(out));
        return out;
    }

    /** Integer values (I64, I32, I16, I8, U8, BOOL) as longs; refuses floating point. */
    public long[] toLongs() {
        long n = numel();
        long[] out = new long[Math.toIntExact(n)];
        ByteBuffer b = bytes();
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (dtype) {
                case I64 -> b.getLong(i * 8);
                case I32 -> b.getInt(i * 4);
                case I16 -> b.getShort(i * 2);
                case I8 -> b.get(i);
                case U8, BOOL -> b.get(i) & 0xff;
                default -> throw new IllegalStateException(
                        "tensor '" + name + "' is " + dtype + ", not an integer type");
            };
        }
        return out;
    }

    /** Integer values as ints (see {@link #toLongs()}), failing on values outside the int range. */
    public int[] toInts() {
        long[] l = toLongs();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = Math.toIntExact(l[i]);
        }
        return out;
    }

    private void copyAsFloats(FloatBuffer dst) {
        ByteBuffer b = bytes();
        if (dtype == DType.F32) {
            dst.put(b.asFloatBuffer());
        } else if (dtype.isFloatingPoint()) {
            int n = Math.toIntExact(numel());
            for (int i = 0; i < n; i++) {
                dst.put(floatAt(b, i));
            }
        } else {
            for (long v : toLongs()) {
                dst.put(v);
            }
        }
    }

    /**
     * This tensor's values rounded to the nearest binary16 (ties to even) as a new F16 tensor in off-heap memory,
     * read value by value from the stored bytes (no float[] of the whole tensor).
     *
     * @throws IllegalStateException if the dtype is not floating point
     */
    public RawTensor roundedToF16() {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalStateException("tensor '" + name + "' is " + dtype + ", not a floating-point type");
        }
        ByteBuffer b = bytes();
        int n = Math.toIntExact(numel());
        ByteBuffer halves = ByteBuffer.allocateDirect(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            halves.putShort(2 * i, Float16.fromFloat(floatAt(b, i)));
        }
        return owning(name, DType.F16, shape, halves, file);
    }

    /** Value {@code i} of a floating-point tensor as float (F64 rounded to nearest). */
    private float floatAt(ByteBuffer b, int i) {
        return switch (dtype) {
            case F32 -> b.getFloat(4 * i);
            case F16 -> Float16.toFloat(b.getShort(2 * i));
            case BF16 -> Float16.bf16ToFloat(b.getShort(2 * i));
            case F64 -> (float) b.getDouble(8 * i);
            default -> throw new IllegalStateException("tensor '" + name + "' is " + dtype + ", not floating point");
        };
    }

    /**
     * Ends this tensor's use: its own buffer, if it has one, is unmapped or freed now rather than at some later
     * garbage collection, and {@link #bytes()} fails from here on. Only for a tensor whose bytes were copied and of
     * which no view is kept (a view would read unmapped memory).
     */
    void release() {
        released = true;
        ownedBuffer().ifPresent(Unmapper::free);
    }

    /** The file mapping or direct buffer made for this tensor alone, if its bytes live in one. */
    Optional<ByteBuffer> ownedBuffer() {
        return Optional.ofNullable(owned);
    }

    /** Product of the dimensions (1 for a scalar). */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
