package io.ferret4j.encoder;

/**
 * Pillow's {@code Image.resize(size, BICUBIC)} for 8-bit RGB, bit for bit: the separable, antialiased,
 * fixed-point resampler of Pillow's {@code Resample.c} ({@code precompute_coeffs},
 * {@code normalize_coeffs_8bpc}, {@code ImagingResampleHorizontal_8bpc} / {@code Vertical_8bpc}).
 *
 * <p>The horizontal pass runs first and its result is stored as 8-bit (rounded and clamped) before the
 * vertical pass; a pass is skipped when that dimension already has its target size.
 */
final class PillowResize {
    /** {@code 32 - 8 - 2}: 8 bits of sample and 2 of headroom in a 32-bit accumulator. */
    private static final int PRECISION_BITS = 22;
    /** Bicubic filter support in input pixels at scale 1. */
    private static final double SUPPORT = 2.0;

    private PillowResize() {
    }

    /** Resizes {@code in} to {@code outWidth x outHeight} (returns {@code in} itself if the size is unchanged). */
    static RgbImage bicubic(RgbImage in, int outWidth, int outHeight) {
        if (outWidth < 1 || outHeight < 1) {
            throw new IllegalArgumentException("target size " + outWidth + "x" + outHeight + " must be positive");
        }
        byte[] pixels = in.hwc();
        int width = in.width();
        if (outWidth != width) {
            pixels = horizontal(pixels, width, in.height(), Coefficients.of(width, outWidth));
            width = outWidth;
        }
        if (outHeight != in.height()) {
            pixels = vertical(pixels, width, Coefficients.of(in.height(), outHeight));
        }
        return pixels == in.hwc() ? in : RgbImage.wrap(outWidth, outHeight, pixels);
    }

    /** Pillow's {@code bicubic_filter}, Keys' cubic with {@code a = -0.5}. */
    static double filter(double x) {
        final double a = -0.5;
        x = Math.abs(x);
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    private static byte[] horizontal(byte[] in, int inWidth, int height, Coefficients k) {
        int outWidth = k.outSize();
        byte[] out = new byte[outWidth * height * 3];
        for (int y = 0; y < height; y++) {
            int inRow = y * inWidth * 3;
            for (int x = 0; x < outWidth; x++) {
                int xmin = k.start[x];
                int base = x * k.ksize;
                int s0 = 1 << (PRECISION_BITS - 1);
                int s1 = s0;
                int s2 = s0;
                for (int t = 0; t < k.count[x]; t++) {
                    int w = k.weights[base + t];
                    int p = inRow + (xmin + t) * 3;
                    s0 += (in[p] & 0xff) * w;
                    s1 += (in[p + 1] & 0xff) * w;
                    s2 += (in[p + 2] & 0xff) * w;
                }
                int o = (y * outWidth + x) * 3;
                out[o] = clip8(s0);
                out[o + 1] = clip8(s1);
                out[o + 2] = clip8(s2);
            }
        }
        return out;
    }

    private static byte[] vertical(byte[] in, int width, Coefficients k) {
        int outHeight = k.outSize();
        int rowBytes = width * 3;
        byte[] out = new byte[outHeight * rowBytes];
        int[] acc = new int[rowBytes];
        for (int y = 0; y < outHeight; y++) {
            java.util.Arrays.fill(acc, 1 << (PRECISION_BITS - 1));
            int base = y * k.ksize;
            for (int t = 0; t < k.count[y]; t++) {
                int w = k.weights[base + t];
                int inRow = (k.start[y] + t) * rowBytes;
                for (int i = 0; i < rowBytes; i++) {                 // same sums as Pillow's per-pixel loop
                    acc[i] += (in[inRow + i] & 0xff) * w;
                }
            }
            for (int i = 0; i < rowBytes; i++) {
                out[y * rowBytes + i] = clip8(acc[i]);
            }
        }
        return out;
    }

    /** Pillow's {@code clip8}: the rounded fixed-point sum back to 0-255. */
    private static byte clip8(int acc) {
        if (acc >= (1 << PRECISION_BITS << 8)) {
            return (byte) 255;
        }
        if (acc <= 0) {
            return 0;
        }
        return (byte) (acc >> PRECISION_BITS);
    }

    /**
     * Per output sample: the first input index, the number of inputs and their fixed-point weights
     * ({@code ksize} slots per output sample).
     */
    record Coefficients(int ksize, int[] start, int[] count, int[] weights) {

        int outSize() {
            return start.length;
        }

        static Coefficients of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);                  // antialias when downscaling
            double support = SUPPORT * filterScale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[outSize * ksize];
            double[] k = new double[ksize];
            double ss = 1.0 / filterScale;                              // Pillow multiplies by 1/filterscale
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                int xmin = Math.max((int) (center - support + 0.5), 0);   // (int) truncates, as C does
                int n = Math.min((int) (center + support + 0.5), inSize) - xmin;
                double ww = 0.0;
                for (int x = 0; x < n; x++) {
                    k[x] = filter((x + xmin - center + 0.5) * ss);
                    ww += k[x];
                }
                for (int x = 0; x < n; x++) {
                    double w = ww != 0.0 ? k[x] / ww : k[x];
                    // normalize_coeffs_8bpc: round half away from zero, then truncate
                    weights[xx * ksize + x] = w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS))
                            : (int) (0.5 + w * (1 << PRECISION_BITS));
                }
                start[xx] = xmin;
                count[xx] = n;
            }
            return new Coefficients(ksize, start, count, weights);
        }
    }
}
