package io.ferret4j.examples.eval;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

import io.ferret4j.core.weights.CheckpointException;
import io.ferret4j.llm.tokenizer.TokenizerException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
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
    private final PrintStream out;
    private final PrintStream err;

    @Spec
    CommandSpec spec;

    /** A command printing results to {@code out} and progress, warnings and errors to {@code err}. */
    public EvalCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Runs {@code ferret eval <args>}.
     *
     * @return the exit code: 0 on success, 2 for a usage error, 1 for any other failure
     */
    public static int execute(List<String> args, PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new EvalCommand(out, err)).setCommandName("ferret eval")
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setOut(new PrintWriter(out, true, StandardCharsets.UTF_8))
                .setErr(new PrintWriter(err, true, StandardCharsets.UTF_8))
                .setExecutionExceptionHandler((e, command, parsed) -> {
                    if (!(e instanceof IllegalArgumentException || e instanceof IllegalStateException
                            || e instanceof UncheckedIOException || e instanceof CheckpointException
                            || e instanceof TokenizerException)) {
                        throw e;
                    }
                    if (System.getenv("FERRET_DEBUG") != null) {
                        e.printStackTrace(err);
                    }
                    err.println("ferret: " + e.getMessage());
                    return 1;
                });
        return cli.execute(args.toArray(String[]::new));
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(err);
        return 2;
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    /** Prints a warning about the data to the error stream. */
    void warn(String warning) {
        err.println("ferret: warning: " + warning);
    }
}
