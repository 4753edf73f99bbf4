package io.ferret4j.llm;

import io.ferret4j.core.kernels.LayerWorkspace;
import io.ferret4j.core.nn.WeightFormat;
import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code LlamaDecoderLayer}: pre-norm attention and pre-norm MLP, each added to the residual stream. */
public final class LlamaDecoderLayer {
    private final RmsNorm inputLayernorm;
    private final LlamaAttention selfAttn;
    private final RmsNorm postAttentionLayernorm;
    private final LlamaMlp mlp;

    /** Assembles the layer from its HF submodules. */
    public LlamaDecoderLayer(RmsNorm inputLayernorm, LlamaAttention selfAttn, RmsNorm postAttentionLayernorm,
                             LlamaMlp mlp) {
        this.inputLayernorm = inputLayernorm;
        this.selfAttn = selfAttn;
        this.postAttentionLayernorm = postAttentionLayernorm;
        this.mlp = mlp;
    }

    /**
     * Loads layer {@code index} from {@code prefix} = {@code "model.layers.<index>."}, its projections held in
     * {@code format} and multiplied in {@code precision} by {@code engine}.
     */
    public static LlamaDecoderLayer load(Weights w, String prefix, int index, LlamaConfig c, RotaryEmbedding rope,
                                         WeightFormat format, Precision precision, Engine engine) {
        long hidden = c.hiddenSize();
        return new LlamaDecoderLayer(
                RmsNorm.load(w, prefix + "input_layernorm", hidden, c.rmsNormEps()),
                LlamaAttention.load(w, prefix + "self_attn", index, c, rope, format, precision, engine),
                RmsNorm.load(w, prefix + "post_attention_layernorm", hidden, c.rmsNormEps()),
                LlamaMlp.load(w, prefix + "mlp", c, format, precision, engine));
    }

    /**
     * Runs the layer on {@code T} new rows, extending {@code cache} with their keys and values. Each half (attention,
     * MLP) runs in the thread's {@link LayerWorkspace}, so the workspace holds one half's temporaries, not both
     * (a 714-row 7B prefill: the attention's scores alone are 65 MB); the result is a fresh array outside it.
     */
    public INDArray forward(INDArray hiddenStates, KvCache cache) {    // [T, hidden] -> [T, hidden]
        INDArray attended = LayerWorkspace.run(() ->
                hiddenStates.add(selfAttn.forward(inputLayernorm.forward(hiddenStates), cache)));
        try {
            return LayerWorkspace.run(() -> attended.add(mlp.forward(postAttentionLayernorm.forward(attended))));
        } finally {
            attended.close();
        }
    }
}
