package io.ferret4j.examples;

import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import io.ferret4j.core.region.Region;
import io.ferret4j.encoder.ImageFiles;
import io.ferret4j.llm.Ferret;
import io.ferret4j.llm.FerretAnswer;
import io.ferret4j.llm.FerretOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ferret demo}: the whole pipeline — preprocessing, CLIP, the region sampler, the prompt, the decoder, box
 * parsing — on a bundled photo, with a tiny Ferret whose weights are random (generated on the fly, nothing is
 * downloaded). It shows the machinery works; its answers are meaningless.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, defaultValueProvider = DemoCommand.Defaults.class,
        description = "Refer and ground on a bundled photo with a tiny Ferret of RANDOM weights (no download): "
                + "every step runs for real, the answers are meaningless.")
final class DemoCommand implements Callable<Integer> {
    /** The ketchup bottle on the bundled photo (615×446). */
    static final Region BOTTLE = new Region.Box(178, 76, 285, 348);
    /** How many tokens a demo answer has unless {@code --max-new-tokens} says otherwise. */
    static final int DEFAULT_NEW_TOKENS = 24;

    @Mixin
    private GenerationOptions generation;

    @Option(names = "--json", description = "print each answer as one JSON object")
    private boolean json;

    @Option(names = "--annotate", paramLabel = "OUT.png",
            description = "draw the region asked about and the boxes answered")
    private Path annotate;

    @ParentCommand
    private FerretCli cli;

    @Override
    public Integer call() {
        PrintStream out = cli.out();
        Path dir = BundledFiles.tempDir("ferret-demo");
        try {
            Path model = dir.resolve("tiny-ferret");
            RandomCheckpoint.writeDemo(model);
            Path photo = dir.resolve(BundledFiles.PHOTO);
            BundledFiles.copy(BundledFiles.PHOTO, photo);
            BufferedImage pixels = ImageFiles.read(photo);
            Image image = ImageFactory.getInstance().fromImage(pixels);
            out.println("ferret demo: a tiny Ferret with RANDOM weights, generated on the fly (no download). "
                    + "Every step of the pipeline runs for real, but the answers are meaningless.");
            out.println("photo: ml-ferret's example " + BundledFiles.PHOTO + " (" + pixels.getWidth() + "×"
                    + pixels.getHeight() + ")");
            try (Ferret ferret = Ferret.load(model, generation.applyTo(FerretOptions.defaults()))) {
                out.println("\nrefer " + BOTTLE + ": " + Ferret.DEFAULT_REFER_QUESTION);
                AnswerOutput.ask(ferret, image, Ferret.DEFAULT_REFER_QUESTION, List.of(BOTTLE), json, Optional.empty(),
                        out);
                out.println("\nground \"the white bathtub\"");
                FerretAnswer grounded = AnswerOutput.ask(ferret, image,
                        "What is the location of the white bathtub in the image?", List.of(), json, Optional.empty(),
                        out);
                if (!json) {
                    out.println("\n" + grounded.groundings().size() + " box(es) parsed from the grounding answer");
                }
                if (annotate != null) {
                    Annotator.write(image, List.of(BOTTLE), grounded, annotate);
                    out.println("annotated image (region asked about, boxes answered): " + annotate);
                }
            }
        } finally {
            BundledFiles.deleteTree(dir);
        }
        return 0;
    }

    /** The demo's shorter answers: {@code --max-new-tokens} defaults to {@value #DEFAULT_NEW_TOKENS}. */
    static final class Defaults extends OptionDefaults {
        Defaults() {
            super(Map.of("--max-new-tokens", Integer.toString(DEFAULT_NEW_TOKENS)));
        }
    }
}
