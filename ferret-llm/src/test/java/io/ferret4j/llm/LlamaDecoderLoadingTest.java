package io.ferret4j.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiFunction;

import io.ferret4j.core.testing.TensorAssert;
import io.ferret4j.core.weights.CheckpointException;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.core.weights.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

final class LlamaDecoderLoadingTest {
    private static final String INV_FREQ_1 = "model.layers.1.self_attn.rotary_emb.inv_freq";

    @TempDir
    Path dir;

    @Test
    void acceptsStoredInvFreqMatchingTheFormulaAndMarksItUsed() {
        Weights w = TinyLlama.weights();
        LlamaDecoder.load(w, TinyLlama.config());

        assertThat(w.unusedKeys()).isEmpty();
    }

    @Test
    void rejectsStoredInvFreqThatDiffersFromTheFormula() throws IOException {
        writeModel((name, t) -> name.equals(INV_FREQ_1) ? scaled(t, 3, 1 + 1e-5f) : t, Map.of());

        assertThatThrownBy(() -> LlamaDecoder.load(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'" + INV_FREQ_1 + "'[3]")
                .hasMessageContaining("1/10000.0^(6/16)");
    }

    @Test
    void rejectsStoredInvFreqOfAnotherRopeTheta() {
        LlamaConfig c = TinyLlama.config();
        LlamaConfig otherTheta = new LlamaConfig(c.hiddenSize(), c.intermediateSize(), c.numHiddenLayers(),
                c.numAttentionHeads(), c.numKeyValueHeads(), c.rmsNormEps(), c.maxPositionEmbeddings(), c.vocabSize(),
                c.bosTokenId(), c.eosTokenId(), c.padTokenId(), c.tieWordEmbeddings(), c.hiddenAct(), null,
                c.pretrainingTp(), 500000.0);

        assertThatThrownBy(() -> LlamaDecoder.load(TinyLlama.weights(), otherTheta))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.layers.0.self_attn.rotary_emb.inv_freq'[1]");
    }

    @Test
    void loadsCheckpointsWithoutInvFreqBuffersToTheSameLogits() throws IOException {
        writeModel((name, t) -> name.endsWith("inv_freq") ? null : t, Map.of());
        int[] ids = {1, 450, 4996, 17354, 1701};

        assertThat(logits(LlamaDecoder.load(dir), ids)).isEqualTo(logits(TinyLlama.decoder(), ids));
    }

    @Test
    void rejectsAMissingTensorNamingIt() throws IOException {
        writeModel((name, t) -> name.equals("model.norm.weight") ? null : t, Map.of());

        assertThatThrownBy(() -> LlamaDecoder.load(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("missing tensor 'model.norm.weight'");
    }

    @Test
    void plainFolderLoadRejectsTensorsTheDecoderDoesNotUse() throws IOException {
        writeModel((name, t) -> t, Map.of("model.layers.0.self_attn.extra_bias", new float[64]));

        assertThatThrownBy(() -> LlamaDecoder.load(dir))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.layers.0.self_attn.extra_bias");
    }

    @Test
    void tiedWordEmbeddingsProjectOntoTheEmbeddingTable() throws IOException {
        writeModel((name, t) -> name.equals("lm_head.weight") ? null : t, Map.of());
        String json = Files.readString(TinyLlama.modelDir().resolve("config.json"))
                .replace("\"tie_word_embeddings\": false", "\"tie_word_embeddings\": true");
        Files.writeString(dir.resolve("config.json"), json);
        LlamaDecoder tied = LlamaDecoder.load(dir);
        int[] ids = {1, 450, 4996};

        INDArray hidden = tied.forward(ids, tied.newCache(ids.length));
        INDArray embedTable;
        try (SafeTensors st = SafeTensors.open(dir.resolve("model.safetensors"))) {
            embedTable = st.get("model.embed_tokens.weight").toFloatArray();
        }
        TensorAssert.assertClose(hidden.mmul(embedTable.transpose()), tied.logits(hidden), 1e-5, 0);
    }

    @Test
    void groupedQueryAttentionEqualsMultiHeadAttentionWithRepeatedKeyValueHeads() throws IOException {
        // GQA with 2 kv heads (original heads 0 and 2); MHA gets each of them twice, as HF's repeat_kv
        Path gqa = Files.createDirectory(dir.resolve("gqa"));
        Path mha = Files.createDirectory(dir.resolve("mha"));
        int[] kvHeadsKept = {0, 2};
        int[] mhaHeads = {0, 0, 2, 2};
        TinyLlama.writeEditedCheckpoint(gqa.resolve("model.safetensors"),
                (name, t) -> isKeyOrValue(name) ? headRows(t, kvHeadsKept) : t, Map.of());
        TinyLlama.writeEditedCheckpoint(mha.resolve("model.safetensors"),
                (name, t) -> isKeyOrValue(name) ? headRows(t, mhaHeads) : t, Map.of());
        String json = Files.readString(TinyLlama.modelDir().resolve("config.json"));
        Files.writeString(gqa.resolve("config.json"),
                json.replace("\"num_key_value_heads\": 4", "\"num_key_value_heads\": 2"));
        Files.writeString(mha.resolve("config.json"), json);
        int[] ids = TinyLlama.goldenInts("input_ids");

        LlamaDecoder grouped = LlamaDecoder.load(gqa);
        assertThat(grouped.config().numKeyValueGroups()).isEqualTo(2);
        INDArray expected = logits(LlamaDecoder.load(mha), ids);
        TensorAssert.assertClose(expected, logits(grouped, ids), 1e-5, 0);
        assertThat(TensorAssert.maxAbsDiff(expected, logits(TinyLlama.decoder(), ids))).isGreaterThan(1e-2);
    }

    private static boolean isKeyOrValue(String name) {
        return name.endsWith("k_proj.weight") || name.endsWith("v_proj.weight");
    }

    /** The rows of the given 16-row heads of a [64, 64] k/v projection, concatenated. */
    private static RawTensor headRows(RawTensor t, int[] heads) {
        float[] all = t.toFloats();
        float[] out = new float[heads.length * 16 * 64];
        for (int h = 0; h < heads.length; h++) {
            System.arraycopy(all, heads[h] * 16 * 64, out, h * 16 * 64, 16 * 64);
        }
        return f32(t.name(), new long[] {heads.length * 16L, 64}, out);
    }

    private static RawTensor scaled(RawTensor t, int index, float factor) {
        float[] v = t.toFloats();
        v[index] *= factor;
        return f32(t.name(), t.shape(), v);
    }

    private static RawTensor f32(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new RawTensor(name, DType.F32, shape, b, Path.of(name));
    }

    private static INDArray logits(LlamaDecoder decoder, int[] ids) {
        return decoder.logits(decoder.forward(ids, decoder.newCache(ids.length)));
    }

    private void writeModel(BiFunction<String, RawTensor, RawTensor> edit, Map<String, float[]> extra)
            throws IOException {
        TinyLlama.writeEditedCheckpoint(dir.resolve("model.safetensors"), edit, extra);
        Files.copy(TinyLlama.modelDir().resolve("config.json"), dir.resolve("config.json"));
    }
}
