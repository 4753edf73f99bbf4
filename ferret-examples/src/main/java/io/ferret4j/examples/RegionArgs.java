package io.ferret4j.examples;

import java.nio.file.Path;
import java.util.ArrayList;
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
        return MaskPixels.of(ImageFiles.read(file), imageWidth, imageHeight, "mask " + file);
    }
}
