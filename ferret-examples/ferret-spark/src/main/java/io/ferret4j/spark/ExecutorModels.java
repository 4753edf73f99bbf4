package io.ferret4j.spark;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.ferret4j.examples.ModelOptions;
import io.ferret4j.examples.batch.TaskRunner;
import io.ferret4j.llm.Ferret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models of this JVM (a Spark executor), one per set of model options, each loaded the first time a task
 * needs it and then shared by every task the executor runs, concurrently ({@link Ferret} is thread-safe). A task
 * that needs a model being loaded waits for that load. Models live as long as the JVM.
 */
public final class ExecutorModels {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);
    private static final ConcurrentMap<List<String>, TaskRunner> RUNNERS = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorModels() {
    }

    /**
     * The runner for the model {@code modelArgs} describe, loading it if this JVM has not yet.
     *
     * @param modelArgs the model options in the command line's form ({@code --model DIR --weights q8_0 ...})
     */
    public static TaskRunner runner(List<String> modelArgs) {
        return RUNNERS.computeIfAbsent(List.copyOf(modelArgs), ExecutorModels::load);
    }

    /** How many models this JVM has loaded. */
    public static int loads() {
        return LOADS.get();
    }

    private static TaskRunner load(List<String> modelArgs) {
        ModelOptions options = ModelOptions.parse(modelArgs);
        LOG.info("loading Ferret for this executor: {}", String.join(" ", modelArgs));
        Ferret ferret = options.load();
        LOADS.incrementAndGet();
        return new TaskRunner(ferret);
    }
}
