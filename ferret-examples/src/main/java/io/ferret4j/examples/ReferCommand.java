package io.ferret4j.examples;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.concurrent.Callable;

import io.ferret4j.core.region.Region;
import io.ferret4j.llm.Ferret;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ferret refer}: describes one region of an image. */
@Command(name = "refer", mixinStandardHelpOptions = true, description = "Describe one region of an image.")
final class ReferCommand implements Callable<Integer> {
    @Mixin
    private QuestionOptions question;

    @Mixin
    private RegionOptions regions;

    @Option(names = "--question", paramLabel = "Q", defaultValue = Ferret.DEFAULT_REFER_QUESTION,
            description = "the question, with <region> where the region goes (default: ${DEFAULT-VALUE})")
    private String text;

    @ParentCommand
    private FerretCli cli;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        BufferedImage pixels = question.readImage();
        List<Region> given = regions.regions(pixels.getWidth(), pixels.getHeight());
        if (given.size() != 1) {
            throw new ParameterException(spec.commandLine(), "refer needs exactly one region (--point, --box, --mask "
                    + "or --polygon), got " + given.size());
        }
        question.ask(pixels, text, given, cli.out());
        return 0;
    }
}
