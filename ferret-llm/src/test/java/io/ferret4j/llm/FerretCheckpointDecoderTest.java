package io.ferret4j.llm;

import static io.ferret4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.weights.CheckpointException;
import io.ferret4j.core.weights.Checkpoints;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.Float16;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.core.weights.SafeTensorsWriter;
import io.ferret4j.core.weights.TensorSource;
import io.ferret4j.core.weights.Weights;
import io.ferret4j.llm.generate.GenerationConfig;
import io.ferret4j.llm.generate.Generator;
import io.ferret4j.llm.generate.TokenListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The LLM part of the tiny Ferret checkpoint (F16 weights, vocab 32001, hidden 32), loaded through a shared
 * {@link Weights} view as the assembled model will, and run on the merged multimodal sequences of the goldens.
 */
final class FerretCheckpointDecoderTest {
    private static final Path CHECKPOINT = Goldens.path("ferret/checkpoint");
    private static final LlamaConfig CONFIG = LlamaConfig.fromJson(CHECKPOINT.resolve("config.json"));

    @TempDir
    Path dir;

    @Test
    void loadsTheLlmTensorsAndLeavesTheMultimodalOnesToTheCaller() {
        try (TensorSource source = Checkpoints.open(CHECKPOINT)) {
            Weights w = Weights.of(source);
            LlamaDecoder decoder = LlamaDecoder.load(w, CONFIG);

            assertThat(w.unusedKeys()).hasSize(18).allMatch(k -> k.startsWith("model.mm_projector.")
                    || k.startsWith("model.region_geo_sampler."));
            RawTensor table = source.get("model.embed_tokens.weight");
            assertThat(table.dtype()).isEqualTo(DType.F16);
            float[] regionFeaRow = new float[32];
            for (int i = 0; i < 32; i++) {
                regionFeaRow[i] = Float16.toFloat(table.bytes().getShort((32000 * 32 + i) * 2));
            }
            assertThat(decoder.embed(new int[] {32000}).data().asFloat()).containsExactly(regionFeaRow);
            INDArray logits = decoder.logits(decoder.forward(new int[] {1, 32000}, decoder.newCache(2)));
            assertThat(logits.shape()).containsExactly(2, 32001);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ground", "refer"})
    void matchesTheReferenceOnTheMergedMultimodalSequence(String prompt) {
        try (TensorSource source = Checkpoints.open(CHECKPOINT);
             SafeTensors goldens = SafeTensors.open(Goldens.path("ferret/ferret_goldens.safetensors"))) {
            LlamaDecoder decoder = LlamaDecoder.load(Weights.of(source), CONFIG);
            INDArray inputsEmbeds = goldens.get(prompt + ".inputs_embeds").toFloatArray();       // [T, 32]

            var result = new Generator(decoder).generate(inputsEmbeds, GenerationConfig.greedy(12), TokenListener.NONE);

            assertClose(goldens.get(prompt + ".last_logits").toFloats(), result.firstStepLogits(), 1e-4, 0);
            assertThat(result.tokenIds()).containsExactly(goldens.get(prompt + ".gen_new_ids").toInts());
        }
    }

    @Test
    void rejectsAnF16InvFreqOneUlpOffTheFormula() throws Exception {
        String invFreq = "model.layers.0.self_attn.rotary_emb.inv_freq";
        Path edited = dir.resolve("model.safetensors");
        SafeTensorsWriter writer = new SafeTensorsWriter();
        try (SafeTensors source = SafeTensors.open(CHECKPOINT.resolve("model.safetensors"))) {
            for (String name : source.names()) {
                writer.add(name, name.equals(invFreq) ? nextUlpAt(source.get(name), 1) : source.get(name));
            }
            writer.write(edited);
        }
        Files.copy(CHECKPOINT.resolve("config.json"), dir.resolve("config.json"));

        try (TensorSource source = Checkpoints.open(dir)) {
            assertThatThrownBy(() -> LlamaDecoder.load(Weights.of(source), CONFIG))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("'" + invFreq + "'[1]").hasMessageContaining("in F16");
        }
    }

    /** The F16 tensor with element {@code index} moved up by one unit in the last place. */
    private static RawTensor nextUlpAt(RawTensor t, int index) {
        assertThat(t.dtype()).isEqualTo(DType.F16);
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.numel() * 2)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(t.bytes()).flip();
        b.putShort(index * 2, (short) (b.getShort(index * 2) + 1));
        return new RawTensor(t.name(), DType.F16, t.shape(), b, t.file());
    }
}
