package io.ferret4j.core.region;

import java.util.Arrays;
import java.util.StringJoiner;

/**
 * The one place that converts between image pixels and Ferret's text coordinates, integers on a 1000×1000 grid
 * ("Image size: 1000x1000" in the system prompt) written {@code [x, y]} or {@code [x1, y1, x2, y2]}.
 *
 * <p>Both directions truncate, as the reference does: pixel → grid is {@code int(v * (1000.0 / W))} (training data
 * and the LVIS eval scripts; other scripts evaluate the same quotient in another order and can differ by one at
 * exact boundaries), grid → pixel is {@code int(v * (W * 1.0 / 1000))} ({@code resize_bbox} of every answer
 * parser). A round trip therefore loses up to one grid cell.
 */
public final class VocabCoordinates {
    /** Cells per axis of the text grid. */
    public static final int GRID = 1000;

    private VocabCoordinates() {
    }

    /** Pixel {@code 0 <= pixel < size} → grid {@code 0..999}. */
    public static int toGrid(int pixel, int size) {
        checkSize(size);
        if (pixel < 0 || pixel >= size) {
            throw new IllegalArgumentException("pixel " + pixel + " outside [0, " + (size - 1) + "]");
        }
        return (int) (pixel * (GRID / (double) size));
    }

    /**
     * Grid {@code 0..1000} → pixel. The model writes 0–999, but Ferret-Bench boxes reach 1000, which maps to
     * {@code size}, one past the last pixel; callers that need a pixel inside the image clamp.
     */
    public static int toPixel(int grid, int size) {
        checkSize(size);
        if (grid < 0 || grid > GRID) {
            throw new IllegalArgumentException("grid coordinate " + grid + " outside [0, " + GRID + "]");
        }
        return (int) (grid * (size * 1.0 / GRID));
    }

    /** Alternating {@code x, y, ...} pixels → grid (a point {@code [x, y]} or a box {@code [x1, y1, x2, y2]}). */
    public static int[] toGrid(int[] xy, int imageWidth, int imageHeight) {
        checkPairs(xy);
        int[] out = new int[xy.length];
        for (int i = 0; i < xy.length; i += 2) {
            out[i] = toGrid(xy[i], imageWidth);
            out[i + 1] = toGrid(xy[i + 1], imageHeight);
        }
        return out;
    }

    /** Alternating {@code x, y, ...} grid coordinates → pixels, as {@code resize_bbox}. */
    public static int[] toPixels(int[] xy, int imageWidth, int imageHeight) {
        checkPairs(xy);
        int[] out = new int[xy.length];
        for (int i = 0; i < xy.length; i += 2) {
            out[i] = toPixel(xy[i], imageWidth);
            out[i + 1] = toPixel(xy[i + 1], imageHeight);
        }
        return out;
    }

    /** {@code [a, b]} / {@code [a, b, c, d]}: brackets, {@code ", "} separators, no decimals. */
    public static String format(int[] coordinates) {
        StringJoiner j = new StringJoiner(", ", "[", "]");
        Arrays.stream(coordinates).forEach(c -> j.add(Integer.toString(c)));
        return j.toString();
    }

    /** The text a prompt writes for {@code region}, e.g. {@code [538, 132, 970, 719]}. */
    public static String text(Region region, int imageWidth, int imageHeight) {
        return format(toGrid(region.textCoordinates(imageWidth, imageHeight), imageWidth, imageHeight));
    }

    private static void checkSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("image side " + size + " must be positive");
        }
    }

    private static void checkPairs(int[] xy) {
        if (xy.length == 0 || xy.length % 2 != 0) {
            throw new IllegalArgumentException("expected x, y pairs, got " + xy.length + " values");
        }
    }
}
