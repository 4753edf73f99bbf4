package io.ferret4j.core.region;

import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

import io.ferret4j.core.region.Region.Point;

/** Scan conversion of polygons and strokes into row-major bit masks; pixel centres are the integer points. */
final class Rasterizer {

    private Rasterizer() {
    }

    /**
     * Fills a closed polygon whose vertices lie inside a {@code width}-wide image: the pixels strictly inside by
     * the even-odd rule, plus every pixel on an edge.
     */
    static BitSet polygon(List<Point> vertices, int width) {
        BitSet bits = new BitSet();
        int n = vertices.size();
        int minY = vertices.stream().mapToInt(Point::y).min().orElseThrow();
        int maxY = vertices.stream().mapToInt(Point::y).max().orElseThrow();
        double[] crossings = new double[n];
        for (int y = minY; y <= maxY; y++) {
            int count = 0;
            for (int i = 0; i < n; i++) {
                Point a = vertices.get(i);
                Point b = vertices.get((i + 1) % n);
                // half-open in y, so a scanline through a vertex counts each edge pair correctly
                if ((a.y() <= y) != (b.y() <= y)) {
                    crossings[count++] = a.x() + (double) (y - a.y()) * (b.x() - a.x()) / (b.y() - a.y());
                }
            }
            Arrays.sort(crossings, 0, count);
            for (int k = 0; k + 1 < count; k += 2) {
                // integers strictly between the two crossings; a crossing that is itself an integer is an edge
                // pixel, which the boundary pass below adds
                int from = (int) Math.floor(crossings[k]) + 1;
                int to = (int) Math.ceil(crossings[k + 1]) - 1;
                if (from <= to) {
                    bits.set(y * width + from, y * width + to + 1);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            setSegmentLatticePoints(bits, vertices.get(i), vertices.get((i + 1) % n), width);
        }
        return bits;
    }

    /** The pixels whose centres lie within {@code radius} of the polyline, clipped to the image. */
    static BitSet stroke(List<Point> path, double radius, int width, int height) {
        BitSet bits = new BitSet();
        int reach = (int) Math.ceil(radius);
        double r2 = radius * radius;
        for (int i = 0; i < Math.max(1, path.size() - 1); i++) {
            Point a = path.get(i);
            Point b = path.get(Math.min(i + 1, path.size() - 1));
            int x0 = Math.max(0, Math.min(a.x(), b.x()) - reach);
            int x1 = Math.min(width - 1, Math.max(a.x(), b.x()) + reach);
            int y0 = Math.max(0, Math.min(a.y(), b.y()) - reach);
            int y1 = Math.min(height - 1, Math.max(a.y(), b.y()) + reach);
            for (int y = y0; y <= y1; y++) {
                for (int x = x0; x <= x1; x++) {
                    if (squaredDistanceToSegment(x, y, a, b) <= r2) {
                        bits.set(y * width + x);
                    }
                }
            }
        }
        return bits;
    }

    private static void setSegmentLatticePoints(BitSet bits, Point a, Point b, int width) {
        int dx = b.x() - a.x();
        int dy = b.y() - a.y();
        int steps = gcd(Math.abs(dx), Math.abs(dy));
        if (steps == 0) {
            bits.set(a.y() * width + a.x());
            return;
        }
        for (int s = 0; s <= steps; s++) {
            bits.set((a.y() + s * dy / steps) * width + a.x() + s * dx / steps);
        }
    }

    private static double squaredDistanceToSegment(int px, int py, Point a, Point b) {
        double dx = b.x() - a.x();
        double dy = b.y() - a.y();
        double len2 = dx * dx + dy * dy;
        double t = len2 == 0 ? 0 : Math.max(0, Math.min(1, ((px - a.x()) * dx + (py - a.y()) * dy) / len2));
        double ex = px - (a.x() + t * dx);
        double ey = py - (a.y() + t * dy);
        return ex * ex + ey * ey;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
