package io.ferret4j.core.kernels;

import java.nio.ByteBuffer;
import java.util.Arrays;

import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.Float16;
import io.ferret4j.core.weights.RawTensor;

/**
 * What the block quantisers ({@link Q8_0}, {@link Q4_0}) share: the shape check, the rows of an F32/F16/BF16 tensor
 * or a float array read as floats, and the loop that hands each row to a quantiser with rows split over a pool.
 */
final class BlockRows {
    /** Values per block in both formats. */
    static final int BLOCK = 32;

    /** Reads row {@code row} into {@code dst[0, cols)}; {@code scratch} holds {@code cols} halves. */
    interface Source {
        void read(int row, float[] dst, short[] scratch);
    }

    /** Quantises one row, already read into {@code values[0, cols)}. */
    interface RowQuantizer {
        void quantize(int row, float[] values);
    }

    private BlockRows() {
    }

    /**
     * The rows of {@code t}, which must be an F32, F16 or BF16 matrix with a block-multiple width.
     *
     * @throws IllegalArgumentException naming the tensor, its dtype and shape, and {@code format}
     */
    static Source of(RawTensor t, String format) {
        if (t.rank() != 2 || !(t.dtype() == DType.F32 || t.dtype() == DType.F16 || t.dtype() == DType.BF16)) {
            throw new IllegalArgumentException(format + " quantisation needs an F32, F16 or BF16 matrix, tensor '"
                    + t.name() + "' is " + t.dtype() + Arrays.toString(t.shape()));
        }
        int cols = Math.toIntExact(t.dim(1));
        checkShape(format, Math.toIntExact(t.dim(0)), cols, "tensor '" + t.name() + "'");
        DType dtype = t.dtype();
        ByteBuffer bytes = t.bytes();
        return (r, dst, h) -> {
            int base = r * cols;
            if (dtype == DType.F32) {
                bytes.asFloatBuffer().get(base, dst, 0, cols);
                return;
            }
            bytes.asShortBuffer().get(base, h, 0, cols);
            for (int c = 0; c < cols; c++) {
                dst[c] = dtype == DType.F16 ? Float16.toFloat(h[c]) : Float16.bf16ToFloat(h[c]);
            }
        };
    }

    /**
     * The rows of a row-major {@code [rows, cols]} float array.
     *
     * @throws IllegalArgumentException naming both lengths if {@code values} does not hold {@code rows * cols}
     */
    static Source of(float[] values, int rows, int cols, String format) {
        checkShape(format, rows, cols, format + " matrix");
        if (values.length != (long) rows * cols) {
            throw new IllegalArgumentException(format + " " + rows + "x" + cols + " needs " + (long) rows * cols
                    + " values, got " + values.length);
        }
        return (r, dst, scratch) -> System.arraycopy(values, r * cols, dst, 0, cols);
    }

    /** Reads every row of {@code source} and quantises it, rows split over {@code pool}. */
    static void forEachRow(int rows, int cols, KernelPool pool, Source source, RowQuantizer quantizer) {
        pool.forEachRange(rows, 16, (start, end) -> {
            float[] row = new float[cols];
            short[] scratch = new short[cols];
            for (int r = start; r < end; r++) {
                source.read(r, row, scratch);
                quantizer.quantize(r, row);
            }
        });
    }

    /**
     * Refuses a {@code what} of {@code rows x cols} that {@code format} cannot hold: a dimension below 1, a width
     * that is not a multiple of {@value #BLOCK}, or 2^31 values or more (rows are indexed by int).
     */
    static void checkShape(String format, int rows, int cols, String what) {
        if (rows < 1 || cols < 1 || cols % BLOCK != 0) {
            throw new IllegalArgumentException(what + " is " + rows + "x" + cols
                    + ": " + format + " needs positive dimensions and in_features a multiple of " + BLOCK);
        }
        if ((long) rows * cols > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(what + " is " + rows + "x" + cols + ": more than 2^31 quants");
        }
    }
}
