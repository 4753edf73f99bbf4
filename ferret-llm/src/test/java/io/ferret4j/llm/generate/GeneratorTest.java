package io.ferret4j.llm.generate;

import static io.ferret4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.ferret4j.core.plan.KvCacheFormat;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.testing.TensorAssert;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.core.weights.Weights;
import io.ferret4j.llm.LlamaConfig;
import io.ferret4j.llm.LlamaDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

final class GeneratorTest {
    private static final double ATOL = 1e-4;
    private static final Path MODEL = Goldens.path("llm/model");
    private static final LlamaDecoder DECODER = LlamaDecoder.load(MODEL);
    private static final SafeTensors GOLDENS = SafeTensors.open(Goldens.path("llm/llm_goldens.safetensors"));

    private final Generator generator = new Generator(DECODER);
    private final int[] prompt = GOLDENS.get("gen.prompt_ids").toInts();
    private final int[] expectedIds = GOLDENS.get("gen.new_ids").toInts();

    @ParameterizedTest(name = "useCache={0}")
    @ValueSource(booleans = {true, false})
    void greedyGenerationMatchesHuggingFace(boolean useCache) {
        GenerationResult result = generator.generate(prompt, GenerationConfig.greedy(16).withCache(useCache),
                TokenListener.NONE);

        assertThat(result.tokenIds()).containsExactly(expectedIds);
        assertThat(result.stopReason()).isEqualTo(StopReason.MAX_NEW_TOKENS);
        assertClose(GOLDENS.get("gen.step0_logits").toFloats(), result.firstStepLogits(), ATOL, 0);
    }

    @ParameterizedTest(name = "useCache={0}")
    @ValueSource(booleans = {true, false})
    void anF16CacheGeneratesTheSameGreedyIds(boolean useCache) {
        GenerationResult result = new Generator(DECODER, KvCacheFormat.F16).generate(prompt,
                GenerationConfig.greedy(16).withCache(useCache), TokenListener.NONE);

        assertThat(result.tokenIds()).containsExactly(expectedIds);
        double diff = TensorAssert.maxAbsDiff(GOLDENS.get("gen.step0_logits").toFloatArray(),
                Nd4j.create(result.firstStepLogits()));
        assertThat(diff).as("keys and values rounded to fp16").isPositive().isLessThan(2e-3);
    }

    @ParameterizedTest(name = "useCache={0}")
    @ValueSource(booleans = {true, false})
    void greedyGenerationFromInputsEmbedsMatchesHuggingFace(boolean useCache) {
        INDArray embeds = GOLDENS.get("gen_embeds.inputs_embeds").toFloatArray();           // [12, 64]

        GenerationResult result = generator.generate(embeds, GenerationConfig.greedy(16).withCache(useCache),
                TokenListener.NONE);

        // HF 4.31 returns [bos] + the new ids for inputs_embeds; the golden holds the 16 new ones
        assertThat(result.tokenIds()).containsExactly(GOLDENS.get("gen_embeds.new_ids").toInts());
        assertClose(GOLDENS.get("gen_embeds.step0_logits").toFloats(), result.firstStepLogits(), ATOL, 0);
    }

    @Test
    void streamsEveryIdInOrderAsItIsChosen() {
        List<Integer> streamed = new ArrayList<>();

        GenerationResult result = generator.generate(prompt, GenerationConfig.greedy(16), id -> streamed.add(id));

        assertThat(streamed).containsExactly(Arrays.stream(result.tokenIds()).boxed().toArray(Integer[]::new));
    }

    @Test
    void theListenerCanCancel() {
        List<Integer> streamed = new ArrayList<>();

        GenerationResult result = generator.generate(prompt, GenerationConfig.greedy(16),
                id -> streamed.add(id) && streamed.size() < 3);

        assertThat(result.tokenIds()).containsExactly(Arrays.copyOf(expectedIds, 3));
        assertThat(result.stopReason()).isEqualTo(StopReason.CANCELLED);
    }

