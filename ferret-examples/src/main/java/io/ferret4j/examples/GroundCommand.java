package io.ferret4j.examples;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.concurrent.Callable;

import io.ferret4j.llm.Ferret;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code ferret ground}: finds in an image what a text names. */
@Command(name = "ground", mixinStandardHelpOptions = true,
        description = "Find what a text names in an image (boxes); use ask to combine regions and grounding.")
final class GroundCommand implements Callable<Integer> {
    @Mixin
    private QuestionOptions question;

    @Option(names = "--text", paramLabel = "PHRASE", required = true,
            description = "what to find, e.g. 'the white bathtub'")
    private String text;

    @ParentCommand
    private FerretCli cli;

    @Override
    public Integer call() {
        BufferedImage pixels = question.readImage();
        question.ask(pixels, Ferret.groundingQuestion(text), List.of(), cli.out());
        return 0;
    }
}
