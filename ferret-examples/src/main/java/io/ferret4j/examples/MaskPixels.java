package io.ferret4j.examples;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.util.BitSet;

import io.ferret4j.core.region.Region;

/** A region drawn as an image of the photo's size: its non-zero pixels (in any channel) are the region. */
public final class MaskPixels {
    private MaskPixels() {
    }

    /**
     * The mask drawn in {@code img}.
     *
     * @param what names the mask in error messages, e.g. {@code "mask regions.png"}
     * @throws IllegalArgumentException if {@code img} is not {@code imageWidth × imageHeight} or has no
     *         non-zero pixel
     */
    public static Region.Mask of(BufferedImage img, int imageWidth, int imageHeight, String what) {
        if (img.getWidth() != imageWidth || img.getHeight() != imageHeight) {
            throw new IllegalArgumentException(what + " is " + img.getWidth() + "×" + img.getHeight()
                    + " but the image is " + imageWidth + "×" + imageHeight);
        }
        Raster raster = img.getRaster();
        int bands = raster.getNumBands();
        BitSet bits = new BitSet(imageWidth * imageHeight);
        int[] px = new int[bands];
        for (int y = 0; y < imageHeight; y++) {
            for (int x = 0; x < imageWidth; x++) {
                raster.getPixel(x, y, px);
                for (int b = 0; b < bands; b++) {
                    if (px[b] != 0) {
                        bits.set(y * imageWidth + x);
                        break;
                    }
                }
            }
        }
        if (bits.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty: no pixel is non-zero");
        }
        return new Region.Mask(imageWidth, imageHeight, bits);
    }
}
