package io.ferret4j.llm.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import io.ferret4j.core.plan.Conversion;
import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.plan.KvCacheFormat;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.core.testing.AtOnce;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.weights.Checkpoints;
import io.ferret4j.core.weights.TensorSource;
import io.ferret4j.core.weights.Weights;
import io.ferret4j.llm.LlamaDecoder;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Generations decoded together through a {@link DecodeBatcher} on the golden tiny LLaMA: each gets exactly what it
 * gets alone, steps really hold several sequences, and a newcomer's prompt runs one chunk per round while the others
 * go on decoding.
 */
final class DecodeBatcherTest {
    private static final LlamaDecoder DECODER = LlamaDecoder.load(Goldens.path("llm/model"));
    private static final int VOCAB = DECODER.config().vocabSize();

    @Test
    void eightConcurrentGenerationsGetExactlyWhatEachGetsAlone() throws Exception {
        assertTogetherAsAlone(DECODER);
    }

    /** Q8_0 needs widths that are multiples of 32, which this model's MLP is not: see the end-to-end tests. */
    @Test
    void withF16WeightsTooEachGetsExactlyWhatItGetsAlone() throws Exception {
        try (TensorSource source = Checkpoints.open(Goldens.path("llm/model"))) {
            ExecutionPlan.Part part = new ExecutionPlan.Part(WeightFormat.F16, Conversion.AT_LOAD, Precision.FP32,
                    Engine.JAVA);
            assertTogetherAsAlone(LlamaDecoder.load(Weights.of(source), DECODER.config(), part));
        }
    }

    /** Eight generations, greedy and sampled, one by one and then at once: the same ids and first logits. */
    private static void assertTogetherAsAlone(LlamaDecoder decoder) throws Exception {
        DecodeBatcher batcher = new DecodeBatcher(decoder, 8, 16);
        Generator batched = new Generator(decoder, KvCacheFormat.F32, batcher);
        List<int[]> prompts = new ArrayList<>();
        List<GenerationConfig> configs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            prompts.add(prompt(5 + 7 * i, i));
            configs.add(i % 2 == 0 ? GenerationConfig.greedy(24) : GenerationConfig.sampling(24, 0.9, 20, 0.95, i));
        }
        List<GenerationResult> alone = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            alone.add(batched.generate(prompts.get(i), configs.get(i), TokenListener.NONE));
        }
        assertThat(batcher.steps()).as("one by one, every step holds one sequence").containsOnlyKeys(1);

        List<GenerationResult> together = AtOnce.run(8, i -> batched.generate(prompts.get(i), configs.get(i),
                TokenListener.NONE));

        for (int i = 0; i < 8; i++) {
            assertThat(together.get(i).tokenIds()).as("generation %d", i).containsExactly(alone.get(i).tokenIds());
            assertThat(together.get(i).firstStepLogits()).containsExactly(alone.get(i).firstStepLogits());
        }
        assertThat(batcher.steps().keySet().stream().mapToInt(Integer::intValue).max().orElseThrow())
                .as("steps that advanced several sequences at once").isGreaterThanOrEqualTo(4);
    }

    @Test
    void decodingAloneGivesTheSameIdsWhetherThePromptRunsInChunksOrWhole() {
        int[] prompt = prompt(40, 3);
        GenerationResult whole = new Generator(DECODER).generate(prompt, GenerationConfig.greedy(16),
                TokenListener.NONE);
        GenerationResult chunked = new Generator(DECODER, KvCacheFormat.F32, new DecodeBatcher(DECODER, 4, 7))
                .generate(prompt, GenerationConfig.greedy(16), TokenListener.NONE);

        assertThat(chunked.tokenIds()).containsExactly(whole.tokenIds());
        for (int i = 0; i < VOCAB; i++) {
            assertThat(chunked.firstStepLogits()[i]).isCloseTo(whole.firstStepLogits()[i],
                    org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void aRunningAnswerGoesOnDecodingWhileANewcomersPromptRunsChunkByChunk() throws Exception {
        int chunk = 8;
        int newcomerRows = 6 * chunk;
        DecodeBatcher batcher = new DecodeBatcher(DECODER, 8, chunk);
        Generator generator = new Generator(DECODER, KvCacheFormat.F32, batcher);
        AtomicInteger runningTokens = new AtomicInteger();
        CountDownLatch running = new CountDownLatch(2);
        int[] tokensBeforeNewcomersFirst = new int[1];
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<GenerationResult> first = pool.submit(() -> generator.generate(prompt(4, 1),
                    GenerationConfig.greedy(120), id -> {
                        runningTokens.incrementAndGet();
                        running.countDown();
                        return true;
                    }));
            running.await();                                           // the first answer is decoding
            int before = runningTokens.get();
            Future<GenerationResult> newcomer = pool.submit(() -> generator.generate(prompt(newcomerRows, 2),
                    GenerationConfig.greedy(2), id -> {
                        if (tokensBeforeNewcomersFirst[0] == 0) {
                            tokensBeforeNewcomersFirst[0] = runningTokens.get();
                        }
                        return true;
                    }));
            newcomer.get();
            first.get();
            assertThat(tokensBeforeNewcomersFirst[0] - before)
                    .as("tokens of the running answer while the newcomer's 6 chunks ran, one round each")
                    .isGreaterThanOrEqualTo(5);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailingStepFailsItsCallersAndTheBatcherGoesOn() {
        DecodeBatcher batcher = new DecodeBatcher(DECODER, 4, 16);
        Generator generator = new Generator(DECODER, KvCacheFormat.F32, batcher);
        INDArray wrongWidth = Nd4j.zeros(DataType.FLOAT, 3, DECODER.config().hiddenSize() + 1);

        assertThatThrownBy(() -> generator.generate(wrongWidth, GenerationConfig.greedy(2), TokenListener.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inputs_embeds");
        assertThat(generator.generate(prompt(5, 0), GenerationConfig.greedy(3), TokenListener.NONE).tokenIds())
                .hasSize(3);
    }

    @Test
    void settingsOutOfRangeAreRefusedWithTheirValues() {
        assertThatThrownBy(() -> new DecodeBatcher(DECODER, 0, 16)).hasMessageContaining("got 0 and 16");
        assertThatThrownBy(() -> new DecodeBatcher(DECODER, 32, 16)).hasMessageContaining("[1, 31]");
        assertThatThrownBy(() -> new DecodeBatcher(DECODER, 4, 0)).hasMessageContaining("got 4 and 0");
    }

    /** A prompt of {@code length} ids: BOS, then ids drawn from a seeded generator. */
    private static int[] prompt(int length, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        int[] ids = new int[length];
        ids[0] = 1;
        for (int i = 1; i < length; i++) {
            ids[i] = 3 + random.nextInt(VOCAB - 3);
        }
        return ids;
    }
}
