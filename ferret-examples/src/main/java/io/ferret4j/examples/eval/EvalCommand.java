package io.ferret4j.examples.eval;

import java.io.PrintStream;
import java.util.concurrent.Callable;

import io.ferret4j.examples.FerretCli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code ferret eval}: run Ferret over a benchmark of the paper as the reference's {@code ferret/eval/model_*.py}
 * scripts do, and score predictions as its {@code eval_*.py} scorers do ({@code ferret eval score}).
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Reproduce the paper's evaluations: run a benchmark, or score predictions.",
        subcommands = {EvalScoreCommand.class, EvalRunCommand.Refexp.class, EvalRunCommand.Flickr.class,
                EvalRunCommand.Lvis.class, EvalRunCommand.Pope.class})
public final class EvalCommand implements Callable<Integer> {
    @ParentCommand
    private FerretCli cli;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(err());
        return CommandLine.ExitCode.USAGE;
    }

    PrintStream out() {
        return cli.out();
    }

    PrintStream err() {
        return cli.err();
    }

    /** Prints a warning about the data to the error stream. */
    void warn(String warning) {
        err().println("ferret: warning: " + warning);
    }
}
