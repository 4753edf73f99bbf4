package io.ferret4j.examples;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.ferret4j.core.region.Region;
import io.ferret4j.encoder.ImageFiles;

/** Regions given on the command line, in the order given: {@code --point}, {@code --box}, {@code --mask}, {@code --polygon}. */
public final class RegionArgs {
    /** The region options, as the command line spells them. */
    public static final Set<String> OPTIONS = Set.of("--point", "--box", "--mask", "--polygon");

    private RegionArgs() {
    }

    static List<Region> parse(CliArgs args, int imageWidth, int imageHeight) {
        List<Region> out = new ArrayList<>();
        for (Map.Entry<String, String> e : args.inOrder(OPTIONS)) {
            out.add(region(e.getKey(), e.getValue(), imageWidth, imageHeight));
        }
        return out;
    }

    /**
     * One region in its command-line form, e.g. {@code region("--box", "10,20,30,40", w, h)}.
     *
     * @param option one of {@link #OPTIONS}
     * @param value  comma-separated pixels, or the mask file
     * @throws IllegalArgumentException for an unknown option, a malformed value, or a mask of another size than
     *         the image
     * @throws java.io.UncheckedIOException if the mask file cannot be read
     */
    public static Region region(String option, String value, int imageWidth, int imageHeight) {
        return switch (option) {
            case "--point" -> {
                int[] p = CliArgs.ints("--point", value, 2);
                yield new Region.Point(p[0], p[1]);
            }
            case "--box" -> {
                int[] b = CliArgs.ints("--box", value, 4);
                yield new Region.Box(b[0], b[1], b[2], b[3]);
            }
            case "--polygon" -> {
                int[] xy = CliArgs.ints("--polygon", value, -1);
                List<Region.Point> vertices = new ArrayList<>();
                for (int i = 0; i < xy.length; i += 2) {
                    vertices.add(new Region.Point(xy[i], xy[i + 1]));
                }
                yield new Region.Polygon(vertices);
            }
            case "--mask" -> mask(Path.of(value), imageWidth, imageHeight);
            default -> throw new IllegalArgumentException("unknown region kind '" + option + "', expected one of "
                    + OPTIONS);
        };
    }

    /** A PNG (or any image) of the photo's size whose non-zero pixels (any channel) are the region. */
    private static Region.Mask mask(Path file, int imageWidth, int imageHeight) {
        BufferedImage img = ImageFiles.read(file);
        if (img.getWidth() != imageWidth || img.getHeight() != imageHeight) {
            throw new IllegalArgumentException("mask " + file + " is " + img.getWidth() + "×" + img.getHeight()
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
        return new Region.Mask(imageWidth, imageHeight, bits);
    }
}
