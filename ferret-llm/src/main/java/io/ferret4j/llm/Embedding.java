package io.ferret4j.llm;

import io.ferret4j.core.nn.Linear;
import io.ferret4j.core.nn.WeightMatrix;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.weights.TensorMemory;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code torch.nn.Embedding}: a table of one row per token id, read by row gather. A FLOAT table is a FLOAT array;
 * in the compact formats only the gathered rows are widened.
 */
public final class Embedding {
    private final WeightMatrix weight;                                 // [vocab, hidden]

    /** Wraps a FLOAT {@code [vocab, hidden]} table (shared, never modified). */
    public Embedding(INDArray weight) {
        this(new WeightMatrix.Dense(checkRank(weight)));
    }

    private Embedding(WeightMatrix weight) {
        this.weight = weight;
    }

    private static INDArray checkRank(INDArray weight) {
        if (weight.rank() != 2) {
            throw new IllegalArgumentException("embedding table must be [vocab, hidden], got rank " + weight.rank());
        }
        return weight;
    }

    /** Loads {@code prefix.weight [vocab, hidden]} held as {@code part} says. */
    public static Embedding load(Weights w, String prefix, long vocab, long hidden, ExecutionPlan.Part part) {
        return new Embedding(WeightMatrix.load(w, prefix + ".weight", vocab, hidden, part));
    }

    /**
     * The rows of {@code ids}, in order.
     *
     * @throws IllegalArgumentException if {@code ids} is empty or holds an id outside {@code [0, vocab)}
     */
    public INDArray forward(int[] ids) {                               // [T] -> [T, hidden]
        checkIds(ids);
        return weight.gather(ids);
    }

    /** Fails, naming the id, its position and the vocabulary size, unless every id is a row of the table. */
    public void checkIds(int[] ids) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("no token ids given (empty input)");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize()) {
                throw new IllegalArgumentException("token id " + ids[i] + " at position " + i
                        + " is outside the vocabulary (vocab_size " + vocabSize() + ")");
            }
        }
    }

    /** Rows of the table. */
    public long vocabSize() {
        return weight.rows();
    }

    /** Width of a row. */
    public long hiddenSize() {
        return weight.cols();
    }

    /**
     * An output projection sharing this table ({@code tie_word_embeddings}), multiplying in {@code products} as
     * {@link ExecutionPlan.Part} describes (a bf16 copy of a FLOAT table is packed beside it, owned by {@code memory}).
     */
    Linear tiedProjection(Precision products, TensorMemory memory) {
        return weight.linear(null, products, memory);
    }
}
