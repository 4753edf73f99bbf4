package io.ferret4j.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.ferret4j.core.testing.Goldens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class LlamaConfigTest {
    private static final String BASE = "\"hidden_size\": 64, \"intermediate_size\": 172, \"num_hidden_layers\": 2, "
            + "\"num_attention_heads\": 4, \"max_position_embeddings\": 2048, \"vocab_size\": 32000";

    @TempDir
    Path dir;

    @Test
    void readsTheTinyLlamaConfig() {
        LlamaConfig c = TinyLlama.config();

        assertThat(c.hiddenSize()).isEqualTo(64);
        assertThat(c.intermediateSize()).isEqualTo(172);
        assertThat(c.numHiddenLayers()).isEqualTo(2);
        assertThat(c.numAttentionHeads()).isEqualTo(4);
        assertThat(c.numKeyValueHeads()).isEqualTo(4);
        assertThat(c.headDim()).isEqualTo(16);
        assertThat(c.rmsNormEps()).isEqualTo(1e-6);
        assertThat(c.maxPositionEmbeddings()).isEqualTo(2048);
        assertThat(c.vocabSize()).isEqualTo(32000);
        assertThat(c.bosTokenId()).isEqualTo(1);
        assertThat(c.eosTokenId()).isEqualTo(2);
        assertThat(c.padTokenId()).isEqualTo(0);
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.ropeScaling()).isNull();
    }

    @Test
    void readsAFerretConfigIgnoringItsMultimodalKeys() {
        LlamaConfig c = LlamaConfig.fromJson(Goldens.path("ferret/checkpoint/config.json"));

        assertThat(c.vocabSize()).isEqualTo(32001);
        assertThat(c.hiddenSize()).isEqualTo(32);
        assertThat(c.intermediateSize()).isEqualTo(86);
        assertThat(c.numKeyValueHeads()).isEqualTo(4);
    }

    @Test
    void fillsHuggingFaceDefaultsForAbsentOptionalKeys() throws IOException {
        LlamaConfig c = read("{" + BASE + "}");

        assertThat(c.numKeyValueHeads()).isEqualTo(4);
        assertThat(c.numKeyValueGroups()).isEqualTo(1);
        assertThat(c.ropeTheta()).isEqualTo(10000.0);
        assertThat(c.rmsNormEps()).isEqualTo(1e-6);
        assertThat(c.pretrainingTp()).isEqualTo(1);
        assertThat(c.hiddenAct()).isEqualTo("silu");
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.bosTokenId()).isEqualTo(1);
        assertThat(c.eosTokenId()).isEqualTo(2);
        assertThat(c.padTokenId()).isNull();
    }

    @Test
    void acceptsGroupedQueryAttention() throws IOException {
        assertThat(read("{" + BASE + ", \"num_key_value_heads\": 2}").numKeyValueGroups()).isEqualTo(2);
    }

    @Test
    void rejectsUnsupportedOrInconsistentValuesNamingThem() {
        assertRejected("\"hidden_size\": 100, \"num_attention_heads\": 3, \"intermediate_size\": 1, "
                + "\"num_hidden_layers\": 1, \"max_position_embeddings\": 8, \"vocab_size\": 8",
                "hidden_size 100 not divisible by num_attention_heads 3");
        assertRejected(BASE + ", \"num_key_value_heads\": 3",
                "num_attention_heads 4 not divisible by num_key_value_heads 3");
        assertRejected(BASE + ", \"hidden_act\": \"gelu\"", "hidden_act 'gelu'");
        assertRejected(BASE + ", \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}",
                "rope_scaling {type=linear, factor=2.0}");
        assertRejected(BASE + ", \"pretraining_tp\": 2", "pretraining_tp 2");
        assertRejected(BASE + ", \"eos_token_id\": 32000", "eos_token_id 32000 is outside vocab_size 32000");
        assertRejected(BASE.replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 0"),
                "num_hidden_layers 0 must be positive");
        assertRejected(BASE.replace("64", "60").replace("\"num_attention_heads\": 4", "\"num_attention_heads\": 20"),
                "head_dim 3 (hidden_size 60 / num_attention_heads 20) must be even");
    }

    @Test
    void namesAMissingRequiredKey() {
        assertThatThrownBy(() -> read("{" + BASE.replace("\"hidden_size\": 64, ", "") + "}"))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("hidden_size");
    }

    private void assertRejected(String keys, String message) {
        assertThatThrownBy(() -> read("{" + keys + "}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    private LlamaConfig read(String json) throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), json);
        return LlamaConfig.fromJson(file);
    }
}
