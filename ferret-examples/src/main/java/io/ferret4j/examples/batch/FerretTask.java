package io.ferret4j.examples.batch;

import java.nio.file.Path;
import java.util.List;

import io.ferret4j.core.region.Region;
import io.ferret4j.examples.RegionOptions;

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

    /**
     * The regions on an image of the given size, read by the command line's region options.
     *
     * @throws IllegalArgumentException for a malformed region or a mask of another size
     * @throws java.io.UncheckedIOException if a mask file cannot be read
     */
    public List<Region> regionsOn(int imageWidth, int imageHeight) {
        return RegionOptions.parse(regions.stream().flatMap(r -> r.args().stream()).toList())
                .regions(imageWidth, imageHeight);
    }
}
