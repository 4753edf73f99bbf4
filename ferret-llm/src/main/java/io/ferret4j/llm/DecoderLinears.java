package io.ferret4j.llm;

import io.ferret4j.core.nn.Linear;
import io.ferret4j.core.nn.Linears;
import io.ferret4j.core.nn.RowByRow;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.weights.Weights;

/** The language model's projections: no bias, held as the plan says, rows independent ({@link RowByRow}). */
final class DecoderLinears {
    private DecoderLinears() {
    }

    /** Loads {@code prefix.weight [out, in]} as {@code part} says. */
    static Linear load(Weights w, String prefix, long in, long out, ExecutionPlan.Part part) {
        return RowByRow.independent(Linears.load(w, prefix, in, out, false, part));
    }
}
