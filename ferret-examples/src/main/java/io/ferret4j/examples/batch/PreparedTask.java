package io.ferret4j.examples.batch;

import java.util.List;

import ai.djl.modality.cv.Image;
import io.ferret4j.core.region.Region;

/**
 * A task with its image decoded and its regions made: all that can be done ahead of the model.
 *
 * @param task    the task
 * @param image   its decoded image
 * @param regions its regions in pixels of that image
 */
public record PreparedTask(FerretTask task, Image image, List<Region> regions) {

    /** Copies the regions. */
    public PreparedTask {
        regions = List.copyOf(regions);
    }
}
