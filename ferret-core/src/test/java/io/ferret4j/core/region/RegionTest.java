package io.ferret4j.core.region;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import java.util.List;

import io.ferret4j.core.region.Region.Box;
import io.ferret4j.core.region.Region.Mask;
import io.ferret4j.core.region.Region.Point;
import io.ferret4j.core.region.Region.Polygon;
import io.ferret4j.core.region.Region.Scribble;
import org.junit.jupiter.api.Test;

final class RegionTest {

    @Test
    void pointMaskIsTheElevenByElevenWindow() {
        Mask m = new Point(50, 40).toMask(100, 80);
        assertThat(m.pixelCount()).isEqualTo(121);
        assertThat(m.contains(45, 35)).isTrue();
        assertThat(m.contains(55, 45)).isTrue();
        assertThat(m.contains(44, 40)).isFalse();
        assertThat(m.contains(56, 40)).isFalse();
        assertThat(m.contains(50, 46)).isFalse();
        assertThat(m.textCoordinates(100, 80)).containsExactly(45, 35, 55, 45);
    }

    @Test
    void pointMaskIsClippedAtTheImageBorder() {
        Mask m = new Point(2, 0).toMask(100, 80);
        assertThat(m.pixelCount()).isEqualTo(8 * 6);                   // x 0..7, y 0..5
        assertThat(m.textCoordinates(100, 80)).containsExactly(0, 0, 7, 5);
        assertThat(new Point(99, 79).toMask(100, 80).pixelCount()).isEqualTo(6 * 6);
    }

    @Test
    void boxMaskHasInclusiveEnds() {
        Mask m = new Box(3, 4, 6, 8).toMask(10, 10);
        assertThat(m.pixelCount()).isEqualTo(4 * 5);
        assertThat(m.contains(6, 8)).isTrue();
        assertThat(m.contains(7, 8)).isFalse();
        assertThat(m.contains(6, 9)).isFalse();
        assertThat(new Box(0, 0, 9, 9).toMask(10, 10).pixelCount()).isEqualTo(100);
    }

    @Test
    void polygonSquareCoversTheSamePixelsAsTheBox() {
        Polygon square = new Polygon(List.of(new Point(2, 3), new Point(12, 3), new Point(12, 9), new Point(2, 9)));
        assertThat(square.toMask(20, 20)).isEqualTo(new Box(2, 3, 12, 9).toMask(20, 20));
    }

