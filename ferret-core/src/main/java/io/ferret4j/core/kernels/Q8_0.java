package io.ferret4j.core.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;

import io.ferret4j.core.weights.CheckpointException;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.Float16;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.Weights;

/**
 * A matrix in llama.cpp's Q8_0 format: each row is cut into blocks of {@value #BLOCK} values, and a block holds 32
 * int8 quants {@code q} and one binary16 scale {@code d}, the value being {@code d * q}. Quantisation follows
 * {@code quantize_row_q8_0_ref}: {@code d = amax / 127} over the block, {@code q = roundf(x / d)} (half away from
 * zero), {@code d} stored rounded to binary16. {@code cols} must be a multiple of 32.
 *
 * <p><b>Safetensors layout.</b> A Q8_0 weight {@code key} of shape {@code [rows, cols]} is stored as two tensors:
 * <ul>
 *   <li>{@code key}: dtype {@code I8}, shape {@code [rows, cols]}, the quants in row-major order;</li>
 *   <li>{@code key + ".q8_0_scales"}: dtype {@code F16}, shape {@code [rows, cols / 32]}, the block scales.</li>
 * </ul>
 * The weight is {@code key.float() * scales.float().repeat_interleave(32, dim=1)} in PyTorch terms. Keeping the
 * two apart (rather than llama.cpp's interleaved 34-byte blocks) gives each tensor a standard dtype and a
 * meaningful shape that any safetensors reader can check, and keeps every quant row contiguous for vector loads.
 * Both tensors are memory-mapped when read back, so a stored Q8_0 checkpoint costs no heap. A converter writes a
 * weight's {@link #quantBytes()} and {@link #scaleBytes()} under those two keys (other tensors, such as norms and
 * biases, stay as they were); a loader tells the layout apart with {@link #isStored(Weights, String)} and reads it
 * with {@link #read}.
 */
public final class Q8_0 implements BlockQuantized {
    /** Values per block. */
    public static final int BLOCK = BlockRows.BLOCK;
    /** Suffix of the scales tensor next to the quants tensor in a checkpoint. */
    public static final String SCALES_SUFFIX = ".q8_0_scales";
    /** The checkpoint layout: I8 quants {@code [rows, cols]} and the scales. */
    public static final StoredLayout LAYOUT = new StoredLayout("Q8_0", DType.I8, 1, SCALES_SUFFIX);
    private static final String NAME = LAYOUT.format();

    private final int rows;
    private final int cols;
    private final ByteBuffer quants;                                   // int8 [rows * cols]
    private final ShortBuffer scales;                                  // binary16 [rows * cols / 32]

    private Q8_0(int rows, int cols, ByteBuffer quants, ShortBuffer scales) {
        this.rows = rows;
        this.cols = cols;
        this.quants = quants;
        this.scales = scales;
    }

    /**
     * Wraps quants ({@code rows * cols} bytes) and little-endian binary16 scales ({@code rows * cols / 32} values)
     * without copying.
     */
    public static Q8_0 of(ByteBuffer quants, ByteBuffer littleEndianScales, int rows, int cols) {
        checkShape(rows, cols);
        long nq = (long) rows * cols;
        if (quants.remaining() != nq || littleEndianScales.remaining() != nq / BLOCK * 2) {
            throw new IllegalArgumentException("Q8_0 " + rows + "x" + cols + " needs " + nq + " quant bytes and "
                    + nq / BLOCK * 2 + " scale bytes, got " + quants.remaining() + " and "
                    + littleEndianScales.remaining());
        }
        return new Q8_0(rows, cols, quants.slice(),
                littleEndianScales.slice().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer());
    }

    /** Quantises an F32, F16 or BF16 matrix on the {@linkplain KernelPool#shared() shared pool}. */
    public static Q8_0 quantize(RawTensor t) {
        return quantize(t, KernelPool.shared());
    }

    /**
     * Quantises an F32, F16 or BF16 matrix, rows split over {@code pool}. The result lives on the Java heap
     * ({@code rows * cols * 17 / 16} bytes).
     *
     * @throws IllegalArgumentException naming the tensor if it is not such a matrix or its columns are not a
     *                                  multiple of 32
     */
    public static Q8_0 quantize(RawTensor t, KernelPool pool) {
        BlockRows.Source source = BlockRows.of(t, NAME);
        return quantize((int) t.dim(0), (int) t.dim(1), pool, source);
    }

    /** Quantises a row-major {@code [rows, cols]} float matrix. */
    public static Q8_0 quantize(float[] values, int rows, int cols) {
        return quantize(rows, cols, KernelPool.shared(), BlockRows.of(values, rows, cols, NAME));
    }

