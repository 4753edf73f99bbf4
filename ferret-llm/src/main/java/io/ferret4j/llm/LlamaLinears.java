package io.ferret4j.llm;

import io.ferret4j.core.nd4j.Nd4jLinears;
import io.ferret4j.core.nn.Linear;
import io.ferret4j.core.nn.WeightFormat;
import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.weights.Weights;

/** Where the language model chooses the {@link Linear} for a weight: by format, precision and engine. */
final class LlamaLinears {
    private LlamaLinears() {
    }

    /** {@code prefix.weight [out, in]}, no bias, held in {@code format} and multiplied by {@code engine}. */
    static Linear load(Weights w, String prefix, long in, long out, WeightFormat format, Precision precision,
                       Engine engine) {
        return engine == Engine.ND4J
                ? Nd4jLinears.load(w, prefix, in, out, false, format)
                : format.loadLinear(w, prefix, in, out, false, precision);
    }
}
