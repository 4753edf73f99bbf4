package io.ferret4j.llm.generate;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.util.Arrays;
import java.util.SplittableRandom;

import io.ferret4j.core.plan.KvCacheFormat;
import io.ferret4j.core.probe.Probe;
import io.ferret4j.llm.KvCache;
import io.ferret4j.llm.LlamaDecoder;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Generates token ids with a {@link LlamaDecoder}: the prompt goes through in batched passes, then each chosen id
 * is fed back, attending to the key/value cache. Alone, a generation runs the decoder on its own thread, the prompt
 * in one pass; with a {@link DecodeBatcher}, concurrent generations decode together and prompts run in chunks
 * between their steps. A generator holds no per-generation state, so one instance may serve several threads.
 */
public final class Generator {
    private final LlamaDecoder decoder;
    private final KvCacheFormat cacheFormat;
    private final StepRunner runner;

    /** A generator over {@code decoder} keeping fp32 keys and values. */
    public Generator(LlamaDecoder decoder) {
        this(decoder, KvCacheFormat.F32);
    }

    /** A generator over {@code decoder} keeping keys and values in {@code cacheFormat}, each generation alone. */
    public Generator(LlamaDecoder decoder, KvCacheFormat cacheFormat) {
        this.decoder = decoder;
        this.cacheFormat = cacheFormat;
        this.runner = new AloneRunner();
    }

    /** A generator whose generations decode together through {@code batcher}, which runs the same decoder. */
    public Generator(LlamaDecoder decoder, KvCacheFormat cacheFormat, DecodeBatcher batcher) {
        this.decoder = decoder;
        this.cacheFormat = cacheFormat;
        this.runner = batcher;
    }

