package io.ferret4j.examples.batch;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass over a task file: the tasks without an answer line yet are read, their images decoded on a prefetch
 * thread (at most {@code prefetch} ahead of the model), answered in file order by one {@link TaskRunner}, and each
 * answer or error appended to the answers file as soon as it is known.
 */
final class BatchRun implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchRun.class);

    /** What a run did. */
    record Summary(int answered, int failed, int skipped) {
    }

    private sealed interface Item permits Task, End {
    }

    /** A task read ahead: ready for the model, or already failed. */
    private sealed interface Task extends Item permits Ready, Failed {
        TaskLine line();

        TaskResult result(TaskRunner runner);
    }

    private record Ready(TaskLine line, PreparedTask task) implements Task {
        @Override
        public TaskResult result(TaskRunner runner) {
            return runner.answer(task);
        }
    }

    private record Failed(TaskLine line, TaskResult failure) implements Task {
        @Override
        public TaskResult result(TaskRunner runner) {
            return failure;
        }
    }

    /** The end of the tasks; {@code crash} is what stopped the prefetch thread early, if anything did. */
    private record End(Throwable crash) implements Item {
    }

    private final Path base;
    private final AnswerFile answers;
    private final List<TaskLine> pending;
    private final int skipped;

    private BatchRun(Path base, AnswerFile answers, List<TaskLine> pending, int skipped) {
        this.base = base;
        this.answers = answers;
        this.pending = pending;
        this.skipped = skipped;
    }

    /**
     * Reads the task file and opens the answers file, finding the tasks still to run. A task whose id (or line,
     * without an id) already has an answer line is skipped, and so is a repeated id.
     */
    static BatchRun open(Path input, Path output) {
        if (!Files.isRegularFile(input)) {
            throw new IllegalArgumentException("no task file " + input);
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(input, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tasks " + input + ": " + e.getMessage(), e);
        }
        AnswerFile answers = AnswerFile.open(output);
        List<TaskLine> pending = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int skipped = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            TaskLine line = TaskLine.read(i + 1, lines.get(i));
            if (!seen.add(line.key())) {
                LOG.warn("{} line {}: {} given again, skipped", input, line.number(), line.key());
                skipped++;
            } else if (answers.has(line.key())) {
                skipped++;
            } else {
                pending.add(line);
            }
        }
        return new BatchRun(input.toAbsolutePath().getParent(), answers, pending, skipped);
    }

    /** How many tasks are still to run. */
    int pending() {
        return pending.size();
    }

    /** How many tasks are skipped: answered by an earlier run, or repeating an id. */
    int skipped() {
        return skipped;
    }

    /**
     * Runs the pending tasks, drawing a progress bar with rate and ETA on {@code progress}.
     *
     * @param prefetch how many tasks may wait decoded ahead of the model (at least 1)
     */
    Summary run(TaskRunner runner, int prefetch, PrintStream progress) {
        if (prefetch < 1) {
            throw new IllegalArgumentException("prefetch must be at least 1, got " + prefetch);
        }
        BlockingQueue<Item> queue = new ArrayBlockingQueue<>(prefetch);
        Thread reader = new Thread(() -> prefetch(queue), "ferret-batch-prefetch");
        reader.setDaemon(true);
        reader.start();
        int answered = 0;
        int failed = 0;
        try (ProgressBar bar = progressBar(progress)) {
            Item item = queue.take();
            while (item instanceof Task task) {
                TaskResult result = task.result(runner);
                answers.append(task.line().answerLine(result));
                if (result.error().isPresent()) {
                    LOG.info("line {}: {}", task.line().number(), result.error().get());
                    failed++;
                } else {
                    answered++;
                }
                bar.step();
                item = queue.take();
            }
            Throwable crash = ((End) item).crash();
            if (crash != null) {
                throw new IllegalStateException("reading tasks failed after " + (answered + failed) + " tasks: "
                        + crash, crash);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted after " + (answered + failed) + " tasks", e);
        } finally {
            reader.interrupt();
        }
        return new Summary(answered, failed, skipped);
    }

    @Override
    public void close() {
        answers.close();
    }

    /** The prefetch thread: reads, checks and decodes each pending task, in order, then an {@link End}. */
    private void prefetch(BlockingQueue<Item> queue) {
        try {
            Throwable crash = null;
            try {
                for (TaskLine line : pending) {
                    queue.put(prepare(line));
                }
            } catch (RuntimeException | Error e) {
                crash = e;
            }
            queue.put(new End(crash));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Item prepare(TaskLine line) {
        if (line.json() == null) {
            return new Failed(line, TaskResult.failed(line.error()));
        }
        try {
            return new Ready(line, TaskRunner.prepare(TaskJson.parse(line.json(), base)));
        } catch (IllegalArgumentException | UncheckedIOException e) {
            return new Failed(line, TaskResult.failed(e));
        }
    }

    private ProgressBar progressBar(PrintStream progress) {
        return new ProgressBarBuilder().setTaskName("ferret batch").setUnit(" tasks", 1).showSpeed()
                .setInitialMax(skipped + pending.size()).startsFrom(skipped, Duration.ZERO)
                .setStyle(System.console() == null ? ProgressBarStyle.ASCII : ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                .setConsumer(new ConsoleProgressBarConsumer(progress)).build();
    }
}
