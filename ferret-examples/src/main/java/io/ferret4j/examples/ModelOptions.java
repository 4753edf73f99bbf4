package io.ferret4j.examples;

import java.nio.file.Path;

import io.ferret4j.core.nn.Precision;
import io.ferret4j.core.nn.WeightFormat;
import io.ferret4j.llm.FerretOptions;
import io.ferret4j.llm.generate.GenerationConfig;
import picocli.CommandLine.Option;

/**
 * The model options every model-running command takes (a picocli mixin): where the checkpoint is, how its weights
 * are held and multiplied, and how answers are generated.
 */
public final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the Ferret model folder")
    Path model;

    @Option(names = "--vision-tower", paramLabel = "DIR", description = "the CLIP folder, if not found beside the model")
    Path visionTower;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "answer length limit (default: ${DEFAULT-VALUE})")
    int maxNewTokens = FerretOptions.DEFAULT_MAX_NEW_TOKENS;

    @Option(names = "--temperature", paramLabel = "T", description = "0 = greedy (default)")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "sample among the K likeliest ids; 0 = no limit (default)")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", description = "nucleus sampling; 1 = no limit (default)")
    double topP = 1;

    @Option(names = "--seed", paramLabel = "S", description = "seeds sampling and region point sampling (default 0)")
    long seed;

    @Option(names = "--deterministic", description = "sample region points deterministically")
    boolean deterministic;

    @Option(names = "--weights", paramLabel = "f16|f32|q8_0", description = "LLM weights in memory (default f16)")
    String weights = "f16";

    @Option(names = "--vision-weights", paramLabel = "f32|f16", description = "CLIP weights in memory (default f32)")
    String visionWeights = "f32";

    @Option(names = "--vision-precision", paramLabel = "fp32|bf16", description = "CLIP arithmetic (default fp32)")
    String visionPrecision = "fp32";

    @Option(names = "--llm-precision", paramLabel = "fp32|bf16", description = "LLM prefill arithmetic (default fp32)")
    String llmPrecision = "fp32";

    @Option(names = "--kv-cache", paramLabel = "f32|f16", description = "key/value cache rows (default f32)")
    String kvCache = "f32";

    /** The model folder given with {@code --model}. */
    public Path model() {
        return model;
    }

    /** The options to load the model with: greedy unless a temperature, top-k or top-p asks for sampling. */
    public FerretOptions ferretOptions() {
        GenerationConfig generation = temperature == 0 && topP == 1 && topK == 0
                ? GenerationConfig.greedy(maxNewTokens)
                : GenerationConfig.sampling(maxNewTokens, temperature, topK, topP, seed);
        FerretOptions options = FerretOptions.defaults().withGeneration(generation)
                .withDeterministicSampler(deterministic).withSeed(seed)
                .withWeightFormat(WeightFormat.parse(weights))
                .withVisionWeightFormat(WeightFormat.parse(visionWeights))
                .withVisionPrecision(Precision.parse(visionPrecision))
                .withLlmPrecision(Precision.parse(llmPrecision))
                .withKvCacheFormat(WeightFormat.parse(kvCache));
        return visionTower == null ? options : options.withVisionTower(visionTower);
    }
}
