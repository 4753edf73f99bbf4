package io.ferret4j.examples.batch;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.ferret4j.examples.FerretCli;
import io.ferret4j.examples.ModelOptions;
import io.ferret4j.llm.Ferret;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ferret batch}: answers every task of a JSON Lines file (see {@link TaskJson}) with one model and appends
 * one answer or error line per task to the output file (see {@link TaskResult#toJson}); the summary goes to the
 * standard output, the progress bar to the standard error. Run it again after an interruption and it goes on with
 * the tasks that have no line yet. A task that fails is an error line, not a failed run: the exit code is 0 once
 * every task has its line.
 */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = "Answer the refer/ground/ask tasks of a JSON Lines file, one answer line per task.")
public final class BatchCommand implements Callable<Integer> {
    @Mixin
    private ModelOptions model;

    @Option(names = "--input", required = true, paramLabel = "TASKS.jsonl",
            description = "one task per line; relative image and mask paths start from its folder")
    private Path input;

    @Option(names = "--output", required = true, paramLabel = "ANSWERS.jsonl",
            description = "answer lines are appended; tasks already in it are skipped")
    private Path output;

    @Option(names = "--prefetch", paramLabel = "N", defaultValue = "4",
            description = "tasks decoded ahead of the model (default: ${DEFAULT-VALUE})")
    private int prefetch;

    @ParentCommand
    private FerretCli cli;

    @Override
    public Integer call() {
        try (BatchRun run = BatchRun.open(input, output)) {
            BatchRun.Summary summary = new BatchRun.Summary(0, 0, run.skipped());
            if (run.pending() > 0) {
                try (Ferret ferret = model.load()) {
                    summary = run.run(new TaskRunner(ferret), prefetch, cli.err());
                }
            }
            cli.out().println("ferret batch: " + summary.answered() + " answered, " + summary.failed() + " failed, "
                    + summary.skipped() + " skipped (answered before or repeated) -> " + output);
        }
        return 0;
    }
}
