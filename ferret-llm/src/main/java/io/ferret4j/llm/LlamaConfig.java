package io.ferret4j.llm;

import java.nio.file.Path;
import java.util.Map;

import io.ferret4j.core.config.ConfigJson;

/**
 * The {@code config.json} keys of a Hugging Face {@code LlamaConfig} that the decoder reads, named as the JSON
 * keys in camelCase. A Ferret {@code config.json} ({@code model_type "ferret"}, extra {@code mm_*} keys) parses as
 * well: keys not declared here are ignored. Optional keys absent from the file take HF's defaults
 * ({@code num_key_value_heads} = {@code num_attention_heads}, {@code rope_theta} 10000, ...).
 *
 * @param numKeyValueHeads   key/value heads; fewer than {@code numAttentionHeads} means grouped-query attention
 * @param ropeScaling        must be null: scaled rotary embeddings are not implemented
 * @param pretrainingTp      must be 1: only the unsplit projections are implemented
 * @param padTokenId         may be null (HF's default)
 */
public record LlamaConfig(
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        Integer numKeyValueHeads,
        Double rmsNormEps,
        int maxPositionEmbeddings,
        int vocabSize,
        Integer bosTokenId,
        Integer eosTokenId,
        Integer padTokenId,
        Boolean tieWordEmbeddings,
        String hiddenAct,
        Map<String, Object> ropeScaling,
        Integer pretrainingTp,
        Double ropeTheta) {

    /** Fills HF's defaults for the optional keys. */
    public LlamaConfig {
        numKeyValueHeads = numKeyValueHeads == null ? Integer.valueOf(numAttentionHeads) : numKeyValueHeads;
        rmsNormEps = rmsNormEps == null ? Double.valueOf(1e-6) : rmsNormEps;
        bosTokenId = bosTokenId == null ? Integer.valueOf(1) : bosTokenId;
        eosTokenId = eosTokenId == null ? Integer.valueOf(2) : eosTokenId;
        tieWordEmbeddings = tieWordEmbeddings == null ? Boolean.FALSE : tieWordEmbeddings;
        hiddenAct = hiddenAct == null ? "silu" : hiddenAct;
        pretrainingTp = pretrainingTp == null ? Integer.valueOf(1) : pretrainingTp;
        ropeTheta = ropeTheta == null ? Double.valueOf(10000.0) : ropeTheta;
    }

    /** Reads and validates {@code config.json}. */
    public static LlamaConfig fromJson(Path file) {
        LlamaConfig config = ConfigJson.read(file, LlamaConfig.class);
        config.validate();
        return config;
    }

    /** {@code hidden_size / num_attention_heads}. */
    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** How many query heads share one key/value head (1 without grouped-query attention). */
    public int numKeyValueGroups() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /**
     * Checks that this decoder can run the configuration.
     *
     * @throws IllegalArgumentException naming the offending key(s) and value(s)
     */
    public void validate() {
        requirePositive("hidden_size", hiddenSize);
        requirePositive("intermediate_size", intermediateSize);
        requirePositive("num_hidden_layers", numHiddenLayers);
        requirePositive("num_attention_heads", numAttentionHeads);
        requirePositive("num_key_value_heads", numKeyValueHeads);
        requirePositive("max_position_embeddings", maxPositionEmbeddings);
        requirePositive("vocab_size", vocabSize);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " not divisible by num_attention_heads "
                    + numAttentionHeads);
        }
        if (headDim() % 2 != 0) {
            throw new IllegalArgumentException("head_dim " + headDim() + " (hidden_size " + hiddenSize
                    + " / num_attention_heads " + numAttentionHeads + ") must be even for rotary embeddings");
        }
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numAttentionHeads
                    + " not divisible by num_key_value_heads " + numKeyValueHeads);
        }
        if (!(rmsNormEps > 0) || !(ropeTheta > 0)) {
            throw new IllegalArgumentException("rms_norm_eps " + rmsNormEps + " and rope_theta " + ropeTheta
                    + " must both be positive");
        }
        if (!"silu".equals(hiddenAct)) {
            throw new IllegalArgumentException("hidden_act '" + hiddenAct + "' is not supported (expected 'silu')");
        }
        if (ropeScaling != null) {
            throw new IllegalArgumentException("rope_scaling " + ropeScaling + " is not supported (expected null)");
        }
        if (pretrainingTp != 1) {
            throw new IllegalArgumentException("pretraining_tp " + pretrainingTp + " is not supported (expected 1)");
        }
        requireTokenId("bos_token_id", bosTokenId);
        requireTokenId("eos_token_id", eosTokenId);
        if (padTokenId != null) {
            requireTokenId("pad_token_id", padTokenId);
        }
    }

    private static void requirePositive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " " + value + " must be positive");
        }
    }

    private void requireTokenId(String key, int id) {
        if (id < 0 || id >= vocabSize) {
            throw new IllegalArgumentException(key + " " + id + " is outside vocab_size " + vocabSize);
        }
    }
}
