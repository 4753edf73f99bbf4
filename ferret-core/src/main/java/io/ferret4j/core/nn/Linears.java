package io.ferret4j.core.nn;

import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Loads the {@link Linear} of a PyTorch {@code Linear} as a plan part holds and multiplies it, so a model's loader
 * names its tensors and its part, nothing else.
 */
public final class Linears {
    private Linears() {
    }

    /**
     * Loads {@code prefix.weight [out, in]}, and {@code prefix.bias [out]} (widened to FLOAT) if {@code withBias}, as
     * {@code part} holds and multiplies them (see {@link WeightMatrix#load}). A bf16 packed copy belongs to
     * {@code w}'s {@link Weights#memory() memory}, as the tensors do.
     */
    public static Linear load(Weights w, String prefix, long in, long out, boolean withBias, ExecutionPlan.Part part) {
        WeightMatrix weight = WeightMatrix.load(w, prefix + ".weight", out, in, part);
        INDArray bias = withBias ? w.require(prefix + ".bias", out) : null;
        return weight.linear(bias, part.products(), w.memory());
    }
}
