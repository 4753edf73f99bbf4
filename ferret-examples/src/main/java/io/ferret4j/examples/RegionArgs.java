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
final class RegionArgs {
    static final Set<String> OPTIONS = Set.of("--point", "--box", "--mask", "--polygon");

    private RegionArgs() {
    }

    static List<Region> parse(CliArgs args, int imageWidth, int imageHeight) {
        List<Region> out = new ArrayList<>();
        for (Map.Entry<String, String> e : args.inOrder(OPTIONS)) {
            String v = e.getValue();
            out.add(switch (e.getKey()) {
                case "--point" -> {
                    int[] p = CliArgs.ints("--point", v, 2);
                    yield new Region.Point(p[0], p[1]);
                }
                case "--box" -> {
                    int[] b = CliArgs.ints("--box", v, 4);
                    yield new Region.Box(b[0], b[1], b[2], b[3]);
                }
                case "--polygon" -> {
                    int[] xy = CliArgs.ints("--polygon", v, -1);
                    List<Region.Point> vertices = new ArrayList<>();
                    for (int i = 0; i < xy.length; i += 2) {
                        vertices.add(new Region.Point(xy[i], xy[i + 1]));
                    }
                    yield new Region.Polygon(vertices);
                }
                default -> mask(Path.of(v), imageWidth, imageHeight);
            });
        }
        return out;
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
