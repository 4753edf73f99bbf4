package io.ferret4j.core.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A lookup table of rows kept compact (F16, Q8_0 or Q4_0 {@code [vocab, hidden]}, e.g. token embeddings): a gather
 * widens only the requested rows to FLOAT, never the whole table.
 */
public final class RowTable {
    private final CompactMatrix table;
    private final RowKernels kernels;

    /** A table read with the {@linkplain RowKernels#best() best} kernels. */
    public RowTable(CompactMatrix table) {
        this(table, RowKernels.best());
    }

    /** A table read with the given kernels ({@link RowKernels#scalar()} in tests of the fallback). */
    public RowTable(CompactMatrix table, RowKernels kernels) {
        this.table = table;
        this.kernels = kernels;
    }

    /**
     * Rows {@code ids} widened to FLOAT: {@code [ids.length, cols]}.
     *
     * @throws IllegalArgumentException naming the first id outside {@code [0, rows)}
     */
    public INDArray gather(int... ids) {
        int cols = table.cols();
        float[] out = new float[ids.length * cols];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= table.rows()) {
                throw new IllegalArgumentException("id " + ids[i] + " at position " + i + " outside [0, "
                        + table.rows() + ")");
            }
            kernels.decodeRow(table, ids[i], out, i * cols);
        }
        return Nd4j.create(out, new long[] {ids.length, cols}, 'c');
    }

    /** Number of rows (the vocabulary size of an embedding). */
    public int rows() {
        return table.rows();
    }

    /** Row length (the hidden size of an embedding). */
    public int cols() {
        return table.cols();
    }

    /** The compact matrix behind the table. */
    public CompactMatrix table() {
        return table;
    }
}
