package io.ferret4j.llm;

import io.ferret4j.core.kernels.CausalAttention;
import io.ferret4j.core.nn.Linear;
import io.ferret4j.core.nn.Linears;
import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code LlamaAttention}: causal multi-head self-attention with rotary positions and a key/value cache, grouped-query
 * when {@code num_key_value_heads < num_attention_heads} (see {@link CausalAttention}).
 */
public final class LlamaAttention {
    private final int layerIndex;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear oProj;
    private final RotaryEmbedding rotaryEmb;
    private final CausalAttention attention;

    /** Assembles the layer; {@code layerIndex} selects its slot in a {@link KvCache}. */
    public LlamaAttention(int layerIndex, Linear qProj, Linear kProj, Linear vProj, Linear oProj,
                          RotaryEmbedding rotaryEmb, int numHeads, int numKeyValueHeads, Engine engine) {
        this.layerIndex = layerIndex;
        this.qProj = qProj;
        this.kProj = kProj;
        this.vProj = vProj;
        this.oProj = oProj;
        this.rotaryEmb = rotaryEmb;
        this.attention = new CausalAttention(numHeads, numKeyValueHeads, rotaryEmb.headDim(), engine);
    }

    /**
     * Loads {@code {q,k,v,o}_proj.weight} (no biases) from {@code w} (at {@code "model.layers.<i>.self_attn."}),
     * held and multiplied as {@code part} says, and checks {@code rotary_emb.inv_freq} if the checkpoint holds it.
     */
    public static LlamaAttention load(Weights w, int layerIndex, LlamaConfig c, RotaryEmbedding rope,
                                      ExecutionPlan.Part part) {
        long hidden = c.hiddenSize();
        long kvWidth = (long) c.numKeyValueHeads() * c.headDim();
        if (w.contains("rotary_emb.inv_freq")) {
            rope.checkStoredInvFreq(w, "rotary_emb.inv_freq");
        }
        return new LlamaAttention(layerIndex,
                Linears.load(w, "q_proj", hidden, hidden, false, part),
                Linears.load(w, "k_proj", hidden, kvWidth, false, part),
                Linears.load(w, "v_proj", hidden, kvWidth, false, part),
                Linears.load(w, "o_proj", hidden, hidden, false, part),
                rope, c.numAttentionHeads(), c.numKeyValueHeads(), part.engine());
    }

    /**
     * Attends {@code T} new rows, at positions {@code cache.length() ...}, to themselves (causally) and to every
     * cached position, after storing their keys and values in {@code cache}.
     */
    public INDArray forward(INDArray hiddenStates, KvCache cache) {    // [T, hidden] -> [T, hidden]
        int past = cache.length();
        INDArray queryStates = rotaryEmb.forward(qProj.forward(hiddenStates), past);     // [T, heads*d]
        INDArray keyStates = rotaryEmb.forward(kProj.forward(hiddenStates), past);       // [T, kvHeads*d]
        cache.put(layerIndex, keyStates, vProj.forward(hiddenStates));
        INDArray attnOutput = attention.forward(queryStates, cache.layer(layerIndex), past);  // [T, heads*d]
        return oProj.forward(attnOutput);
    }
}
