package io.ferret4j.encoder;

import java.awt.image.BufferedImage;
import java.security.MessageDigest;

/**
 * An 8-bit RGB image, row-major with interleaved channels ({@code [height, width, 3]}, HWC), the layout of a
 * Pillow {@code "RGB"} image and of numpy's {@code np.asarray(img)}.
 */
public final class RgbImage {
    private final int width;
    private final int height;
    private final byte[] hwc;

    private RgbImage(int width, int height, byte[] hwc) {
        if (width < 1 || height < 1 || (long) width * height * 3 != hwc.length) {
            throw new IllegalArgumentException("an RGB image of " + width + "x" + height + " needs "
                    + (long) width * height * 3 + " bytes, got " + hwc.length);
        }
        this.width = width;
        this.height = height;
        this.hwc = hwc;
    }

    /** Wraps a copy of {@code hwc} ({@code height * width * 3} bytes, R,G,B per pixel, rows top to bottom). */
    public static RgbImage of(int width, int height, byte[] hwc) {
        return new RgbImage(width, height, hwc.clone());
    }

    /** Takes ownership of {@code hwc} without copying (for code in this package that built it). */
    static RgbImage wrap(int width, int height, byte[] hwc) {
        return new RgbImage(width, height, hwc);
    }

    /**
     * Converts as Pillow's {@code Image.convert("RGB")} does on the image a file decodes to: grey is
     * replicated, alpha is dropped without compositing, palettes are looked up, CMYK uses Pillow's formula.
     * See {@link RgbConversion} for the exact rules, including 16-bit samples.
     *
     * @throws IllegalArgumentException for colour models Pillow would not produce from a file (floating
     *                                  point samples, colour spaces other than RGB, grey and CMYK)
     */
    public static RgbImage of(BufferedImage image) {
        return RgbConversion.toRgb(image);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Feeds the pixels, {@code [height, width, 3]} row-major, to {@code digest} (to know an image by its content). */
    public void update(MessageDigest digest) {
        digest.update(hwc);
    }

    /** Channel {@code c} (0 = R) of pixel {@code (x, y)}, 0-255. */
    public int get(int x, int y, int c) {
        return hwc[(y * width + x) * 3 + c] & 0xff;
    }

    /** The pixels without copying, for this package's resampler and normaliser, which only read them. */
    byte[] hwc() {
        return hwc;
    }
}
