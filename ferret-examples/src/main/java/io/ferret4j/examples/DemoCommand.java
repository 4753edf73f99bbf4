package io.ferret4j.examples;

import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import io.ferret4j.core.region.Region;
import io.ferret4j.encoder.ImageFiles;
import io.ferret4j.llm.Ferret;
import io.ferret4j.llm.FerretAnswer;

/**
 * {@code ferret demo}: the whole pipeline — preprocessing, CLIP, the region sampler, the prompt, the decoder, box
 * parsing — on a bundled photo, with a tiny Ferret whose weights are random (generated on the fly, nothing is
 * downloaded). It shows the machinery works; its answers are meaningless.
 */
final class DemoCommand {
    /** The ketchup bottle on the bundled photo (615×446). */
    static final Region BOTTLE = new Region.Box(178, 76, 285, 348);
    /** How many tokens a demo answer has unless {@code --max-new-tokens} says otherwise. */
    static final int DEFAULT_NEW_TOKENS = 24;

    private DemoCommand() {
    }

    static void run(List<String> rawArgs, PrintStream out) {
        CliArgs args = CliArgs.parse(rawArgs, Set.of("--annotate", "--max-new-tokens", "--seed"),
                Set.of("--json", "--deterministic"));
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
            try (Ferret ferret = Ferret.load(model, AskCommand.options(withDefaultLength(args)))) {
                out.println("\nrefer " + BOTTLE + ": " + Ferret.DEFAULT_REFER_QUESTION);
                AskCommand.answer(ferret, image, Ferret.DEFAULT_REFER_QUESTION, List.of(BOTTLE), noAnnotation(args), out);
                out.println("\nground \"the white bathtub\"");
                FerretAnswer grounded = AskCommand.answer(ferret, image,
                        "What is the location of the white bathtub in the image?", List.of(), noAnnotation(args), out);
                if (!args.has("--json")) {
                    out.println("\n" + grounded.groundings().size() + " box(es) parsed from the grounding answer");
                }
                args.get("--annotate").map(Path::of).ifPresent(file -> {
                    Annotator.write(image, List.of(BOTTLE), grounded, file);
                    out.println("annotated image (region asked about, boxes answered): " + file);
                });
            }
        } finally {
            BundledFiles.deleteTree(dir);
        }
    }

    private static CliArgs withDefaultLength(CliArgs args) {
        return args.has("--max-new-tokens") ? args : args.with("--max-new-tokens", Integer.toString(DEFAULT_NEW_TOKENS));
    }

    private static CliArgs noAnnotation(CliArgs args) {
        return args.without("--annotate");
    }
}
