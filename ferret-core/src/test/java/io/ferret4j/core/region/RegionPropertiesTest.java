package io.ferret4j.core.region;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.ferret4j.core.region.Region.Box;
import io.ferret4j.core.region.Region.Mask;
import io.ferret4j.core.region.Region.Point;
import io.ferret4j.core.region.Region.Polygon;
import io.ferret4j.core.region.Region.Scribble;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

final class RegionPropertiesTest {

    /** An image size and a region that lies inside it. */
    record Case(int width, int height, Region region) {
    }

    @Property(tries = 300)
    void everyRasterisedRegionLiesInsideTheImageAndItsTextBox(@ForAll("regions") Case c) {
        Mask m = c.region().toMask(c.width(), c.height());
        assertThat(m.width()).isEqualTo(c.width());
        assertThat(m.height()).isEqualTo(c.height());
        assertThat(m.bits().length()).isLessThanOrEqualTo(c.width() * c.height());
        assertThat(m.pixelCount()).isPositive();
        int[] box = m.textCoordinates(c.width(), c.height());
        int[] seen = {Integer.MAX_VALUE, Integer.MAX_VALUE, -1, -1};
        for (int i = m.nextPixel(0); i >= 0; i = m.nextPixel(i + 1)) {
            int x = i % c.width();
            int y = i / c.width();
            assertThat(x).isBetween(box[0], box[2]);
            assertThat(y).isBetween(box[1], box[3]);
            seen = new int[] {Math.min(seen[0], x), Math.min(seen[1], y), Math.max(seen[2], x), Math.max(seen[3], y)};
        }
        assertThat(seen).containsExactly(box);
    }

    @Property(tries = 300)
    void polygonsStayWithinTheirVerticesAndScribblesWithinTheirBrush(@ForAll("regions") Case c) {
        if (c.region() instanceof Polygon p) {
            assertWithin(p.toMask(c.width(), c.height()), p.vertices(), 0);
        } else if (c.region() instanceof Scribble s) {
            assertWithin(s.toMask(c.width(), c.height()), s.path(), (int) Math.ceil(s.brushWidth() / 2.0));
        }
    }

    @Property(tries = 300)
    void aPointsMaskIsTheClippedElevenByElevenWindow(@ForAll @IntRange(min = 1, max = 60) int w,
            @ForAll @IntRange(min = 1, max = 60) int h, @ForAll @IntRange(min = 0, max = 59) int px,
            @ForAll @IntRange(min = 0, max = 59) int py) {
        Point p = new Point(px % w, py % h);
        Mask m = p.toMask(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean window = Math.abs(x - p.x()) <= Region.POINT_SPAN && Math.abs(y - p.y()) <= Region.POINT_SPAN;
                assertThat(m.contains(x, y)).as("(%d, %d) around %s", x, y, p).isEqualTo(window);
            }
        }
    }

    @Property(tries = 300)
    void anAxisAlignedRectanglePolygonIsItsBox(@ForAll("boxes") Case c) {
        Box b = (Box) c.region();
        Polygon p = new Polygon(List.of(new Point(b.x1(), b.y1()), new Point(b.x2(), b.y1()),
                new Point(b.x2(), b.y2()), new Point(b.x1(), b.y2())));
        assertThat(p.toMask(c.width(), c.height())).isEqualTo(b.toMask(c.width(), c.height()));
    }

    @Property(tries = 1000)
    void pixelToGridToPixelLosesLessThanOneGridCell(@ForAll @IntRange(min = 1, max = 8000) int size,
            @ForAll @IntRange(min = 0, max = 7999) int anyPixel) {
        int pixel = anyPixel % size;
        int grid = VocabCoordinates.toGrid(pixel, size);
        int back = VocabCoordinates.toPixel(grid, size);
        assertThat(grid).isBetween(0, VocabCoordinates.GRID - 1);
        assertThat(pixel - back).isBetween(0, (int) (size / 1000.0) + 1);
    }

    @Property(tries = 1000)
    void gridToPixelToGridLosesLessThanOnePixel(@ForAll @IntRange(min = 1, max = 8000) int size,
            @ForAll @IntRange(min = 0, max = 999) int grid) {
        int pixel = VocabCoordinates.toPixel(grid, size);
        assertThat(pixel).isBetween(0, size - 1);
        assertThat(grid - VocabCoordinates.toGrid(pixel, size)).isBetween(0, (int) (1000.0 / size) + 1);
    }

    @Provide
    Arbitrary<Case> regions() {
        return sizes().flatMap(wh -> Arbitraries.oneOf(point(wh[0], wh[1]), box(wh[0], wh[1]),
                polygon(wh[0], wh[1]), scribble(wh[0], wh[1]), mask(wh[0], wh[1]))
                .map(r -> new Case(wh[0], wh[1], r)));
    }

    @Provide
    Arbitrary<Case> boxes() {
        return sizes().flatMap(wh -> box(wh[0], wh[1]).map(r -> new Case(wh[0], wh[1], r)));
    }

    private static Arbitrary<int[]> sizes() {
        return Combinators.combine(Arbitraries.integers().between(1, 90), Arbitraries.integers().between(1, 90))
                .as((w, h) -> new int[] {w, h});
    }

    private static Arbitrary<Point> point(int w, int h) {
        return Combinators.combine(Arbitraries.integers().between(0, w - 1), Arbitraries.integers().between(0, h - 1))
                .as(Point::new);
    }

    private static Arbitrary<Region> box(int w, int h) {
        return Combinators.combine(point(w, h), point(w, h)).as((a, b) -> new Box(Math.min(a.x(), b.x()),
                Math.min(a.y(), b.y()), Math.max(a.x(), b.x()), Math.max(a.y(), b.y())));
    }

    private static Arbitrary<Region> polygon(int w, int h) {
        return point(w, h).list().ofMinSize(3).ofMaxSize(8).map(Polygon::new);
    }

    private static Arbitrary<Region> scribble(int w, int h) {
        return Combinators.combine(point(w, h).list().ofMinSize(1).ofMaxSize(6), Arbitraries.integers().between(1, 9))
                .as(Scribble::new);
    }

    private static Arbitrary<Region> mask(int w, int h) {
        return point(w, h).list().ofMinSize(1).ofMaxSize(30).map(ps -> {
            java.util.BitSet bits = new java.util.BitSet();
            ps.forEach(p -> bits.set(p.y() * w + p.x()));
            return new Mask(w, h, bits);
        });
    }

    private static void assertWithin(Mask m, List<Point> points, int margin) {
        int x1 = points.stream().mapToInt(Point::x).min().orElseThrow() - margin;
        int x2 = points.stream().mapToInt(Point::x).max().orElseThrow() + margin;
        int y1 = points.stream().mapToInt(Point::y).min().orElseThrow() - margin;
        int y2 = points.stream().mapToInt(Point::y).max().orElseThrow() + margin;
        int[] extent = m.textCoordinates(m.width(), m.height());
        assertThat(extent[0]).isGreaterThanOrEqualTo(x1);
        assertThat(extent[1]).isGreaterThanOrEqualTo(y1);
        assertThat(extent[2]).isLessThanOrEqualTo(x2);
        assertThat(extent[3]).isLessThanOrEqualTo(y2);
        for (Point p : points) {
            assertThat(m.contains(p.x(), p.y())).as("path/vertex %s is drawn", p).isTrue();
        }
    }
}
