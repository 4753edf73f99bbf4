package io.ferret4j.examples;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;

import io.ferret4j.core.weights.CheckpointException;
import io.ferret4j.examples.batch.BatchCommand;
import io.ferret4j.examples.eval.EvalCommand;
import io.ferret4j.llm.tokenizer.TokenizerException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code ferret} command. Each subcommand is a picocli {@link Command} class listed in {@code subcommands};
 * {@code ferret COMMAND --help} prints its options. User mistakes print one line and exit with 2; failures such as a
 * missing file or a broken checkpoint print one line and exit with 1, never a stack trace (set
 * {@code FERRET_DEBUG=1} to see one).
 */
@Command(name = "ferret", mixinStandardHelpOptions = true, versionProvider = FerretCli.Version.class,
        description = "Ferret (refer and ground) on the JVM.",
        subcommands = {
            DemoCommand.class,
            ReferCommand.class,
            GroundCommand.class,
            AskCommand.class,
            BatchCommand.class,
            TokenizeCommand.class,
            ConvertCommand.class,
            BenchCommand.class,
            EvalCommand.class,
            ServeCommand.class,
            ServeSoakCommand.class,
            CompletionCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class FerretCli implements Callable<Integer> {
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    @Spec
    private CommandSpec spec;

    private FerretCli(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    /** Runs the command {@code args} names and exits with its code. */
    public static void main(String[] args) {
        int code = run(args, System.in, System.out, System.err);
        System.out.flush();
        if (code != 0) {
            Runtime.getRuntime().halt(code);
        }
    }

    /**
     * Runs one command.
     *
     * @return the process exit code: 0 on success, 2 for a usage error, 1 for any other failure
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        CommandLine cli = configure(new CommandLine(new FerretCli(in, out, err)));
        cli.getSubcommands().values().forEach(c -> c.getCommandSpec().versionProvider(new Version()));   // -V
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setParameterExceptionHandler(FerretCli::usageError);
        cli.setExecutionExceptionHandler(FerretCli::failure);
        return cli.execute(args);
    }

    /** {@code command} with the parsing rules every ferret command uses: format names in any case. */
    static CommandLine configure(CommandLine command) {
        return command.setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** Where commands read their input (the process's standard input, or a test's). */
    InputStream in() {
        return in;
    }

    /** Where commands print their results (the process's standard output, or a test's). */
    public PrintStream out() {
        return out;
    }

    /** Where commands print progress and warnings (the process's standard error, or a test's). */
    public PrintStream err() {
        return err;
    }

    /** {@code ferret} alone: the usage on standard error, as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CommandLine.ExitCode.USAGE;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        boolean unknownCommand = e instanceof UnmatchedArgumentException u && !u.isUnknownOption()
                && !command.getSubcommands().isEmpty();
        String message = unknownCommand
                ? "unknown command '" + ((UnmatchedArgumentException) e).getUnmatched().get(0) + "'"
                : e.getMessage().replaceFirst("^Error: ", "");
        err.println("ferret: " + message + " (" + command.getCommandSpec().qualifiedName() + " --help for usage)");
        return CommandLine.ExitCode.USAGE;
    }

    private static int failure(Exception e, CommandLine command, ParseResult parsed) throws Exception {
        if (!(e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof UncheckedIOException || e instanceof CheckpointException
                || e instanceof TokenizerException)) {
            throw e;
        }
        PrintWriter err = command.getErr();
        if (System.getenv("FERRET_DEBUG") != null) {
            e.printStackTrace(err);
        }
        err.println("ferret: " + e.getMessage());
        return CommandLine.ExitCode.SOFTWARE;
    }

    /** The version in the jar's manifest; the build's class folders (what {@code ./ferret} runs) record none. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = FerretCli.class.getPackage().getImplementationVersion();
            return new String[] {v == null ? "ferret4j, run from class folders that record no version" : "ferret4j " + v};
        }
    }
}
