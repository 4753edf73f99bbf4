package io.ferret4j.examples;

import java.nio.file.Path;

import io.ferret4j.core.nn.Precision;
import io.ferret4j.core.nn.WeightFormat;
import io.ferret4j.llm.FerretOptions;
import io.ferret4j.llm.generate.GenerationConfig;
import picocli.CommandLine.Option;

/**
 * The options that load a model and set its decoding, shared by the picocli commands ({@code @Mixin}). Decoding
 * options left unset fall back to the defaults the command passes, so a command can default to its reference
 * script's settings (the evaluation scripts sample at temperature 0.001 for up to 1024 tokens).
 */
public final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Ferret model folder")
    Path model;

    @Option(names = "--vision-tower", paramLabel = "DIR", description = "CLIP folder, if not in the model folder")
    Path visionTower;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "longest answer, in tokens")
    Integer maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", description = "sampling temperature (0 = greedy)")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "sample among the K likeliest tokens (0 = all)")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "nucleus sampling mass (1 = all)")
    Double topP;

    @Option(names = "--seed", paramLabel = "S", description = "seed of sampling and of region point sampling")
    long seed;

    @Option(names = "--deterministic", description = "sample region points deterministically")
    boolean deterministic;

    @Option(names = "--weights", paramLabel = "f16|f32|q8_0", defaultValue = "f16", description = "LLM weight format")
    String weights;

    @Option(names = "--vision-weights", paramLabel = "f32|f16", defaultValue = "f32",
            description = "vision tower weight format")
    String visionWeights;

    @Option(names = "--vision-precision", paramLabel = "fp32|bf16", defaultValue = "fp32")
    String visionPrecision;

    @Option(names = "--llm-precision", paramLabel = "fp32|bf16", defaultValue = "fp32")
    String llmPrecision;

    @Option(names = "--kv-cache", paramLabel = "f32|f16", defaultValue = "f32")
    String kvCache;

    /** The model folder. */
    public Path model() {
        return model;
    }

    /**
     * The decoding: the options given, the command's defaults for those not given. Greedy when the temperature is 0
     * and there is no top-p limit.
     */
    public GenerationConfig generation(int defaultMaxNewTokens, double defaultTemperature, int defaultTopK,
                                       double defaultTopP) {
        int length = maxNewTokens != null ? maxNewTokens : defaultMaxNewTokens;
        double t = temperature != null ? temperature : defaultTemperature;
        double p = topP != null ? topP : defaultTopP;
        int k = topK != null ? topK : defaultTopK;
        return t == 0 && p == 1 ? GenerationConfig.greedy(length) : GenerationConfig.sampling(length, t, k, p, seed);
    }

    /** How to load the model, decoding with {@code generation}. */
    public FerretOptions ferretOptions(GenerationConfig generation) {
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
