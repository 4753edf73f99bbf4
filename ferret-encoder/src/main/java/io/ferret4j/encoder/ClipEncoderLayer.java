package io.ferret4j.encoder;

import io.ferret4j.core.nn.LayerNorm;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/** HF {@code CLIPEncoderLayer}: pre-norm self-attention and MLP, each added back to the residual stream. */
final class ClipEncoderLayer {
    private final LayerNorm layerNorm1;
    private final ClipAttention selfAttn;
    private final LayerNorm layerNorm2;
    private final ClipMlp mlp;

    private ClipEncoderLayer(LayerNorm layerNorm1, ClipAttention selfAttn, LayerNorm layerNorm2, ClipMlp mlp) {
        this.layerNorm1 = layerNorm1;
        this.selfAttn = selfAttn;
        this.layerNorm2 = layerNorm2;
        this.mlp = mlp;
    }

    /** Loads the layer under {@code prefix} (e.g. {@code "vision_model.encoder.layers.7."}). */
    static ClipEncoderLayer load(Weights w, String prefix, ClipVisionConfig c, ExecutionPlan.Part part) {
        return new ClipEncoderLayer(
                LayerNorm.load(w, prefix + "layer_norm1", c.hiddenSize(), c.layerNormEps()),
                ClipAttention.load(w, prefix + "self_attn.", c, part),
                LayerNorm.load(w, prefix + "layer_norm2", c.hiddenSize(), c.layerNormEps()),
                ClipMlp.load(w, prefix + "mlp.", c, part));
    }

    INDArray forward(INDArray hiddenStates) {                          // [T, D] -> [T, D]
        INDArray residual = hiddenStates;
        hiddenStates = selfAttn.forward(layerNorm1.forward(hiddenStates));
        hiddenStates = residual.add(hiddenStates);
        residual = hiddenStates;
        hiddenStates = mlp.forward(layerNorm2.forward(hiddenStates));  // fc1 -> quick_gelu -> fc2
        return residual.add(hiddenStates);
    }
}
