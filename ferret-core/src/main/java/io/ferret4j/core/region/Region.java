package io.ferret4j.core.region;

import java.util.BitSet;
import java.util.List;

/**
 * A region of an image that a question can refer to. Coordinates are pixels of the original image: {@code (0, 0)}
 * is the top-left pixel, x grows to the right, y grows down, and {@code (width-1, height-1)} is the bottom-right
 * pixel. Every region turns into the binary mask that Ferret's sampler reads ({@link #toMask}) and into the
 * coordinates its text form shows ({@link #textCoordinates}); {@link VocabCoordinates} turns those into the
 * model's 1000-grid.
 *
 * <p>Construction checks what a region can check alone (negative coordinates, inverted boxes, empty masks);
 * {@link #toMask} and {@link #textCoordinates} check the region against the image and throw
 * {@link IllegalArgumentException} naming both.
 */
public sealed interface Region permits Region.Point, Region.Box, Region.Polygon, Region.Scribble, Region.Mask {

    /** Half the side of a point's window: the reference marks {@code [p-5, p+5]}, an 11×11 square. */
    int POINT_SPAN = 5;

    /**
     * The mask the reference builds for this region ({@code generate_mask_for_feature}), row-major {@code [y][x]}
     * and of the image's size.
     *
     * @throws IllegalArgumentException if the region does not lie inside the image
     */
    Mask toMask(int imageWidth, int imageHeight);

    /**
     * The pixel coordinates the prompt text shows for this region: {@code [x, y]} for a point and the inclusive
     * bounding box {@code [x1, y1, x2, y2]} of the rasterised mask for every other region.
     *
     * @throws IllegalArgumentException if the region does not lie inside the image
     */
    int[] textCoordinates(int imageWidth, int imageHeight);

    /**
     * One pixel. Its mask is the {@value #POINT_SPAN}-span window around it, clipped to the image:
     * {@code x in [max(0, x-5), min(W, x+6))}, likewise for y (121 pixels away from the borders). Not a disc.
     */
    record Point(int x, int y) implements Region {
        public Point {
            if (x < 0 || y < 0) {
                throw new IllegalArgumentException("point (" + x + ", " + y + ") has a negative coordinate");
            }
        }

        @Override
        public Mask toMask(int imageWidth, int imageHeight) {
            checkInside("point", imageWidth, imageHeight);
            return Mask.rectangle(imageWidth, imageHeight, Math.max(0, x - POINT_SPAN), Math.max(0, y - POINT_SPAN),
                    Math.min(imageWidth, x + POINT_SPAN + 1), Math.min(imageHeight, y + POINT_SPAN + 1));
        }

        @Override
        public int[] textCoordinates(int imageWidth, int imageHeight) {
            checkInside("point", imageWidth, imageHeight);
            return new int[] {x, y};
        }

        void checkInside(String what, int imageWidth, int imageHeight) {
            checkImageSize(imageWidth, imageHeight);
            if (x >= imageWidth || y >= imageHeight) {
                throw new IllegalArgumentException(what + " (" + x + ", " + y + ") lies outside image "
                        + imageWidth + "×" + imageHeight);
            }
        }
    }

    /**
     * An axis-aligned box with inclusive ends, as Ferret writes boxes: {@code x1 == x2} is a one-pixel-wide column.
     * Its mask is the filled rectangle {@code mask[x1 : x2+1, y1 : y2+1]}.
     */
    record Box(int x1, int y1, int x2, int y2) implements Region {
        public Box {
            if (x1 < 0 || y1 < 0) {
                throw new IllegalArgumentException("box " + text(x1, y1, x2, y2) + " has a negative coordinate");
            }
            if (x2 < x1 || y2 < y1) {
                throw new IllegalArgumentException("box " + text(x1, y1, x2, y2)
                        + " is degenerate: it needs x1 <= x2 and y1 <= y2");
            }
        }

        @Override
        public Mask toMask(int imageWidth, int imageHeight) {
            checkInside(imageWidth, imageHeight);
            return Mask.rectangle(imageWidth, imageHeight, x1, y1, x2 + 1, y2 + 1);
        }

        @Override
        public int[] textCoordinates(int imageWidth, int imageHeight) {
            checkInside(imageWidth, imageHeight);
            return new int[] {x1, y1, x2, y2};
        }

        private void checkInside(int imageWidth, int imageHeight) {
            checkImageSize(imageWidth, imageHeight);
            if (x2 >= imageWidth || y2 >= imageHeight) {
                throw new IllegalArgumentException("box " + text(x1, y1, x2, y2) + " exceeds image "
                        + imageWidth + "×" + imageHeight);
            }
        }

        private static String text(int x1, int y1, int x2, int y2) {
            return "(" + x1 + "," + y1 + "," + x2 + "," + y2 + ")";
        }
    }

