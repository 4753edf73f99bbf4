package io.ferret4j.llm;

import java.util.LinkedHashMap;
import java.util.Map;

/** The tensors of a LLaMA checkpoint for a configuration, in checkpoint order, for writing random test models. */
final class LlamaShapes {
    private LlamaShapes() {
    }

    /** Every {@code LlamaForCausalLM} weight of {@code c} with its shape (untied {@code lm_head}). */
    static Map<String, long[]> of(LlamaConfig c) {
        long hidden = c.hiddenSize();
        long kvWidth = (long) c.numKeyValueHeads() * c.headDim();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("model.embed_tokens.weight", new long[] {c.vocabSize(), hidden});
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            shapes.put(p + "self_attn.q_proj.weight", new long[] {hidden, hidden});
            shapes.put(p + "self_attn.k_proj.weight", new long[] {kvWidth, hidden});
            shapes.put(p + "self_attn.v_proj.weight", new long[] {kvWidth, hidden});
            shapes.put(p + "self_attn.o_proj.weight", new long[] {hidden, hidden});
            shapes.put(p + "mlp.gate_proj.weight", new long[] {c.intermediateSize(), hidden});
            shapes.put(p + "mlp.up_proj.weight", new long[] {c.intermediateSize(), hidden});
            shapes.put(p + "mlp.down_proj.weight", new long[] {hidden, c.intermediateSize()});
            shapes.put(p + "input_layernorm.weight", new long[] {hidden});
            shapes.put(p + "post_attention_layernorm.weight", new long[] {hidden});
        }
        shapes.put("model.norm.weight", new long[] {hidden});
        shapes.put("lm_head.weight", new long[] {c.vocabSize(), hidden});
        return shapes;
    }
}
