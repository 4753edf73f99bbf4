package io.ferret4j.examples.eval;

import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferret4j.core.region.Region;

/**
 * One question of a benchmark, as the reference's {@code model_*.py} asks it.
 *
 * @param image    the image file
 * @param question the question, without {@code <image>}; each {@code <region_fea>} in it takes the next region
 * @param regions  the regions, in pixels of the image
 * @param line     the prediction line an answer becomes
 */
record EvalSample(Path image, String question, List<Region> regions, AnswerLine line) {

    /** Turns an answer into the reference's prediction line. */
    @FunctionalInterface
    interface AnswerLine {
        /**
         * The prediction line for {@code answer} (stripped, as the reference strips it) on an image of
         * {@code width}×{@code height} pixels.
         */
        ObjectNode of(String answer, int width, int height);
    }
}
