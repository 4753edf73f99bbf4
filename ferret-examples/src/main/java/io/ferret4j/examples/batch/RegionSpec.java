package io.ferret4j.examples.batch;

import java.util.List;

/**
 * One region of a task, in the command line's form, kept until the image's size is known (a mask must match it).
 *
 * @param kind  {@code point}, {@code box}, {@code polygon} or {@code mask}
 * @param value comma-separated pixels ({@code X,Y}, {@code X1,Y1,X2,Y2}, {@code X,Y,X,Y,...}) or the mask file
 */
public record RegionSpec(String kind, String value) {

    /** The region as command-line arguments, e.g. {@code --box 10,20,30,40}. */
    public List<String> args() {
        return List.of("--" + kind, value);
    }
}
