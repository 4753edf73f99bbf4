package io.ferret4j.llm;

import java.util.List;

import io.ferret4j.core.kernels.CausalAttention;
import io.ferret4j.core.nn.Linear;
import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
                DecoderLinears.load(w, "q_proj", hidden, hidden, part),
                DecoderLinears.load(w, "k_proj", hidden, kvWidth, part),
                DecoderLinears.load(w, "v_proj", hidden, kvWidth, part),
                DecoderLinears.load(w, "o_proj", hidden, hidden, part),
                rope, c.numAttentionHeads(), c.numKeyValueHeads(), part.engine());
    }

    /**
     * Attends {@code T} new rows, at positions {@code cache.length() ...}, to themselves (causally) and to every
     * cached position, after storing their keys and values in {@code cache}.
     */
    public INDArray forward(INDArray hiddenStates, KvCache cache) {    // [T, hidden] -> [T, hidden]
        INDArray attnOutput = attend(qProj.forward(hiddenStates), kProj.forward(hiddenStates),
                vProj.forward(hiddenStates), cache);                                   // [T, heads*d]
        return oProj.forward(attnOutput);
    }

    /**
     * One decoding step of several sequences: row {@code i} is the newest token of the sequence of
     * {@code caches.get(i)}, at its position. Each projection is one product for all rows; each row attends to its
     * own cache, exactly as {@link #forward(INDArray, KvCache)} on that row alone.
     */
    public INDArray forward(INDArray hiddenStates, List<KvCache> caches) {                // [n, hidden] -> [n, hidden]
        INDArray queryStates = qProj.forward(hiddenStates);                               // [n, heads*d]
        INDArray keyStates = kProj.forward(hiddenStates);                                 // [n, kvHeads*d]
        INDArray valueStates = vProj.forward(hiddenStates);                               // [n, kvHeads*d]
        INDArray[] attnOutput = new INDArray[caches.size()];
        for (int i = 0; i < attnOutput.length; i++) {
            attnOutput[i] = attend(row(queryStates, i), row(keyStates, i), row(valueStates, i), caches.get(i));
        }
        return oProj.forward(Nd4j.vstack(attnOutput));                                   // [n, hidden]
    }

    /** New rows' projections at positions {@code cache.length() ...}: stored in the cache, then attended. */
    private INDArray attend(INDArray queryStates, INDArray keyStates, INDArray valueStates, KvCache cache) {
        int past = cache.length();
        queryStates = rotaryEmb.forward(queryStates, past);                               // [T, heads*d]
        cache.put(layerIndex, rotaryEmb.forward(keyStates, past), valueStates);
        return attention.forward(queryStates, cache.layer(layerIndex), past);             // [T, heads*d]
    }

    private static INDArray row(INDArray rows, int i) {                                  // [n, w] -> [1, w]
        return rows.getRow(i, true).dup('c');
    }
}
