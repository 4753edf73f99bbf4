package io.ferret4j.examples.batch;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import io.ferret4j.examples.ModelOptions;
import io.ferret4j.llm.Ferret;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ferret batch}: answers every task of a JSON Lines file (see {@link TaskJson}) with one model and appends
 * one answer or error line per task to the output file (see {@link TaskResult#toJson}). Run it again after an
 * interruption and it goes on with the tasks that have no line yet.
 */
@Command(name = "ferret batch",
        description = "Answer the refer/ground/ask tasks of a JSON Lines file, one answer line per task.")
public final class BatchCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    @Mixin
    ModelOptions model;

    @Option(names = "--input", required = true, paramLabel = "TASKS.jsonl",
            description = "one task per line; relative image and mask paths start from its folder")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "ANSWERS.jsonl",
            description = "answer lines are appended; tasks already in it are skipped")
    Path output;

    @Option(names = "--prefetch", paramLabel = "N", defaultValue = "4",
            description = "tasks decoded ahead of the model (default: ${DEFAULT-VALUE})")
    int prefetch;

    private final PrintStream out;
    private final PrintStream err;

    private BatchCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Runs {@code ferret batch} with {@code args}, the summary on {@code out}, progress and errors on {@code err}.
     *
     * @return the exit code: 0 when every task has a line (answers and task errors alike), 2 for a usage error,
     *         1 if the run could not go on (unreadable task file, model that does not load)
     */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new BatchCommand(out, err));
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setExecutionExceptionHandler((e, command, parsed) -> {
            if (System.getenv("FERRET_DEBUG") != null) {
                e.printStackTrace(err);
            }
            err.println("ferret batch: " + e.getMessage());
            return 1;
        });
        return cl.execute(args.toArray(String[]::new));
    }

    @Override
    public Integer call() {
        try (BatchRun run = BatchRun.open(input, output)) {
            BatchRun.Summary summary = new BatchRun.Summary(0, 0, run.skipped());
            if (run.pending() > 0) {
                try (Ferret ferret = Ferret.load(model.model(), model.ferretOptions())) {
                    summary = run.run(new TaskRunner(ferret), prefetch, err);
                }
            }
            out.println("ferret batch: " + summary.answered() + " answered, " + summary.failed() + " failed, "
                    + summary.skipped() + " skipped (answered before or repeated) -> " + output);
        }
        return 0;
    }
}
