package io.ferret4j.examples;

import java.awt.image.BufferedImage;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code ferret ask}: a free question about an image, with any number of regions. */
@Command(name = "ask", mixinStandardHelpOptions = true,
        description = "Ask a free question about an image; each <region> in the prompt takes the next region given.")
final class AskCommand implements Callable<Integer> {
    @Mixin
    private QuestionOptions question;

    @Mixin
    private RegionOptions regions;

    @Option(names = "--prompt", paramLabel = "P", required = true, description = "the question")
    private String prompt;

    @ParentCommand
    private FerretCli cli;

    @Override
    public Integer call() {
        BufferedImage pixels = question.readImage();
        question.ask(pixels, prompt, regions.regions(pixels.getWidth(), pixels.getHeight()), cli.out());
        return 0;
    }
}
