package io.ferret4j.llm.generate;

import java.util.Arrays;
import java.util.List;

/**
 * How to generate: at most {@code maxNewTokens} new ids, chosen greedily ({@code temperature == 0}) or sampled
 * with {@code temperature}, then restricted to the {@code topK} most likely ids ({@code 0} = no limit) and to the
 * smallest nucleus of probability {@code topP} ({@code 1} = no limit), drawn from a generator seeded with
 * {@code seed}. Generation also ends on EOS and on any of {@code stopSequences}. Unlike Hugging Face, sampling
 * applies no implicit {@code top_k = 50}.
 *
 * @param stopSequences id sequences that end the generation when the generated ids end with one of them
 * @param useCache      {@code false} recomputes the whole sequence at every step (slow; for checking the cache)
 */
public record GenerationConfig(int maxNewTokens, double temperature, int topK, double topP, long seed,
                               List<List<Integer>> stopSequences, boolean useCache) {

    /** Validates and copies the stop sequences. */
    public GenerationConfig {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max_new_tokens " + maxNewTokens + " must be at least 1");
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature " + temperature + " must be finite and >= 0 (0 = greedy)");
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k " + topK + " must be >= 0 (0 = no limit)");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p " + topP + " must be in (0, 1] (1 = no limit)");
        }
        stopSequences = stopSequences.stream().map(List::copyOf).toList();
        if (stopSequences.stream().anyMatch(List::isEmpty)) {
            throw new IllegalArgumentException("stop sequences must not be empty: " + stopSequences);
        }
    }

    /** Greedy decoding (argmax, lowest id on ties) of up to {@code maxNewTokens} ids, with the cache. */
    public static GenerationConfig greedy(int maxNewTokens) {
        return new GenerationConfig(maxNewTokens, 0, 0, 1, 0, List.of(), true);
    }

    /** Seeded sampling of up to {@code maxNewTokens} ids, with the cache. */
    public static GenerationConfig sampling(int maxNewTokens, double temperature, int topK, double topP, long seed) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, List.of(), true);
    }

    /** This configuration, also stopping after any of {@code sequences}. */
    public GenerationConfig withStopSequences(int[]... sequences) {
        List<List<Integer>> stops = Arrays.stream(sequences).map(s -> Arrays.stream(s).boxed().toList()).toList();
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, stops, useCache);
    }

    /** This configuration with ({@code true}) or without the key/value cache. */
    public GenerationConfig withCache(boolean cache) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, stopSequences, cache);
    }

    /** Whether ids are chosen by argmax ({@code temperature == 0}). */
    public boolean isGreedy() {
        return temperature == 0;
    }
}
