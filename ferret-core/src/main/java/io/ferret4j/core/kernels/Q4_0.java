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
 * A matrix in llama.cpp's Q4_0 format ({@code block_q4_0}): each row is cut into blocks of {@value #BLOCK} values,
 * and a block holds 32 unsigned 4-bit quants {@code q} in 16 bytes and one binary16 scale {@code d}, the value
 * being {@code (q - 8) * d}. Quantisation follows {@code quantize_row_q4_0_ref}: {@code max} is the block's value of
 * largest magnitude, sign kept (the first one on a tie), {@code d = max / -8}, {@code id = d != 0 ? 1 / d : 0} (from
 * {@code d} before it is rounded), {@code q = min(15, (int) (x * id + 8.5f))} (truncated, as C's cast), and {@code d}
 * stored rounded to binary16. So {@code max} itself is {@code q = 0}, exactly {@code -8 d}, and the other values
 * round to nearest on the grid {@code d * [-8, 7]}. {@code cols} must be a multiple of 32.
 *
 * <p><b>Safetensors layout.</b> A Q4_0 weight {@code key} of shape {@code [rows, cols]} is stored as two tensors:
 * <ul>
 *   <li>{@code key}: dtype {@code U8}, shape {@code [rows, cols / 2]}, the packed quants: block {@code b} of a row
 *       is bytes {@code [16 b, 16 b + 16)}, and byte {@code j} of a block holds the block's value {@code j} in its
 *       low nibble and value {@code j + 16} in its high nibble ({@code qs[j] = q[j] | q[j + 16] << 4}, llama.cpp's
 *       in-block order);</li>
 *   <li>{@code key + ".q4_0_scales"}: dtype {@code F16}, shape {@code [rows, cols / 32]}, the block scales.</li>
 * </ul>
 * In PyTorch terms, with {@code p = key.view(rows, cols // 32, 16)}, the weight is
 * {@code (torch.cat([p & 15, p >> 4], dim=2).reshape(rows, cols).float() - 8) *
 * scales.float().repeat_interleave(32, dim=1)}. As for {@link Q8_0}, the scales are kept apart from the quants
 * (llama.cpp interleaves them into 18-byte blocks) so that both tensors have a standard dtype and a checkable shape,
 * and both are memory-mapped when read back.
 */
public final class Q4_0 implements BlockQuantized {
    /** Values per block. */
    public static final int BLOCK = BlockRows.BLOCK;
    /** Bytes of packed quants per block. */
    static final int BLOCK_BYTES = BLOCK / 2;
    /** Suffix of the scales tensor next to the quants tensor in a checkpoint. */
    public static final String SCALES_SUFFIX = ".q4_0_scales";
    /** The checkpoint layout: U8 packed quants {@code [rows, cols / 2]} and the scales. */
    public static final StoredLayout LAYOUT = new StoredLayout("Q4_0", DType.U8, 2, SCALES_SUFFIX);
    private static final String NAME = LAYOUT.format();

    private final int rows;
    private final int cols;
    private final ByteBuffer packed;                                   // 2 quants a byte [rows * cols / 2]
    private final ShortBuffer scales;                                  // binary16 [rows * cols / 32]

    private Q4_0(int rows, int cols, ByteBuffer packed, ShortBuffer scales) {
        this.rows = rows;
        this.cols = cols;
        this.packed = packed;
        this.scales = scales;
    }

    /**
     * Wraps packed quants ({@code rows * cols / 2} bytes, laid out as the class comment says) and little-endian
     * binary16 scales ({@code rows * cols / 32} values) without copying.
     */
    public static Q4_0 of(ByteBuffer packed, ByteBuffer littleEndianScales, int rows, int cols) {
        BlockRows.checkShape(NAME, rows, cols, "Q4_0 matrix");
        long np = (long) rows * cols / 2;
        long nd = (long) rows * cols / BLOCK * 2;
        if (packed.remaining() != np || littleEndianScales.remaining() != nd) {
            throw new IllegalArgumentException("Q4_0 " + rows + "x" + cols + " needs " + np + " quant bytes and "
                    + nd + " scale bytes, got " + packed.remaining() + " and " + littleEndianScales.remaining());
        }
        return new Q4_0(rows, cols, packed.slice(),
                littleEndianScales.slice().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer());
    }

    /** Quantises an F32, F16 or BF16 matrix on the {@linkplain KernelPool#shared() shared pool}. */
    public static Q4_0 quantize(RawTensor t) {
        return quantize(t, KernelPool.shared());
    }

    /**
     * Quantises an F32, F16 or BF16 matrix, rows split over {@code pool}. The result lives on the Java heap
     * ({@code rows * cols * 9 / 16} bytes).
     *
     * @throws IllegalArgumentException naming the tensor if it is not such a matrix or its columns are not a
     *                                  multiple of 32
     */
    public static Q4_0 quantize(RawTensor t, KernelPool pool) {
        BlockRows.Source source = BlockRows.of(t, NAME);
        return quantize((int) t.dim(0), (int) t.dim(1), pool, source);
    }

    /** Quantises a row-major {@code [rows, cols]} float matrix. */
    public static Q4_0 quantize(float[] values, int rows, int cols) {
        return quantize(rows, cols, KernelPool.shared(), BlockRows.of(values, rows, cols, NAME));
    }

    private static Q4_0 quantize(int rows, int cols, KernelPool pool, BlockRows.Source source) {
        byte[] qs = new byte[rows * cols / 2];
        short[] d = new short[rows * cols / BLOCK];
        BlockRows.forEachRow(rows, cols, pool, source,
                (r, row) -> quantizeRow(row, cols, qs, r * (cols / 2), d, r * (cols / BLOCK)));
        ByteBuffer scaleBytes = ByteBuffer.allocate(d.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        scaleBytes.asShortBuffer().put(d);
        return new Q4_0(rows, cols, ByteBuffer.wrap(qs), scaleBytes.asShortBuffer());
    }

    /**
     * llama.cpp {@code quantize_row_q4_0_ref} for one row: packed quants at {@code qs[qOff]}, scales at
     * {@code d[dOff]}.
     */
    static void quantizeRow(float[] x, int cols, byte[] qs, int qOff, short[] d, int dOff) {
        for (int b = 0; b < cols / BLOCK; b++) {
            int base = b * BLOCK;
            float amax = 0;
            float max = 0;
            for (int j = 0; j < BLOCK; j++) {
                float v = x[base + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float scale = max / -8;
            float inv = scale != 0 ? 1.0f / scale : 0.0f;
            d[dOff + b] = Float16.fromFloat(scale);
            for (int j = 0; j < BLOCK_BYTES; j++) {
                int lo = Math.min(15, (int) (x[base + j] * inv + 8.5f));
                int hi = Math.min(15, (int) (x[base + BLOCK_BYTES + j] * inv + 8.5f));
                qs[qOff + b * BLOCK_BYTES + j] = (byte) (lo | hi << 4);
            }
        }
    }

    /** True if {@code key} is stored in the Q4_0 layout (its scales tensor is present). */
    public static boolean isStored(Weights w, String key) {
        return LAYOUT.isStored(w, key);
    }

    /**
     * Reads a weight stored in the Q4_0 layout (see the class comment), memory-mapped, marking both tensors used.
     *
     * @throws CheckpointException naming the key and the expected and found dtype or shape
     */
    public static Q4_0 read(Weights w, String key, long rows, long cols) {
        StoredLayout.Tensors t = LAYOUT.read(w, key, rows, cols);
        return of(t.quants(), t.scales(), (int) rows, (int) cols);
    }

    @Override
    public StoredLayout layout() {
        return LAYOUT;
    }

    /** The packed quants, {@code [rows, cols / 2]} as the class comment lays them out. */
    @Override
    public ByteBuffer quantBytes() {
        return packed.duplicate().position(0);
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
        return (long) rows * cols / 2 + (long) rows * cols / BLOCK * 2;
    }

    @Override
    public float get(int r, int c) {
        if (r < 0 || r >= rows || c < 0 || c >= cols) {
            throw new IndexOutOfBoundsException("(" + r + ", " + c + ") outside " + rows + "x" + cols);
        }
        return (quant(r, c) - 8) * scale(r, c / BLOCK);
    }

    /** The unsigned 4-bit quant {@code q} in [0, 15] at {@code (r, c)}; the value is {@code (q - 8) * d}. */
    public int quant(int r, int c) {
        int inBlock = c % BLOCK;
        byte b = packed.get(r * (cols / 2) + c / BLOCK * BLOCK_BYTES + inBlock % BLOCK_BYTES);
        return inBlock < BLOCK_BYTES ? b & 0xF : (b >> 4) & 0xF;
    }

    /** The scale of block {@code b} of row {@code r}, widened from binary16. */
    public float scale(int r, int b) {
        return Half.widen(scales.get(r * (cols / BLOCK) + b));
    }

    /** True if the packed quants live in a Java array (quantised at load) rather than in a mapped file. */
    boolean packedOnHeap() {
        return packed.hasArray();
    }

    /** Row {@code r}'s packed quants: the array itself when heap-backed, else copied into {@code scratch}. */
    byte[] rowPacked(int r, byte[] scratch) {
        if (packed.hasArray()) {
            return packed.array();
        }
        packed.get(r * (cols / 2), scratch, 0, cols / 2);
        return scratch;
    }

    /** Where row {@code r} starts in the array returned by {@link #rowPacked}. */
    int rowPackedOffset(int r) {
        return packed.hasArray() ? packed.arrayOffset() + r * (cols / 2) : 0;
    }

    /** Copies the scale bit patterns of rows {@code [r, r + count)} into {@code dst}, row after row. */
    void copyScales(int r, int count, short[] dst) {
        scales.get(r * (cols / BLOCK), dst, 0, count * (cols / BLOCK));
    }

    @Override
    public String toString() {
        return "Q4_0[" + rows + "x" + cols + "]";
    }
}