    /**
     * A free-form region given as a closed polygon whose vertices are pixels. Fill rule: a pixel belongs to the
     * region if its centre, the integer point {@code (x, y)}, lies inside the polygon by the even-odd rule or on
     * its boundary. Pixels therefore sit where {@link Box} puts them: the square through {@code (0,0)} and
     * {@code (10,10)} covers the same pixels as {@code Box(0, 0, 10, 10)}.
     */
    record Polygon(List<Point> vertices) implements Region {
        public Polygon {
            vertices = List.copyOf(vertices);
            if (vertices.size() < 3) {
                throw new IllegalArgumentException("polygon needs at least 3 vertices, got " + vertices.size());
            }
        }

        @Override
        public Mask toMask(int imageWidth, int imageHeight) {
            vertices.forEach(v -> v.checkInside("polygon vertex", imageWidth, imageHeight));
            return new Mask(imageWidth, imageHeight, Rasterizer.polygon(vertices, imageWidth));
        }

        @Override
        public int[] textCoordinates(int imageWidth, int imageHeight) {
            return toMask(imageWidth, imageHeight).extent();
        }
    }

    /**
     * A free-hand stroke: a polyline through pixels drawn with a round brush {@code brushWidth} pixels wide. A
     * pixel belongs to the stroke if its centre lies within {@code brushWidth / 2} of the polyline; the stroke is
     * clipped to the image, as a point's window is.
     */
    record Scribble(List<Point> path, int brushWidth) implements Region {
        public Scribble {
            path = List.copyOf(path);
            if (path.isEmpty()) {
                throw new IllegalArgumentException("scribble needs at least one point");
            }
            if (brushWidth < 1) {
                throw new IllegalArgumentException("scribble brush width must be >= 1, got " + brushWidth);
            }
        }

        @Override
        public Mask toMask(int imageWidth, int imageHeight) {
            path.forEach(p -> p.checkInside("scribble point", imageWidth, imageHeight));
            return new Mask(imageWidth, imageHeight,
                    Rasterizer.stroke(path, brushWidth / 2.0, imageWidth, imageHeight));
        }

        @Override
        public int[] textCoordinates(int imageWidth, int imageHeight) {
            return toMask(imageWidth, imageHeight).extent();
        }
    }

    /**
     * A binary mask of the image's size, row-major: pixel {@code (x, y)} is bit {@code y * width + x}. It is the
     * most general region (a segmentation, a painted sketch). It must have at least one pixel; the bits are copied
     * in and out, so a mask never changes.
     */
    record Mask(int width, int height, BitSet bits) implements Region {
        public Mask {
            checkImageSize(width, height);
            if ((long) width * height > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("mask " + width + "×" + height + " has more than 2^31-1 pixels");
            }
            if (bits.length() > width * height) {
                throw new IllegalArgumentException("mask bit " + (bits.length() - 1) + " lies beyond " + width + "×"
                        + height);
            }
            if (bits.isEmpty()) {
                throw new IllegalArgumentException("mask " + width + "×" + height + " is empty: no pixel is set");
            }
            bits = (BitSet) bits.clone();
        }

        /** A copy of the bits. */
        @Override
        public BitSet bits() {
            return (BitSet) bits.clone();
        }

        /** Whether pixel {@code (x, y)} belongs to the region. */
        public boolean contains(int x, int y) {
            return x >= 0 && y >= 0 && x < width && y < height && bits.get(y * width + x);
        }

        /** The number of pixels set. */
        public int pixelCount() {
            return bits.cardinality();
        }

        /** The index of the first set bit at or after {@code from} (row-major), or -1; for fast iteration. */
        public int nextPixel(int from) {
            return bits.nextSetBit(from);
        }

        @Override
        public Mask toMask(int imageWidth, int imageHeight) {
            checkImageSize(imageWidth, imageHeight);
            if (imageWidth != width || imageHeight != height) {
                throw new IllegalArgumentException("mask size " + width + "×" + height + " differs from image size "
                        + imageWidth + "×" + imageHeight);
            }
            return this;
        }

        @Override
        public int[] textCoordinates(int imageWidth, int imageHeight) {
            return toMask(imageWidth, imageHeight).extent();
        }

        @Override
        public String toString() {
            return "Mask[" + width + "×" + height + ", " + pixelCount() + " pixels]";
        }

        /** The inclusive bounding box {@code [x1, y1, x2, y2]} of the set pixels. */
        int[] extent() {
            int x1 = width;
            int x2 = -1;
            for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
                int x = i % width;
                x1 = Math.min(x1, x);
                x2 = Math.max(x2, x);
            }
            return new int[] {x1, bits.nextSetBit(0) / width, x2, (bits.length() - 1) / width};
        }

        static Mask rectangle(int width, int height, int x0, int y0, int x1Exclusive, int y1Exclusive) {
            BitSet bits = new BitSet(width * height);
            for (int y = y0; y < y1Exclusive; y++) {
                bits.set(y * width + x0, y * width + x1Exclusive);
            }
            return new Mask(width, height, bits);
        }
    }

    private static void checkImageSize(int imageWidth, int imageHeight) {
        if (imageWidth < 1 || imageHeight < 1) {
            throw new IllegalArgumentException("image size " + imageWidth + "×" + imageHeight + " must be positive");
        }
    }
}
