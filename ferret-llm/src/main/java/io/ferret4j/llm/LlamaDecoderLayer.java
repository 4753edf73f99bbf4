package io.ferret4j.llm;

import java.util.List;
import java.util.function.UnaryOperator;

import io.ferret4j.core.kernels.LayerWorkspace;
import io.ferret4j.core.plan.ExecutionPlan;
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
     * Loads layer {@code index} from {@code w} (at {@code "model.layers.<index>."}), its projections held and
     * multiplied as {@code part} says.
     */
    public static LlamaDecoderLayer load(Weights w, int index, LlamaConfig c, RotaryEmbedding rope,
                                         ExecutionPlan.Part part) {
        long hidden = c.hiddenSize();
        return new LlamaDecoderLayer(
                RmsNorm.load(w, "input_layernorm", hidden, c.rmsNormEps()),
                LlamaAttention.load(w.at("self_attn."), index, c, rope, part),
                RmsNorm.load(w, "post_attention_layernorm", hidden, c.rmsNormEps()),
                LlamaMlp.load(w.at("mlp."), c, part));
    }

    /**
     * Runs the layer on {@code T} new rows, extending {@code cache} with their keys and values. Each residual step
     * runs in the thread's {@link LayerWorkspace}, which {@code keep} empties for the next step, so it holds one
     * step's temporaries, not both (a 714-row 7B prefill: the attention's scores alone are 65 MB); the result is a
     * fresh array outside it.
     */
    public INDArray forward(INDArray hiddenStates, KvCache cache) {    // [T, hidden] -> [T, hidden]
        return forward(hiddenStates, normed -> selfAttn.forward(normed, cache));
    }

    /**
     * One decoding step of several sequences: row {@code i} is the newest token of the sequence of
     * {@code caches.get(i)}. Every row comes out exactly as {@link #forward(INDArray, KvCache)} on it alone.
     */
    public INDArray forward(INDArray hiddenStates, List<KvCache> caches) {    // [n, hidden] -> [n, hidden]
        return forward(hiddenStates, normed -> selfAttn.forward(normed, caches));
    }

    private INDArray forward(INDArray hiddenStates, UnaryOperator<INDArray> selfAttention) {
        try (LayerWorkspace workspace = LayerWorkspace.enter()) {
            INDArray residual = hiddenStates;
            hiddenStates = inputLayernorm.forward(hiddenStates);
            hiddenStates = selfAttention.apply(hiddenStates);
            hiddenStates = workspace.keep(residual.add(hiddenStates));
            residual = hiddenStates;
            hiddenStates = postAttentionLayernorm.forward(hiddenStates);
            hiddenStates = mlp.forward(hiddenStates);
            return workspace.keep(residual.add(hiddenStates));
        }
    }
}
