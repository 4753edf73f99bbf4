package io.ferret4j.llm;

import java.util.Arrays;

import ai.djl.modality.cv.output.Rectangle;
import io.ferret4j.core.region.Region;
import io.ferret4j.core.region.VocabCoordinates;
import io.ferret4j.llm.prompt.GroundingParser;

/**
 * A box or point the model wrote in its answer, with the phrase it belongs to.
 *
 * @param phrase the text before the bracket (see {@link GroundingParser})
 * @param region the place in pixels of the original image: a {@link Region.Box} or a {@link Region.Point}
 * @param grid   the coordinates as written, on the 1000-grid
 * @param start  where the bracket starts in the answer text
 * @param end    just past the bracket
 */
public record Grounding(String phrase, Region region, int[] grid, int start, int end) {

    /** Converts a parsed mention to pixels with the reference's {@code resize_bbox} (truncating). */
    static Grounding of(GroundingParser.Mention m, int imageWidth, int imageHeight) {
        int[] px = VocabCoordinates.toPixels(m.coords(), imageWidth, imageHeight);
        Region region = px.length == 4 ? new Region.Box(px[0], px[1], px[2], px[3]) : new Region.Point(px[0], px[1]);
        return new Grounding(m.phrase(), region, m.coords().clone(), m.start(), m.end());
    }

    /**
     * The place as a DJL rectangle in 0–1 image coordinates, for {@code DetectedObjects} and
     * {@code Image.drawBoundingBoxes}. A box covers its inclusive pixels; a point becomes the 11×11 window the
     * model itself reads for a point, clipped to the image.
     */
    public Rectangle toRectangle(int imageWidth, int imageHeight) {
        int x1;
        int y1;
        int x2;
        int y2;
        if (region instanceof Region.Box b) {
            x1 = b.x1();
            y1 = b.y1();
            x2 = b.x2() + 1;
            y2 = b.y2() + 1;
        } else {
            Region.Point p = (Region.Point) region;
            x1 = Math.max(0, p.x() - Region.POINT_SPAN);
            y1 = Math.max(0, p.y() - Region.POINT_SPAN);
            x2 = Math.min(imageWidth, p.x() + Region.POINT_SPAN + 1);
            y2 = Math.min(imageHeight, p.y() + Region.POINT_SPAN + 1);
        }
        x2 = Math.min(x2, imageWidth);
        y2 = Math.min(y2, imageHeight);
        return new Rectangle((double) x1 / imageWidth, (double) y1 / imageHeight,
                (double) (x2 - x1) / imageWidth, (double) (y2 - y1) / imageHeight);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Grounding g && phrase.equals(g.phrase) && region.equals(g.region)
                && Arrays.equals(grid, g.grid) && start == g.start && end == g.end;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * phrase.hashCode() + region.hashCode()) + Arrays.hashCode(grid);
    }

    @Override
    public String toString() {
        return "Grounding[" + phrase + " " + Arrays.toString(grid) + " -> " + region + "]";
    }
}
