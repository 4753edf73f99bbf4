package io.ferret4j.examples.batch;

import java.nio.file.Path;
import java.util.List;

/**
 * One task, checked and ready to run: everything but the image's pixels.
 *
 * @param kind       refer, ground or ask
 * @param image      the image file
 * @param regions    the regions, in prompt order
 * @param question   the question the model is asked (see {@link TaskKind#question})
 * @param generation the task's own generation settings
 */
public record FerretTask(TaskKind kind, Path image, List<RegionSpec> regions, String question,
                         GenerationSettings generation) {

    /** Copies the regions. */
    public FerretTask {
        regions = List.copyOf(regions);
    }
}
