package io.ferret4j.llm;

import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code torch.nn.Embedding}: a table of one row per token id, read by row gather. It is the seam through which
 * the table can later be held in a compact dtype, as {@link io.ferret4j.core.nn.Linear} is for weight matrices.
 */
public final class Embedding {
    private final INDArray weight;                                     // [vocab, hidden]

    /** Wraps a FLOAT {@code [vocab, hidden]} table (shared, never modified). */
    public Embedding(INDArray weight) {
        if (weight.rank() != 2) {
            throw new IllegalArgumentException("embedding table must be [vocab, hidden], got rank " + weight.rank());
        }
        this.weight = weight;
    }

    /** Loads {@code prefix.weight [vocab, hidden]}. */
    public static Embedding load(Weights w, String prefix, long vocab, long hidden) {
        return new Embedding(w.require(prefix + ".weight", vocab, hidden));
    }

    /**
     * The rows of {@code ids}, in order.
     *
     * @throws IllegalArgumentException if {@code ids} is empty or holds an id outside {@code [0, vocab)}
     */
    public INDArray forward(int[] ids) {                               // [T] -> [T, hidden]
        checkIds(ids);
        return Nd4j.pullRows(weight, 1, ids);
    }

    /** Fails, naming the id, its position and the vocabulary size, unless every id is a row of the table. */
    public void checkIds(int[] ids) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("no token ids given (empty input)");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= weight.size(0)) {
                throw new IllegalArgumentException("token id " + ids[i] + " at position " + i
                        + " is outside the vocabulary (vocab_size " + weight.size(0) + ")");
            }
        }
    }

    /** Rows of the table. */
    public long vocabSize() {
        return weight.size(0);
    }

    /** Width of a row. */
    public long hiddenSize() {
        return weight.size(1);
    }

    /** The table, for an output projection tied to it ({@code tie_word_embeddings}); do not modify. */
    INDArray weight() {
        return weight;
    }
}