    private static Q8_0 quantize(int rows, int cols, KernelPool pool, BlockRows.Source source) {
        byte[] q = new byte[rows * cols];
        short[] d = new short[rows * cols / BLOCK];
        BlockRows.forEachRow(rows, cols, pool, source,
                (r, row) -> quantizeRow(row, cols, q, r * cols, d, r * (cols / BLOCK)));
        ByteBuffer scaleBytes = ByteBuffer.allocate(d.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        scaleBytes.asShortBuffer().put(d);
        return new Q8_0(rows, cols, ByteBuffer.wrap(q), scaleBytes.asShortBuffer());
    }

    /** llama.cpp {@code quantize_row_q8_0_ref} for one row. */
    static void quantizeRow(float[] x, int cols, byte[] q, int qOff, short[] d, int dOff) {
        for (int b = 0; b < cols / BLOCK; b++) {
            int base = b * BLOCK;
            float amax = 0;
            for (int j = 0; j < BLOCK; j++) {
                amax = Math.max(amax, Math.abs(x[base + j]));
            }
            float scale = amax / 127;
            float inv = scale != 0 ? 1.0f / scale : 0.0f;
            d[dOff + b] = Float16.fromFloat(scale);
            for (int j = 0; j < BLOCK; j++) {
                q[qOff + base + j] = (byte) roundHalfAway(x[base + j] * inv);
            }
        }
    }

    /** C {@code roundf}: exact in double for |v| <= 127.5, which quantisation guarantees. */
    private static int roundHalfAway(float v) {
        int r = (int) Math.floor(Math.abs((double) v) + 0.5);
        return v < 0 ? -r : r;
    }

    /** True if {@code key} is stored in the Q8_0 layout (its scales tensor is present). */
    public static boolean isStored(Weights w, String key) {
        return LAYOUT.isStored(w, key);
    }

    /**
     * Reads a weight stored in the Q8_0 layout (see the class comment), memory-mapped, marking both tensors used.
     *
     * @throws CheckpointException naming the key and the expected and found dtype or shape
     */
    public static Q8_0 read(Weights w, String key, long rows, long cols) {
        StoredLayout.Tensors t = LAYOUT.read(w, key, rows, cols);
        return of(t.quants(), t.scales(), (int) rows, (int) cols);
    }

    @Override
    public StoredLayout layout() {
        return LAYOUT;
    }

    /** The int8 quants, row-major {@code [rows, cols]}, as stored under the weight's key. */
    @Override
    public ByteBuffer quantBytes() {
        return quants.duplicate().position(0);
    }

    @Override
    public ByteBuffer scaleBytes() {
        return BlockQuantized.littleEndian(scales);
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
        return (long) rows * cols + (long) rows * cols / BLOCK * 2;
    }

    @Override
    public float get(int r, int c) {
        if (r < 0 || r >= rows || c < 0 || c >= cols) {
            throw new IndexOutOfBoundsException("(" + r + ", " + c + ") outside " + rows + "x" + cols);
        }
        return quant(r, c) * scale(r, c / BLOCK);
    }

    /** The int8 quant at {@code (r, c)}. */
    public int quant(int r, int c) {
        return quants.get(r * cols + c);
    }

    /** The scale of block {@code b} of row {@code r}, widened from binary16. */
    public float scale(int r, int b) {
        return Half.widen(scales.get(r * (cols / BLOCK) + b));
    }

    /** True if the quants live in a Java array (quantised at load) rather than in a mapped file. */
    boolean quantsOnHeap() {
        return quants.hasArray();
    }

    /** The quants of row {@code r}: a view into the array when heap-backed, else copied into {@code scratch}. */
    byte[] rowQuants(int r, byte[] scratch) {
        if (quants.hasArray()) {
            return quants.array();
        }
        quants.get(r * cols, scratch, 0, cols);
        return scratch;
    }

    /** Where row {@code r} starts in the array returned by {@link #rowQuants}. */
    int rowQuantsOffset(int r) {
        return quants.hasArray() ? quants.arrayOffset() + r * cols : 0;
    }

    /** Copies row {@code r}'s {@code cols / 32} scale bit patterns into {@code dst}. */
    void copyRowScales(int r, short[] dst) {
        copyScales(r, 1, dst);
    }

    /** Copies the scale bit patterns of rows {@code [r, r + count)} into {@code dst}, row after row. */
    void copyScales(int r, int count, short[] dst) {
        scales.get(r * (cols / BLOCK), dst, 0, count * (cols / BLOCK));
    }

    private static void checkShape(int rows, int cols) {
        BlockRows.checkShape(NAME, rows, cols, "Q8_0 matrix");
    }

    @Override
    public String toString() {
        return "Q8_0[" + rows + "x" + cols + "]";
    }
}