    @Test
    void stopsAfterAStopSequenceAndReturnsIt() {
        GenerationConfig config = GenerationConfig.greedy(16).withStopSequences(
                new int[] {expectedIds[4], expectedIds[6]},                 // not consecutive: never matches
                new int[] {expectedIds[5], expectedIds[6]});

        GenerationResult result = generator.generate(prompt, config, TokenListener.NONE);

        assertThat(result.tokenIds()).containsExactly(Arrays.copyOf(expectedIds, 7));
        assertThat(result.stopReason()).isEqualTo(StopReason.STOP_SEQUENCE);
    }

    @Test
    void stopsOnTheConfiguredEosId() {
        Generator eosAtFifth = new Generator(LlamaDecoder.load(
                Weights.of(SafeTensors.open(MODEL.resolve("model.safetensors"))), withEos(expectedIds[4])));

        GenerationResult result = eosAtFifth.generate(prompt, GenerationConfig.greedy(16), TokenListener.NONE);

        assertThat(result.tokenIds()).containsExactly(Arrays.copyOf(expectedIds, 5));
        assertThat(result.stopReason()).isEqualTo(StopReason.EOS);
    }

    @Test
    void stopsAtMaxNewTokens() {
        GenerationResult result = generator.generate(prompt, GenerationConfig.greedy(5), TokenListener.NONE);

        assertThat(result.tokenIds()).containsExactly(Arrays.copyOf(expectedIds, 5));
        assertThat(result.stopReason()).isEqualTo(StopReason.MAX_NEW_TOKENS);
    }

    @Test
    void refusesToRunPastTheContextLength() {
        assertThatThrownBy(() -> generator.generate(prompt, GenerationConfig.greedy(2037), TokenListener.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prompt of 12 tokens + max_new_tokens 2037 = 2049")
                .hasMessageContaining("context of 2048");
        int[] tooLong = new int[2049];
        Arrays.fill(tooLong, 1);
        assertThatThrownBy(() -> generator.generate(tooLong, GenerationConfig.greedy(1), TokenListener.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prompt of 2049 tokens exceeds the context of 2048");
    }

    @Test
    void generatesUpToExactlyTheContextLength() {
        int[] longPrompt = new int[2040];
        Arrays.fill(longPrompt, 1);

        GenerationResult result = generator.generate(longPrompt, GenerationConfig.greedy(8), TokenListener.NONE);

        assertThat(result.tokenIds()).hasSize(8);
    }

    @Test
    void rejectsUnknownIdsAndEmptyPrompts() {
        assertThatThrownBy(() -> generator.generate(new int[] {1, 32000}, GenerationConfig.greedy(4),
                TokenListener.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token id 32000").hasMessageContaining("vocab_size 32000");
        assertThatThrownBy(() -> generator.generate(new int[] {-1}, GenerationConfig.greedy(4), TokenListener.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id -1");
        assertThatThrownBy(() -> generator.generate(new int[0], GenerationConfig.greedy(4), TokenListener.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prompt is empty");
    }

    @Test
    void seededSamplingIsReproducibleAndSeedDependent() {
        GenerationConfig config = GenerationConfig.sampling(12, 1.5, 40, 0.95, 7);

        int[] first = generator.generate(prompt, config, TokenListener.NONE).tokenIds();
        int[] again = generator.generate(prompt, config, TokenListener.NONE).tokenIds();
        int[] otherSeed = generator.generate(prompt, GenerationConfig.sampling(12, 1.5, 40, 0.95, 8),
                TokenListener.NONE).tokenIds();

        assertThat(again).containsExactly(first);
        assertThat(otherSeed).isNotEqualTo(first);
        assertThat(first).isNotEqualTo(expectedIds);
    }

    private static LlamaConfig withEos(int eos) {
        LlamaConfig c = LlamaConfig.fromJson(MODEL.resolve("config.json"));
        return new LlamaConfig(c.hiddenSize(), c.intermediateSize(), c.numHiddenLayers(), c.numAttentionHeads(),
                c.numKeyValueHeads(), c.rmsNormEps(), c.maxPositionEmbeddings(), c.vocabSize(), c.bosTokenId(), eos,
                c.padTokenId(), c.tieWordEmbeddings(), c.hiddenAct(), c.ropeScaling(), c.pretrainingTp(),
                c.ropeTheta());
    }
}
