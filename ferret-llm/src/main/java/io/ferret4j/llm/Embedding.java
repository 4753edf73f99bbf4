package io.ferret4j.llm;

import io.ferret4j.core.kernels.F16Matrix;
import io.ferret4j.core.kernels.MatMul;
import io.ferret4j.core.kernels.Q8_0;
import io.ferret4j.core.kernels.RowTable;
import io.ferret4j.core.nd4j.HalfLinear;
import io.ferret4j.core.nd4j.Nd4jLinears;
import io.ferret4j.core.nn.F16Linear;
import io.ferret4j.core.nn.Linear;
import io.ferret4j.core.nn.Linears;
import io.ferret4j.core.nn.Q8Linear;
import io.ferret4j.core.nn.WeightFormat;
import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code torch.nn.Embedding}: a table of one row per token id, read by row gather. In {@link WeightFormat#F32} the
 * table is a FLOAT array; in the compact formats only the gathered rows are widened (by the Java kernels, or, for the
 * ND4J engine's HALF array, by an ND4J cast).
 */
public final class Embedding {
    private final INDArray weight;                                     // [vocab, hidden] FLOAT or HALF, or null
    private final RowTable table;                                      // compact [vocab, hidden], or null
    private final long vocab;
    private final long hidden;

    /** Wraps a FLOAT or HALF {@code [vocab, hidden]} table (shared, never modified). */
    public Embedding(INDArray weight) {
        if (weight.rank() != 2) {
            throw new IllegalArgumentException("embedding table must be [vocab, hidden], got rank " + weight.rank());
        }
        this.weight = weight;
        this.table = null;
        this.vocab = weight.size(0);
        this.hidden = weight.size(1);
    }

    /** Wraps a compact table. */
    public Embedding(RowTable table) {
        this.weight = null;
        this.table = table;
        this.vocab = table.rows();
        this.hidden = table.cols();
    }

    /** Loads {@code prefix.weight [vocab, hidden]} in {@code format}. */
    public static Embedding load(Weights w, String prefix, long vocab, long hidden, WeightFormat format) {
        return load(w, prefix, vocab, hidden, format, Engine.JAVA);
    }

    /**
     * Loads {@code prefix.weight [vocab, hidden]} in {@code format} for {@code engine}: {@link Engine#ND4J} holds it
     * as a FLOAT (F32) or HALF (F16) array.
     */
    public static Embedding load(Weights w, String prefix, long vocab, long hidden, WeightFormat format,
                                 Engine engine) {
        String key = prefix + ".weight";
        if (engine == Engine.ND4J) {
            return new Embedding(Nd4jLinears.table(w, key, vocab, hidden, format));
        }
        return switch (format) {
            case F32 -> new Embedding(w.require(key, vocab, hidden));
            case F16 -> new Embedding(new RowTable(F16Matrix.of(w.requireRaw(key, vocab, hidden))));
            case Q8_0 -> new Embedding(new RowTable(Q8_0.isStored(w, key)
                    ? Q8_0.read(w, key, vocab, hidden) : Q8_0.quantize(w.requireRaw(key, vocab, hidden))));
        };
    }

    /**
     * The rows of {@code ids}, in order.
     *
     * @throws IllegalArgumentException if {@code ids} is empty or holds an id outside {@code [0, vocab)}
     */
    public INDArray forward(int[] ids) {                               // [T] -> [T, hidden]
        checkIds(ids);
        if (weight == null) {
            return table.gather(ids);
        }
        INDArray rows = Nd4j.pullRows(weight, 1, ids);                 // [T, hidden]
        return rows.dataType() == DataType.FLOAT ? rows : rows.castTo(DataType.FLOAT);
    }

    /** Fails, naming the id, its position and the vocabulary size, unless every id is a row of the table. */
    public void checkIds(int[] ids) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("no token ids given (empty input)");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IllegalArgumentException("token id " + ids[i] + " at position " + i
                        + " is outside the vocabulary (vocab_size " + vocab + ")");
            }
        }
    }

    /** Rows of the table. */
    public long vocabSize() {
        return vocab;
    }

    /** Width of a row. */
    public long hiddenSize() {
        return hidden;
    }

    /**
     * An output projection sharing this table ({@code tie_word_embeddings}), multiplying in {@code precision} as
     * {@link WeightFormat#loadLinear} does (a bf16 copy of a FLOAT table is packed beside it).
     */
    Linear tiedProjection(Precision precision) {
        if (weight != null) {
            return weight.dataType() == DataType.FLOAT ? Linears.dense(weight, null, precision)
                    : new HalfLinear(weight, null);
        }
        MatMul matMul = MatMul.defaults(precision);
        return table.table() instanceof F16Matrix f16
                ? new F16Linear(f16, null, matMul)
                : new Q8Linear((Q8_0) table.table(), null, matMul);
    }
}