    /**
     * Generates after a prompt of token ids; sampling, if any, draws from a generator seeded with
     * {@link GenerationConfig#seed()}.
     *
     * @throws IllegalArgumentException if the prompt is empty, holds an id outside the vocabulary, or if its
     *         length plus {@code max_new_tokens} exceeds {@code max_position_embeddings}
     */
    public GenerationResult generate(int[] promptIds, GenerationConfig config, TokenListener listener) {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: generation needs at least one token (BOS)");
        }
        checkContext(promptIds.length, config);
        return generate(decoder.embed(promptIds), config, listener);
    }

    /** Like {@link #generate(int[], GenerationConfig, TokenListener)} for prompt rows given as embeddings. */
    public GenerationResult generate(INDArray promptEmbeds, GenerationConfig config, TokenListener listener) {
        return generate(promptEmbeds, config, PrefixReuse.NONE, listener);
    }

    /**
     * Like {@link #generate(INDArray, GenerationConfig, TokenListener)}, starting from the rows {@code reuse}
     * restores and offering it the rows computed (with {@link GenerationConfig#useCache()} only).
     */
    public GenerationResult generate(INDArray promptEmbeds, GenerationConfig config, PrefixReuse reuse,
                                     TokenListener listener) {
        return generate(promptEmbeds, config, Sampler.of(config, new SplittableRandom(config.seed())), reuse,
                listener);
    }

    /**
     * Generates up to {@code config.maxNewTokens()} ids after {@code promptEmbeds}, the {@code [T, hidden]} rows
     * fed as HF's {@code inputs_embeds} at positions {@code 0 ... T−1} (token embeddings, or the multimodal
     * sequence with image and region rows spliced in). New ids get positions {@code T, T+1, ...}.
     *
     * @param sampler  chooses each id; {@link Sampler#of} builds one from {@code config} and a random generator
     * @param listener sees each id as soon as it is chosen and may cancel
     * @return the new ids (including the stop id(s)), why generation ended, and the logits after the prompt
     * @throws IllegalArgumentException if {@code T} plus {@code max_new_tokens} exceeds
     *         {@code max_position_embeddings}, or the rows are not {@code [T ≥ 1, hidden]}
     * @throws IllegalStateException if the model produces NaN logits
     */
    public GenerationResult generate(INDArray promptEmbeds, GenerationConfig config, Sampler sampler,
                                     TokenListener listener) {
        return generate(promptEmbeds, config, sampler, PrefixReuse.NONE, listener);
    }

    /**
     * Like {@link #generate(INDArray, GenerationConfig, Sampler, TokenListener)}, the prompt's leading rows
     * restored by {@code reuse} (at most all but the last, whose logits the first step needs) and the rows computed
     * offered to it at the end (with {@link GenerationConfig#useCache()} only).
     */
    public GenerationResult generate(INDArray promptEmbeds, GenerationConfig config, Sampler sampler,
                                     PrefixReuse reuse, TokenListener listener) {
        checkContext(promptEmbeds.size(0), config);
        try (Steps steps = config.useCache() ? new CachedSteps(promptEmbeds, config, reuse)
                : new RecomputedSteps(promptEmbeds)) {
            return generate(steps, config, sampler, listener);
        }
    }

    private GenerationResult generate(Steps steps, GenerationConfig config, Sampler sampler, TokenListener listener) {
        StopCriteria stop = new StopCriteria(decoder.config().eosTokenId(), config.stopSequences());
        float[] logits = steps.first();
        float[] firstStepLogits = logits;
        int[] ids = new int[config.maxNewTokens()];
        int count = 0;
        StopReason reason = StopReason.MAX_NEW_TOKENS;
        while (count < ids.length) {
            int next = sampler.sample(logits);
            ids[count++] = next;
            boolean goOn = listener.onToken(next);
            StopReason stopped = stop.check(ids, count);
            if (stopped != null || !goOn) {
                reason = stopped != null ? stopped : StopReason.CANCELLED;
                break;
            }
            if (count < ids.length) {
                logits = steps.next(next);
            }
        }
        steps.finish(ids);
        return new GenerationResult(Arrays.copyOf(ids, count), reason, firstStepLogits);
    }

    private void checkContext(long promptLength, GenerationConfig config) {
        int context = decoder.config().maxPositionEmbeddings();
        if (promptLength > context) {
            throw new IllegalArgumentException("prompt of " + promptLength + " tokens exceeds the context of "
                    + context + " positions (max_position_embeddings)");
        }
        if (promptLength + config.maxNewTokens() > context) {
            throw new IllegalArgumentException("prompt of " + promptLength + " tokens + max_new_tokens "
                    + config.maxNewTokens() + " = " + (promptLength + config.maxNewTokens())
                    + " exceeds the context of " + context + " positions (max_position_embeddings)");
        }
    }

    /** The logits of the last of {@code hiddenStates}' rows. */
    private float[] lastLogits(INDArray hiddenStates) {                // [T, hidden] -> [vocab]
        return decoder.logits(lastRow(hiddenStates)).data().asFloat();
    }

    static INDArray lastRow(INDArray hiddenStates) {                   // [T, hidden] -> [1, hidden]
        return hiddenStates.getRow(hiddenStates.size(0) - 1, true).dup();
    }

    /** {@code logits}, unless the model produced a NaN at generation step {@code step}. */
    private static float[] checked(float[] logits, int step) {
        for (int i = 0; i < logits.length; i++) {
            if (Float.isNaN(logits[i])) {
                throw new IllegalStateException("the model produced NaN logits at generation step " + step
                        + " (first at id " + i + ")");
            }
        }
        return logits;
    }

    /** Produces the logits of each step: after the prompt, then after each chosen id; closing frees its cache. */
    private interface Steps extends AutoCloseable {
        float[] first();

        float[] next(int tokenId);

        /** After the last step: {@code ids} begins with the ids fed back by {@link #next}. */
        void finish(int[] ids);

        @Override
        void close();
    }

    /** Runs the decoder for the cached steps of generations: alone on the caller's thread, or in batches. */
    interface StepRunner {
        /** Runs prompt rows {@code [T, hidden]} after {@code cache}'s and returns the logits of the last. */
        float[] prefill(KvCache cache, INDArray rows);

        /** Feeds {@code tokenId} after {@code cache}'s rows and returns the logits after it. */
        float[] step(KvCache cache, int tokenId);

        /** A generation's prompt is done and it starts decoding. */
        void join();

        /** A generation has taken its last step. */
        void leave();
    }

    /** Each generation runs the decoder on its own thread, its prompt in one pass. */
    private final class AloneRunner implements StepRunner {
        @Override
        public float[] prefill(KvCache cache, INDArray rows) {
            return lastLogits(decoder.forward(rows, cache, Probe.NONE));
        }

        @Override
        public float[] step(KvCache cache, int tokenId) {
            return lastLogits(decoder.forward(new int[] {tokenId}, cache));
        }

        @Override
        public void join() {
        }

        @Override
        public void leave() {
        }
    }

    /** Prefill once, then one row per step through the cache. */
    private final class CachedSteps implements Steps {
        private final INDArray prompt;
        private final KvCache cache;
        private final PrefixReuse reuse;
        private int step;
        private boolean decoding;

        CachedSteps(INDArray prompt, GenerationConfig config, PrefixReuse reuse) {
            this.prompt = prompt;
            this.cache = decoder.newCache((int) prompt.size(0) + config.maxNewTokens(), cacheFormat);
            this.reuse = reuse;
        }

        @Override
        public float[] first() {
            int rows = (int) prompt.size(0);
            int restored = reuse.restore(cache, rows - 1);
            INDArray rest = restored == 0 ? prompt : prompt.get(interval(restored, rows), all()).dup();
            float[] logits = checked(runner.prefill(cache, rest), step++);        // rest: [T − restored, hidden]
            runner.join();
            decoding = true;
            return logits;
        }

        @Override
        public void finish(int[] ids) {
            reuse.keep(cache, Arrays.copyOf(ids, cache.length() - (int) prompt.size(0)));
        }

        @Override
        public float[] next(int tokenId) {
            return checked(runner.step(cache, tokenId), step++);
        }

        @Override
        public void close() {
            if (decoding) {
                runner.leave();
            }
            cache.close();
        }
    }

    /** The whole sequence from scratch at every step, as HF's {@code use_cache=False}. */
    private final class RecomputedSteps implements Steps {
        private INDArray sequence;                                     // [T + step, hidden]
        private int step;

        RecomputedSteps(INDArray prompt) {
            this.sequence = prompt;
        }

        @Override
        public float[] first() {
            return run();
        }

        @Override
        public float[] next(int tokenId) {
            sequence = Nd4j.concat(0, sequence, decoder.embed(new int[] {tokenId}));
            return run();
        }

        private float[] run() {
            try (KvCache fresh = decoder.newCache((int) sequence.size(0), cacheFormat)) {
                return checked(lastLogits(decoder.forward(sequence, fresh, Probe.NONE)), step++);
            }
        }

        @Override
        public void finish(int[] ids) {
        }

        @Override
        public void close() {
        }
    }
}
