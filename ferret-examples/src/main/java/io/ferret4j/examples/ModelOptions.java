package io.ferret4j.examples;

import java.nio.file.Path;
import java.util.List;

import io.ferret4j.llm.Ferret;
import io.ferret4j.llm.FerretOptions;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of every command that loads a Ferret checkpoint (a picocli mixin): {@code --model DIR},
 * {@code --vision-tower DIR}, the generation options ({@link GenerationOptions}) and the weight formats and
 * precisions ({@link FormatOptions}).
 */
public final class ModelOptions {
    @Option(names = "--model", paramLabel = "DIR", required = true, description = "the Ferret checkpoint folder")
    private Path model;

    @Option(names = "--vision-tower", paramLabel = "DIR",
            description = "the CLIP ViT-L/14@336 folder, where it is not found from the checkpoint's config")
    private Path visionTower;

    @Mixin
    private GenerationOptions generation;

    @Mixin
    private FormatOptions formats;

    /**
     * Parses {@code args}, which may hold only these options, as every {@code ferret} command reads them: for
     * callers that get them from elsewhere than a command line (a Spark job's settings).
     *
     * @throws CommandLine.ParameterException naming an unknown, repeated or malformed option, or a missing
     *         {@code --model}
     */
    public static ModelOptions parse(List<String> args) {
        ModelOptions options = new ModelOptions();
        FerretCli.configure(new CommandLine(options)).parseArgs(args.toArray(String[]::new));
        return options;
    }

    /** The checkpoint folder. */
    public Path model() {
        return model;
    }

    /** The options {@link Ferret#load(Path, FerretOptions)} takes. */
    public FerretOptions ferretOptions() {
        return ferretOptions(generation, formats, visionTower);
    }

    /** The options {@link Ferret#load(Path, FerretOptions)} takes, from the parts of this mixin (null: no tower). */
    static FerretOptions ferretOptions(GenerationOptions generation, FormatOptions formats, Path visionTower) {
        FerretOptions options = formats.applyTo(generation.applyTo(FerretOptions.defaults()));
        return visionTower == null ? options : options.withVisionTower(visionTower);
    }

    /** Loads the model. */
    public Ferret load() {
        return Ferret.load(model, ferretOptions());
    }
}
