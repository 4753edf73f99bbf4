package io.ferret4j.examples.batch;

import io.ferret4j.core.region.Region;
import io.ferret4j.examples.RegionArgs;

/**
 * One region of a task, in the command line's form, kept until the image's size is known (a mask must match it).
 *
 * @param kind  {@code point}, {@code box}, {@code polygon} or {@code mask}
 * @param value comma-separated pixels ({@code X,Y}, {@code X1,Y1,X2,Y2}, {@code X,Y,X,Y,...}) or the mask file
 */
public record RegionSpec(String kind, String value) {

    /**
     * The region on an image of the given size.
     *
     * @throws IllegalArgumentException for a malformed value or a mask of another size
     * @throws java.io.UncheckedIOException if a mask file cannot be read
     */
    public Region toRegion(int imageWidth, int imageHeight) {
        return RegionArgs.region("--" + kind, value, imageWidth, imageHeight);
    }
}
