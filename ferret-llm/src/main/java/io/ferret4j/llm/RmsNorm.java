package io.ferret4j.llm;

import io.ferret4j.core.nn.RowByRow;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code LlamaRMSNorm}: {@code weight ⊙ x / sqrt(mean(x²) + eps)} over the last dimension, in fp32. */
public final class RmsNorm {
    private final INDArray weight;                                     // [hidden]
    private final double eps;

    /** A norm with the given {@code [hidden]} gain (shared, never modified). */
    public RmsNorm(INDArray weight, double eps) {
        this.weight = weight.reshape(1, weight.length());
        this.eps = eps;
    }

    /** Loads {@code prefix.weight [dim]}. */
    public static RmsNorm load(Weights w, String prefix, long dim, double eps) {
        return new RmsNorm(w.require(prefix + ".weight", dim), eps);
    }

    /**
     * Normalises each row of {@code hiddenStates}; up to {@link RowByRow#MAX_ROWS} rows, each exactly as alone (an
     * ND4J reduction over one row may sum in another order than over a row of many).
     */
    public INDArray forward(INDArray hiddenStates) {                   // [n, hidden] -> [n, hidden]
        return RowByRow.applies(hiddenStates) ? RowByRow.apply(hiddenStates, this::normalize) : normalize(hiddenStates);
    }

    private INDArray normalize(INDArray hiddenStates) {                // [n, hidden] -> [n, hidden]
        INDArray variance = hiddenStates.mul(hiddenStates).mean(true, 1);                 // [n, 1]
        INDArray inverseRms = Nd4j.math().rsqrt(variance.addi(eps));                      // [n, 1]
        // in place on the fresh product; the order (x·rsqrt first, then ·weight) is HF's
        return hiddenStates.mulColumnVector(inverseRms).muliRowVector(weight);
    }
}
