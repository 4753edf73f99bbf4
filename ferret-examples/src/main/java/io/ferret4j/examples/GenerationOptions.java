package io.ferret4j.examples;

import io.ferret4j.llm.FerretOptions;
import io.ferret4j.llm.generate.GenerationConfig;
import picocli.CommandLine.Option;

/**
 * Options choosing how an answer is generated: {@code --max-new-tokens}, {@code --temperature}, {@code --top-k},
 * {@code --top-p}, {@code --seed}, {@code --deterministic} (a picocli mixin). Greedy unless a temperature, top-k or
 * top-p is given.
 */
final class GenerationOptions {
    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "" + FerretOptions.DEFAULT_MAX_NEW_TOKENS,
            description = "at most N new tokens per answer (default: ${DEFAULT-VALUE})")
    private int maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0",
            description = "sampling temperature; 0 with top-k 0 and top-p 1 decodes greedily (default: ${DEFAULT-VALUE})")
    private double temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0",
            description = "sample among the K likeliest tokens; 0 = no limit (default: ${DEFAULT-VALUE})")
    private int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1",
            description = "nucleus sampling: keep the likeliest tokens up to this probability (default: ${DEFAULT-VALUE})")
    private double topP;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "seeds the region sampler's random points and token sampling (default: ${DEFAULT-VALUE})")
    private long seed;

    @Option(names = "--deterministic",
            description = "the region sampler picks its points deterministically: the same question, the same answer")
    private boolean deterministic;

    /** {@code options} with these generation settings. */
    FerretOptions applyTo(FerretOptions options) {
        GenerationConfig generation = temperature == 0 && topK == 0 && topP == 1
                ? GenerationConfig.greedy(maxNewTokens)
                : GenerationConfig.sampling(maxNewTokens, temperature, topK, topP, seed);
        return options.withGeneration(generation).withDeterministicSampler(deterministic).withSeed(seed);
    }
}
