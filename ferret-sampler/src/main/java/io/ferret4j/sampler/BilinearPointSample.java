package io.ferret4j.sampler;

/**
 * {@code F.grid_sample(mode='bilinear', padding_mode='zeros', align_corners=True)} of a square feature map at
 * normalised points, exactly as the reference's {@code point_sample} calls it — including its transposition.
 *
 * <p>The reference passes {@code flip(points)} as the grid, so for a point {@code (u, v) = (x/W, y/H)} the grid's
 * x (the column) comes from {@code v} and its y (the row) from {@code u}: a pixel {@code (x, y)} reads the patch at
 * row ≈ {@code (side-1)·x/W}, column ≈ {@code (side-1)·y/H}, the transpose of the geometric location. The released
 * weights were trained this way, so it is reproduced, not fixed. Arithmetic is fp32 in the order of PyTorch's CPU
 * kernel: {@code g = 2t - 1}, {@code i = (g + 1) · (side-1)/2}, weights from the distances to the west/north
 * neighbours, then {@code nw·v₀₀ + ne·v₀₁ + sw·v₁₀ + se·v₁₁} accumulated left to right as the chain of fused
 * multiply-adds that the compiled kernel executes, corners outside the map reading 0. This reproduces the fp32 CPU
 * reference bit for bit (plain multiply-then-add differs in the last bit).
 */
final class BilinearPointSample {

    private BilinearPointSample() {
    }

    /**
     * @param map      {@code [side, side, channels]} row-major: the CLIP patch rows {@code [side², channels]}, i.e.
     *                 {@code G[c][r][q] = map[(r·side + q)·channels + c]}
     * @param points   {@code [P, 2]} interleaved {@code (u, v)}
     * @param out      receives {@code [P, channels]} starting at {@code outOffset}
     */
    static void sample(float[] map, int side, int channels, float[] points, float[] out, int outOffset) {
        float scale = (side - 1) / 2f;                                  // align_corners=True unnormalisation
        int numPoints = points.length / 2;
        for (int p = 0; p < numPoints; p++) {
            float gx = 2f * points[2 * p + 1] - 1f;                      // flipped: v drives the column ...
            float gy = 2f * points[2 * p] - 1f;                          // ... and u the row
            float ix = (gx + 1f) * scale;
            float iy = (gy + 1f) * scale;
            int x0 = (int) Math.floor(ix);
            int y0 = (int) Math.floor(iy);
            float w = ix - x0;
            float e = 1f - w;
            float n = iy - y0;
            float s = 1f - n;
            float nw = s * e;
            float ne = s * w;
            float sw = n * e;
            float se = n * w;
            int base = outOffset + p * channels;
            int cNw = corner(side, channels, y0, x0);
            int cNe = corner(side, channels, y0, x0 + 1);
            int cSw = corner(side, channels, y0 + 1, x0);
            int cSe = corner(side, channels, y0 + 1, x0 + 1);
            for (int c = 0; c < channels; c++) {
                float acc = at(map, cNw, c) * nw;
                acc = Math.fma(at(map, cNe, c), ne, acc);
                acc = Math.fma(at(map, cSw, c), sw, acc);
                out[base + c] = Math.fma(at(map, cSe, c), se, acc);
            }
        }
    }

    /** Offset of pixel (row, col) in the map, or -1 outside it (zero padding). */
    private static int corner(int side, int channels, int row, int col) {
        return row < 0 || col < 0 || row >= side || col >= side ? -1 : (row * side + col) * channels;
    }

    private static float at(float[] map, int offset, int c) {
        return offset < 0 ? 0f : map[offset + c];
    }
}
