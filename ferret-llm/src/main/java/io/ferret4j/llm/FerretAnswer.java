package io.ferret4j.llm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import ai.djl.modality.cv.output.BoundingBox;
import ai.djl.modality.cv.output.DetectedObjects;
import io.ferret4j.llm.generate.StopReason;
import io.ferret4j.llm.prompt.GroundingParser;

/**
 * What Ferret answered, with everything needed to reproduce or audit it.
 *
 * @param prompt       the full prompt text as the reference renders it
 * @param inputIds     the prompt ids as the reference builds them, with -200 where the image rows go
 * @param outputIds    the generated ids (including the end-of-sequence id if generation stopped on it)
 * @param text         the answer text, cleaned as the reference scripts do
 * @param groundings   every well-formed box or point in {@code text}, in pixels of the original image
 * @param stopReason   why generation ended
 * @param timings      where the time went
 * @param imageWidth   the original image's width, which the pixel coordinates refer to
 * @param imageHeight  its height
 */
public record FerretAnswer(String prompt, int[] inputIds, int[] outputIds, String text, List<Grounding> groundings,
                           StopReason stopReason, Timings timings, int imageWidth, int imageHeight) {

    /** Copies the arrays and the list. */
    public FerretAnswer {
        inputIds = inputIds.clone();
        outputIds = outputIds.clone();
        groundings = List.copyOf(groundings);
    }

    /** Parses the groundings of {@code text} for an image of the given size. */
    static FerretAnswer of(String prompt, int[] inputIds, int[] outputIds, String text, StopReason stopReason,
                           Timings timings, int imageWidth, int imageHeight) {
        List<Grounding> groundings = new ArrayList<>();
        for (GroundingParser.Mention m : GroundingParser.parse(text)) {
            groundings.add(Grounding.of(m, imageWidth, imageHeight));
        }
        return new FerretAnswer(prompt, inputIds, outputIds, text, groundings, stopReason, timings, imageWidth,
                imageHeight);
    }

    /** The groundings as DJL detections (class name = phrase, probability 1), ready for {@code drawBoundingBoxes}. */
    public DetectedObjects toDetectedObjects() {
        List<String> names = new ArrayList<>();
        List<Double> probabilities = new ArrayList<>();
        List<BoundingBox> boxes = new ArrayList<>();
        for (Grounding g : groundings) {
            names.add(g.phrase().isEmpty() ? "region" : g.phrase());
            probabilities.add(1.0);
            boxes.add(g.toRectangle(imageWidth, imageHeight));
        }
        return new DetectedObjects(names, probabilities, boxes);
    }

    @Override
    public int[] inputIds() {
        return inputIds.clone();
    }

    @Override
    public int[] outputIds() {
        return outputIds.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FerretAnswer a && prompt.equals(a.prompt) && Arrays.equals(inputIds, a.inputIds)
                && Arrays.equals(outputIds, a.outputIds) && text.equals(a.text) && groundings.equals(a.groundings)
                && stopReason == a.stopReason && imageWidth == a.imageWidth && imageHeight == a.imageHeight;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * prompt.hashCode() + Arrays.hashCode(outputIds)) + text.hashCode();
    }

    @Override
    public String toString() {
        return "FerretAnswer[" + text + ", " + groundings.size() + " grounding(s), " + stopReason + "]";
    }
}
