package io.ferret4j.encoder;

import io.ferret4j.core.nn.Linear;
import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.nn.Linears;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.GELU;
import org.nd4j.linalg.factory.Nd4j;

/** HF {@code CLIPMLP}: {@code fc2(quick_gelu(fc1(x)))} with {@code quick_gelu(z) = z · sigmoid(1.702 z)}. */
final class ClipMlp {
    private final Linear fc1;                                     // [I, D]
    private final Linear fc2;                                     // [D, I]
    private final Engine engine;

    private ClipMlp(Linear fc1, Linear fc2, Engine engine) {
        this.fc1 = fc1;
        this.fc2 = fc2;
        this.engine = engine;
    }

    /** Loads {@code prefix.fc1} ({@code [I, D]}) and {@code prefix.fc2} ({@code [D, I]}), with biases. */
    static ClipMlp load(Weights w, String prefix, ClipVisionConfig c, ExecutionPlan.Part part) {
        return new ClipMlp(
                Linears.load(w, prefix + "fc1", c.hiddenSize(), c.intermediateSize(), true, part),
                Linears.load(w, prefix + "fc2", c.intermediateSize(), c.hiddenSize(), true, part),
                part.engine());
    }

    INDArray forward(INDArray hiddenStates) {                          // [n, D] -> [n, D]
        INDArray h = fc1.forward(hiddenStates);                        // [n, I]
        return fc2.forward(quickGelu(h, engine));
    }

    /**
     * {@code z · sigmoid(1.702 z)}, in place on {@code z}. ND4J's {@code GELU} op is exactly this sigmoid
     * approximation (not the erf GELU), so one native pass per core ({@link RowBlocks}) does it.
     */
    static INDArray quickGelu(INDArray z, Engine engine) {
        RowBlocks.inPlace(z, engine, block -> Nd4j.exec(new GELU(block, block)));
        return z;
    }
}
