package io.ferret4j.llm;

import io.ferret4j.core.nn.Linear;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Swish;
import org.nd4j.linalg.factory.Nd4j;

/** {@code LlamaMLP}: the SwiGLU feed-forward {@code down_proj(silu(gate_proj(x)) ⊙ up_proj(x))}, no biases. */
public final class LlamaMlp {
    private final Linear gateProj;
    private final Linear upProj;
    private final Linear downProj;

    /** Assembles the MLP from its three projections. */
    public LlamaMlp(Linear gateProj, Linear upProj, Linear downProj) {
        this.gateProj = gateProj;
        this.upProj = upProj;
        this.downProj = downProj;
    }

    /**
     * Loads {@code {gate,up}_proj.weight [intermediate, hidden]} and {@code down_proj.weight} from {@code w} (at
     * {@code "model.layers.<i>.mlp."}), held and multiplied as {@code part} says.
     */
    public static LlamaMlp load(Weights w, LlamaConfig c, ExecutionPlan.Part part) {
        long hidden = c.hiddenSize();
        long intermediate = c.intermediateSize();
        return new LlamaMlp(
                DecoderLinears.load(w, "gate_proj", hidden, intermediate, part),
                DecoderLinears.load(w, "up_proj", hidden, intermediate, part),
                DecoderLinears.load(w, "down_proj", intermediate, hidden, part));
    }

    /** Applies the MLP to each row. */
    public INDArray forward(INDArray x) {                              // [n, hidden] -> [n, hidden]
        INDArray gate = gateProj.forward(x);                           // [n, intermediate]
        // in place on the projection outputs, which are fresh arrays: saves two [n, intermediate] buffers
        Nd4j.exec(new Swish(gate, gate));                              // silu(z) = z·sigmoid(z)
        return downProj.forward(gate.muli(upProj.forward(x)));         // [n, hidden]
    }
}
