package io.ferret4j.examples;

import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import io.ferret4j.core.region.Region;
import io.ferret4j.encoder.ImageFiles;
import io.ferret4j.llm.Ferret;
import io.ferret4j.llm.FerretAnswer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What {@code refer}, {@code ground} and {@code ask} share (a picocli mixin): the model, the image, and how the
 * answer is printed ({@code --json}), drawn ({@code --annotate}) and dumped ({@code --dump}).
 */
final class QuestionOptions {
    @Mixin
    private ModelOptions model;

    @Option(names = "--image", paramLabel = "FILE", required = true, description = "the photo (JPEG, PNG, ...)")
    private Path image;

    @Option(names = "--json", description = "print the answer as one JSON object (prompt, ids, text, boxes)")
    private boolean json;

    @Option(names = "--annotate", paramLabel = "OUT.png", description = "draw the regions and the boxes answered")
    private Path annotate;

    @Option(names = "--dump", paramLabel = "FILE.safetensors",
            description = "write the answer's tensors under the reference's names, for comparing with a Python run")
    private Path dump;

    /** The photo's pixels. */
    BufferedImage readImage() {
        return ImageFiles.read(image);
    }

    /** Loads the model, asks, prints the answer and draws it if asked. */
    void ask(BufferedImage pixels, String question, List<Region> regions, PrintStream out) {
        Image photo = ImageFactory.getInstance().fromImage(pixels);
        try (Ferret ferret = model.load()) {
            FerretAnswer answer = AnswerOutput.ask(ferret, photo, question, regions, json, Optional.ofNullable(dump),
                    out);
            if (annotate != null) {
                Annotator.write(photo, regions, answer, annotate);
            }
        }
    }
}