    @Test
    void polygonTriangleIsFilledWithItsEdges() {
        Mask m = new Polygon(List.of(new Point(0, 0), new Point(10, 0), new Point(0, 10))).toMask(20, 20);
        int expected = 0;
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 20; x++) {
                boolean inside = x + y <= 10;
                assertThat(m.contains(x, y)).as("(%d, %d)", x, y).isEqualTo(inside);
                expected += inside ? 1 : 0;
            }
        }
        assertThat(m.pixelCount()).isEqualTo(expected).isEqualTo(66);
    }

    @Test
    void selfIntersectingPolygonUsesTheEvenOddRule() {
        // a pentagram: the central pentagon is wound twice, so even-odd leaves it out while the tips stay in
        Polygon star = new Polygon(List.of(new Point(50, 0), new Point(79, 90), new Point(2, 35), new Point(98, 35),
                new Point(21, 90)));
        Mask m = star.toMask(100, 100);
        assertThat(m.contains(50, 50)).isFalse();
        assertThat(m.contains(50, 10)).isTrue();
        assertThat(m.contains(10, 37)).isTrue();
        assertThat(m.contains(50, 95)).isFalse();
    }

    @Test
    void scribbleIsStrokedWithTheBrushWidth() {
        Scribble thin = new Scribble(List.of(new Point(10, 10), new Point(20, 10)), 1);
        assertThat(thin.toMask(40, 40).pixelCount()).isEqualTo(11);
        Mask wide = new Scribble(List.of(new Point(10, 10), new Point(20, 10)), 3).toMask(40, 40);
        assertThat(wide.pixelCount()).isEqualTo(3 * 13);               // rows 9..11, columns 9..21 (round caps)
        assertThat(wide.contains(9, 9)).isTrue();
        assertThat(wide.contains(8, 10)).isFalse();
        assertThat(new Scribble(List.of(new Point(0, 0)), 1).toMask(5, 5).pixelCount()).isEqualTo(1);
    }

    @Test
    void scribbleIsClippedToTheImage() {
        Mask m = new Scribble(List.of(new Point(0, 0), new Point(0, 4)), 5).toMask(5, 5);
        assertThat(m.textCoordinates(5, 5)).containsExactly(0, 0, 2, 4);
    }

    @Test
    void textCoordinatesArePointOrMaskExtent() {
        assertThat(new Point(7, 8).textCoordinates(20, 20)).containsExactly(7, 8);
        assertThat(new Box(1, 2, 3, 4).textCoordinates(20, 20)).containsExactly(1, 2, 3, 4);
        BitSet bits = new BitSet();
        bits.set(3 * 10 + 7);
        bits.set(5 * 10 + 2);
        assertThat(new Mask(10, 8, bits).textCoordinates(10, 8)).containsExactly(2, 3, 7, 5);
        assertThat(new Polygon(List.of(new Point(4, 1), new Point(9, 6), new Point(1, 6))).textCoordinates(20, 20))
                .containsExactly(1, 1, 9, 6);
    }

    @Test
    void maskIsACopyOfTheBitsItWasGiven() {
        BitSet bits = new BitSet();
        bits.set(0);
        Mask m = new Mask(2, 2, bits);
        bits.set(3);
        m.bits().set(2);
        assertThat(m.pixelCount()).isEqualTo(1);
        assertThat(m).isEqualTo(new Mask(2, 2, BitSet.valueOf(new long[] {1})));
    }

    @Test
    void rejectsRegionsOutsideTheImage() {
        assertThatThrownBy(() -> new Point(100, 5).toMask(100, 80))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("point (100, 5) lies outside image 100×80");
        assertThatThrownBy(() -> new Box(40, 60, 900, 300).toMask(640, 480))
                .hasMessage("box (40,60,900,300) exceeds image 640×480");
        assertThatThrownBy(() -> new Polygon(List.of(new Point(0, 0), new Point(5, 0), new Point(0, 9))).toMask(8, 8))
                .hasMessage("polygon vertex (0, 9) lies outside image 8×8");
        assertThatThrownBy(() -> new Scribble(List.of(new Point(3, 3), new Point(8, 3)), 2).toMask(8, 8))
                .hasMessage("scribble point (8, 3) lies outside image 8×8");
        assertThatThrownBy(() -> new Point(1, 1).textCoordinates(0, 10))
                .hasMessage("image size 0×10 must be positive");
    }

    @Test
    void rejectsDegenerateAndNegativeShapes() {
        assertThatThrownBy(() -> new Box(10, 5, 9, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("box (10,5,9,8) is degenerate: it needs x1 <= x2 and y1 <= y2");
        assertThatThrownBy(() -> new Box(-1, 5, 9, 8)).hasMessage("box (-1,5,9,8) has a negative coordinate");
        assertThatThrownBy(() -> new Point(3, -2)).hasMessage("point (3, -2) has a negative coordinate");
        assertThatThrownBy(() -> new Polygon(List.of(new Point(0, 0), new Point(1, 1))))
                .hasMessage("polygon needs at least 3 vertices, got 2");
        assertThatThrownBy(() -> new Scribble(List.of(new Point(0, 0)), 0))
                .hasMessage("scribble brush width must be >= 1, got 0");
        assertThatThrownBy(() -> new Scribble(List.of(), 3)).hasMessage("scribble needs at least one point");
    }

    @Test
    void rejectsEmptyOversizedAndMismatchedMasks() {
        assertThatThrownBy(() -> new Mask(4, 3, new BitSet()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("mask 4×3 is empty: no pixel is set");
        BitSet beyond = new BitSet();
        beyond.set(12);
        assertThatThrownBy(() -> new Mask(4, 3, beyond)).hasMessage("mask bit 12 lies beyond 4×3");
        Mask m = new Point(1, 1).toMask(4, 3);
        assertThatThrownBy(() -> m.toMask(3, 4)).hasMessage("mask size 4×3 differs from image size 3×4");
    }
}
