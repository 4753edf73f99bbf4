package io.ferret4j.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.ferret4j.llm.FerretOptions;
import picocli.CommandLine.Option;

/**
 * The model options every model command takes ({@code --model}, formats, precisions, sampling), as a picocli
 * mixin. They mean what they mean for {@code ferret ask}: {@link #ferretOptions(int)} hands them to the same
 * parsing ({@link AskCommand#options}).
 */
public final class ModelOptions {
    @Option(names = "--model", paramLabel = "DIR", description = "Ferret model folder")
    Path model;

    @Option(names = "--vision-tower", paramLabel = "DIR", description = "CLIP folder, if not inside the model folder")
    Path visionTower;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "longest answer in tokens")
    Integer maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", description = "0 (default) = greedy")
    String temperature;

    @Option(names = "--top-p", paramLabel = "P", description = "nucleus sampling; 1 (default) = no limit")
    String topP;

    @Option(names = "--seed", paramLabel = "S", description = "seed of sampling and of the region sampler")
    String seed;

    @Option(names = "--deterministic", description = "deterministic region sampling (as the golden tests run)")
    boolean deterministic;

    @Option(names = "--weights", paramLabel = "f16|f32|q8_0", description = "LLM weight format in memory")
    String weights;

    @Option(names = "--vision-weights", paramLabel = "f32|f16", description = "CLIP weight format in memory")
    String visionWeights;

    @Option(names = "--vision-precision", paramLabel = "fp32|bf16", description = "CLIP arithmetic")
    String visionPrecision;

    @Option(names = "--llm-precision", paramLabel = "fp32|bf16", description = "LLM arithmetic")
    String llmPrecision;

    @Option(names = "--kv-cache", paramLabel = "f32|f16", description = "key/value cache format")
    String kvCache;

    /** The model folder, if given. */
    public Optional<Path> model() {
        return Optional.ofNullable(model);
    }

    /**
     * The loading and generation options these flags give.
     *
     * @param defaultMaxNewTokens the answer length when {@code --max-new-tokens} is not given
     */
    public FerretOptions ferretOptions(int defaultMaxNewTokens) {
        List<String> args = new ArrayList<>();
        add(args, "--vision-tower", visionTower);
        add(args, "--max-new-tokens", maxNewTokens == null ? defaultMaxNewTokens : maxNewTokens);
        add(args, "--temperature", temperature);
        add(args, "--top-p", topP);
        add(args, "--seed", seed);
        add(args, "--weights", weights);
        add(args, "--vision-weights", visionWeights);
        add(args, "--vision-precision", visionPrecision);
        add(args, "--llm-precision", llmPrecision);
        add(args, "--kv-cache", kvCache);
        if (deterministic) {
            args.add("--deterministic");
        }
        return AskCommand.options(CliArgs.parse(args, AskCommand.VALUE_OPTIONS, AskCommand.FLAGS));
    }

    private static void add(List<String> args, String name, Object value) {
        if (value != null) {
            args.add(name);
            args.add(value.toString());
        }
    }
}
