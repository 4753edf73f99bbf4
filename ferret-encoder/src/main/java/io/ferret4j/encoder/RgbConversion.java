package io.ferret4j.encoder;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Pillow's {@code convert("RGB")} on the sample values a decoder produced. Samples are read from the raster,
 * never through {@link BufferedImage#getRGB}, which would apply AWT colour management (a linear-grey to sRGB
 * curve for grey images, embedded ICC profiles) that Pillow does not apply.
 *
 * <ul>
 *   <li>RGB, any bit depth of 8: taken as is; alpha (if any) is dropped, not composited.</li>
 *   <li>Grey: replicated to R, G and B.</li>
 *   <li>Palette: looked up; the palette's alpha is ignored.</li>
 *   <li>16-bit samples: the high byte ({@code v >> 8}), as Pillow unpacks 16-bit RGB, RGBA and grey+alpha
 *       PNGs. The exception is 16-bit grey <em>without</em> alpha: Pillow opens it as an integer image
 *       (mode {@code I}/{@code I;16}) whose conversion to RGB <em>clamps</em> to 255, so values above 255
 *       become 255. This mirrors Pillow 9.4 exactly, odd as it is.</li>
 *   <li>CMYK (CMYK/YCCK JPEGs, which the JDK decodes to the same CMYK values as libjpeg/Pillow): Pillow's
 *       {@code cmyk2rgb}, {@code 255 - k - round(c * (255 - k) / 255)} in its fixed-point form.</li>
 *   <li>Other sample sizes (AWT-only layouts such as 565): scaled to 0-255 with rounding.</li>
 * </ul>
 */
final class RgbConversion {

    private RgbConversion() {
    }

    static RgbImage toRgb(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        if (cm.isAlphaPremultiplied()) {
            image = unpremultiplied(image);
            cm = image.getColorModel();
        }
        Raster raster = image.getRaster();
        if (cm instanceof IndexColorModel icm) {
            return palette(raster, icm);
        }
        int transfer = raster.getTransferType();
        if (transfer != DataBuffer.TYPE_BYTE && transfer != DataBuffer.TYPE_USHORT && transfer != DataBuffer.TYPE_INT) {
            throw new IllegalArgumentException("images with floating-point samples are not supported (data type "
                    + transfer + "); use 8-bit RGB");
        }
        ColorSpace cs = cm.getColorSpace();
        int colours = cm.getNumColorComponents();
        if (cs.getType() == ColorSpace.TYPE_RGB && colours == 3) {
            return rgb(raster, cm);
        }
        if (cs.getType() == ColorSpace.TYPE_GRAY && colours == 1) {
            return grey(raster, cm.getComponentSize(0), cm.hasAlpha());
        }
        if (cs.getType() == ColorSpace.TYPE_CMYK && colours == 4 && cm.getComponentSize(0) == 8) {
            return cmyk(raster);
        }
        throw new IllegalArgumentException("unsupported colour model: " + colours + " colour component(s) in colour "
                + "space type " + cs.getType() + " (" + cm.getClass().getSimpleName()
                + "); only RGB, grey, palette and 8-bit CMYK images can be converted to RGB");
    }

    private static RgbImage rgb(Raster raster, ColorModel cm) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w];
        for (int c = 0; c < 3; c++) {
            int bits = cm.getComponentSize(c);
            for (int y = 0; y < h; y++) {
                raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, c, row);
                for (int x = 0; x < w; x++) {
                    out[(y * w + x) * 3 + c] = (byte) to8Bit(row[x], bits);
                }
            }
        }
        return RgbImage.wrap(w, h, out);
    }

    private static RgbImage grey(Raster raster, int bits, boolean hasAlpha) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                // Pillow: 16-bit grey alone is mode I (clamped to 255), with alpha it is unpacked to 8 bits
                int v = bits == 16 && !hasAlpha ? Math.min(row[x], 255) : to8Bit(row[x], bits);
                int o = (y * w + x) * 3;
                out[o] = out[o + 1] = out[o + 2] = (byte) v;
            }
        }
        return RgbImage.wrap(w, h, out);
    }

    private static RgbImage palette(Raster raster, IndexColorModel icm) {
        int size = Math.max(icm.getMapSize(), 1 << Math.min(icm.getPixelSize(), 16));
        byte[] r = new byte[size];
        byte[] g = new byte[size];
        byte[] b = new byte[size];
        icm.getReds(r);
        icm.getGreens(g);
        icm.getBlues(b);
        int w = raster.getWidth();
        int h = raster.getHeight();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                out[o] = r[row[x]];
                out[o + 1] = g[row[x]];
                out[o + 2] = b[row[x]];
            }
        }
        return RgbImage.wrap(w, h, out);
    }

    private static RgbImage cmyk(Raster raster) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        byte[] out = new byte[w * h * 3];
        int[] px = new int[4 * w];
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, px);
            for (int x = 0; x < w; x++) {
                int notK = 255 - px[4 * x + 3];
                for (int c = 0; c < 3; c++) {
                    int v = notK - mulDiv255(px[4 * x + c], notK);          // Pillow Convert.c cmyk2rgb
                    out[(y * w + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        }
        return RgbImage.wrap(w, h, out);
    }

    /** Pillow's {@code MULDIV255}: {@code round(a * b / 255)} in integer arithmetic. */
    private static int mulDiv255(int a, int b) {
        int tmp = a * b + 128;
        return ((tmp >> 8) + tmp) >> 8;
    }

    private static int to8Bit(int v, int bits) {
        if (bits == 8) {
            return v;
        }
        if (bits == 16) {
            return v >>> 8;
        }
        int max = (1 << bits) - 1;
        return (int) ((v * 255L + max / 2) / max);
    }

    private static BufferedImage unpremultiplied(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        BufferedImage copy = new BufferedImage(cm, image.copyData(null), true, null);
        copy.coerceData(false);
        return copy;
    }
}
