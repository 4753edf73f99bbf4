package io.ferret4j.llm;

import static io.ferret4j.core.testing.TensorAssert.assertClose;
import static io.ferret4j.llm.TinyLlama.ATOL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;

import io.ferret4j.core.kernels.CausalAttention;
import io.ferret4j.core.plan.KvCacheFormat;
import io.ferret4j.core.probe.Probe;
import io.ferret4j.core.probe.RecordingProbe;
import io.ferret4j.core.testing.TensorAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class LlamaDecoderTest {
    /** Keys and values rounded to fp16 moved the golden logits by at most 5.2e-4 (fp32 cache: ATOL 1e-4). */
    private static final double F16_CACHE_ATOL = 2e-3;
    private final LlamaDecoder decoder = decoderUnderTest();

    /** The decoder these tests run; {@link LlamaDecoderNd4jTest} runs them all on the ND4J engine. */
    LlamaDecoder decoderUnderTest() {
        return TinyLlama.decoder();
    }

    @Test
    void matchesHuggingFaceHiddenStatesOfEveryLayer() {
        int[] ids = TinyLlama.goldenInts("input_ids");
        INDArray expected = TinyLlama.goldenArray("hidden_states");                 // [L+1, 37, 64]
        RecordingProbe probe = new RecordingProbe();

        decoder.forward(decoder.embed(ids), decoder.newCache(ids.length), probe);

        assertClose(expected.slice(0), probe.get("embeddings"), ATOL, 0);
        assertClose(expected.slice(1), probe.get("layer_out.0"), ATOL, 0);
        assertClose(expected.slice(2), probe.get("norm"), ATOL, 0);                 // hidden_states[L] is normed
    }

    @Test
    void matchesHuggingFaceLogitsRows() {
        int[] ids = TinyLlama.goldenInts("input_ids");
        int[] rows = TinyLlama.goldenInts("logits_rows_index");

        INDArray hidden = decoder.forward(ids, decoder.newCache(ids.length));
        INDArray logits = decoder.logits(Nd4j.pullRows(hidden, 1, rows));

        assertClose(TinyLlama.goldenArray("logits_rows"), logits, ATOL, 0);
    }

    @Test
    void prefillThenDecodeGivesTheLogitsOfRecomputingTheWholeSequence() {
        int[] ids = TinyLlama.goldenInts("input_ids");
        int prefill = 20;
        KvCache cache = decoder.newCache(ids.length);
        INDArray hidden = decoder.forward(Arrays.copyOf(ids, prefill), cache);
        INDArray cachedLastLogits = decoder.logits(hidden.getRow(prefill - 1, true).dup());

        for (int n = prefill; n <= ids.length; n++) {
            int[] prefix = Arrays.copyOf(ids, n);
            INDArray full = decoder.forward(prefix, decoder.newCache(n));
            INDArray recomputed = decoder.logits(full.getRow(n - 1, true).dup());
            assertClose(recomputed, cachedLastLogits, ATOL, 0);
            if (n < ids.length) {
                cachedLastLogits = decoder.logits(decoder.forward(new int[] {ids[n]}, cache));
            }
        }
        assertThat(cache.length()).isEqualTo(ids.length);
    }

    /** F32: every logit within ATOL; F16 (keys and values rounded) within F16_CACHE_ATOL; both: the golden ids. */
    @ParameterizedTest
    @EnumSource(value = KvCacheFormat.class, names = {"F32", "F16"})
    void matchesHuggingFaceLogitsAtEveryCachedDecodeStep(KvCacheFormat cacheFormat) {
        double atol = cacheFormat == KvCacheFormat.F32 ? ATOL : F16_CACHE_ATOL;
        int[] prompt = TinyLlama.goldenInts("gen.prompt_ids");
        int[] newIds = TinyLlama.goldenInts("gen.new_ids");
        int[] top5Ids = TinyLlama.goldenInts("gen.step_top5_ids");
        INDArray top5Logits = TinyLlama.goldenArray("gen.step_top5_logits");         // [16, 5]
        KvCache cache = decoder.newCache(prompt.length + newIds.length, cacheFormat);

        INDArray logits = decoder.logits(decoder.forward(prompt, cache).getRow(prompt.length - 1, true).dup());
        assertClose(TinyLlama.goldenArray("gen.step0_logits").reshape(1, 32000), logits, atol, 0);
        for (int step = 0; step < newIds.length; step++) {
            INDArray atTop5 = logits.get(NDArrayIndex.point(0),
                    NDArrayIndex.indices(Arrays.stream(top5Ids, step * 5, step * 5 + 5).asLongStream().toArray()));
            assertClose(top5Logits.getRow(step), atTop5, atol, 0);
            assertThat(logits.argMax(1).getInt(0)).as("greedy id at step %d", step).isEqualTo(newIds[step]);
            logits = decoder.logits(decoder.forward(new int[] {newIds[step]}, cache));
        }
    }

    @Test
    void aPromptLongerThanOneQueryBlockGivesTheRowsOfDecodingItTokenByToken() {
        int length = 2 * CausalAttention.QUERY_BLOCK + 45;             // three blocks, after a past of 20
        int[] ids = new SplittableRandom(5).ints(length, 3, 32000).toArray();
        KvCache batched = decoder.newCache(length);
        KvCache stepwise = decoder.newCache(length);
        decoder.forward(Arrays.copyOf(ids, 20), batched);

        INDArray blocks = decoder.forward(Arrays.copyOfRange(ids, 20, length), batched);   // [length-20, 64]
        for (int t = 0; t < length; t++) {
            INDArray row = decoder.forward(new int[] {ids[t]}, stepwise);
            if (t >= 20) {
                assertClose(row, blocks.getRow(t - 20, true), ATOL, 0);
            }
        }
    }

    @Test
    void anF16CacheMovesTheNextTokensLogitsSlightly() {
        int[] prompt = TinyLlama.goldenInts("gen.prompt_ids");

        double moved = TensorAssert.maxAbsDiff(nextLogits(prompt, KvCacheFormat.F32), nextLogits(prompt, KvCacheFormat.F16));

        assertThat(moved).as("fp16 rounding of keys and values").isGreaterThan(0).isLessThan(F16_CACHE_ATOL);
    }

    private INDArray nextLogits(int[] prompt, KvCacheFormat cacheFormat) {
        KvCache cache = decoder.newCache(prompt.length + 1, cacheFormat);
        decoder.forward(prompt, cache);
        return decoder.logits(decoder.forward(new int[] {7}, cache));
    }

    @Test
    void rejectsTokenIdsOutsideTheVocabularyNamingIdAndSize() {
        assertThatThrownBy(() -> decoder.embed(new int[] {1, 32000}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token id 32000 at position 1").hasMessageContaining("vocab_size 32000");
        assertThatThrownBy(() -> decoder.embed(new int[] {-3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-3");
    }

    @Test
    void rejectsAnEmptyInput() {
        assertThatThrownBy(() -> decoder.embed(new int[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> decoder.forward(Nd4j.create(DataType.FLOAT, 0, 64),
                decoder.newCache(4), Probe.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[T >= 1, 64]");
    }

    @Test
    void rejectsInputsEmbedsOfTheWrongWidth() {
        assertThatThrownBy(() -> decoder.forward(Nd4j.zeros(DataType.FLOAT, 3, 32),
                decoder.newCache(4), Probe.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[3, 32]");
    }

    @Test
    void refusesToOverflowTheCacheOrTheContext() {
        KvCache cache = decoder.newCache(4);
        decoder.forward(new int[] {1, 2, 3}, cache);
        assertThatThrownBy(() -> decoder.forward(new int[] {4, 5}, cache))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 new token(s) after 3").hasMessageContaining("capacity of 4");
        assertThat(cache.length()).isEqualTo(3);
        assertThatThrownBy(() -> decoder.newCache(2049))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2049").hasMessageContaining("2048");
    }

    @Test
    void aClosedCacheRefusesFurtherTokens() {
        KvCache cache = decoder.newCache(4);
        decoder.forward(new int[] {1, 2}, cache);
        cache.close();
        cache.close();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> decoder.forward(new int[] {3}, cache))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cache was closed");
    }
}
