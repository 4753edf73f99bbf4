package io.ferret4j.examples.batch;

import java.awt.image.BufferedImage;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

import ai.djl.modality.cv.ImageFactory;
import com.fasterxml.jackson.databind.JsonNode;
import io.ferret4j.core.region.Region;
import io.ferret4j.encoder.ImageFiles;
import io.ferret4j.llm.AskOptions;
import io.ferret4j.llm.Ferret;

/**
 * Turns tasks into answers or errors with one model, exactly as {@code ferret refer|ground|ask} would answer each:
 * the same question, regions and settings. A bad task (missing image, bad region, malformed field, region outside
 * the image) gives an error result and never an exception. Thread-safe, as {@link Ferret} is.
 */
public final class TaskRunner {
    private final Ferret ferret;

    /** Runs tasks on {@code ferret}, which stays owned by the caller. */
    public TaskRunner(Ferret ferret) {
        this.ferret = ferret;
    }

    /**
     * Decodes the task's image and makes its regions: the work that needs no model.
     *
     * @throws IllegalArgumentException for a malformed region or an image too large
     * @throws UncheckedIOException     for a missing or unreadable image or mask
     */
    public static PreparedTask prepare(FerretTask task) {
        BufferedImage pixels = ImageFiles.read(task.image());
        List<Region> regions = task.regionsOn(pixels.getWidth(), pixels.getHeight());
        return new PreparedTask(task, ImageFactory.getInstance().fromImage(pixels), regions);
    }

    /** Asks the model; a task the model refuses (a region outside the image, slots that do not match) fails. */
    public TaskResult answer(PreparedTask prepared) {
        FerretTask task = prepared.task();
        try {
            AskOptions ask = task.generation().over(ferret.options().generation())
                    .map(AskOptions.defaults()::withGeneration).orElse(AskOptions.defaults());
            return TaskResult.answered(ferret.ask(prepared.image(), task.question(), prepared.regions(), ask));
        } catch (IllegalArgumentException e) {
            return TaskResult.failed(e);
        }
    }

    /** Reads the task from {@code json} (see {@link TaskJson}), prepares it and answers it. */
    public TaskResult run(JsonNode json, Path base) {
        PreparedTask prepared;
        try {
            prepared = prepare(TaskJson.parse(json, base));
        } catch (IllegalArgumentException | UncheckedIOException e) {
            return TaskResult.failed(e);
        }
        return answer(prepared);
    }
}
