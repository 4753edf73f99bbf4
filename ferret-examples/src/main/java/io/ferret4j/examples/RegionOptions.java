package io.ferret4j.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.ferret4j.core.region.Region;
import io.ferret4j.encoder.ImageFiles;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * Regions given on the command line, in the order given: {@code --point}, {@code --box}, {@code --mask},
 * {@code --polygon} (a picocli mixin). Each is repeatable, and the prompt's {@code <region>} marks take them in
 * command-line order, whatever their kinds.
 */
public final class RegionOptions {
    /** The regions in command-line order; a mask is read once the image's size is known. */
    private final List<Given> given = new ArrayList<>();

    private interface Given {
        Region region(int imageWidth, int imageHeight);
    }

    // picocli calls a repeatable option's setter with all of its values so far: the newest is the last.

    @Option(names = "--point", paramLabel = "X,Y", converter = PointConverter.class,
            description = "a point, in pixels (repeatable)")
    private void points(List<Region.Point> all) {
        addNewest(all);
    }

    @Option(names = "--box", paramLabel = "X1,Y1,X2,Y2", converter = BoxConverter.class,
            description = "a box, corners inclusive, in pixels (repeatable)")
    private void boxes(List<Region.Box> all) {
        addNewest(all);
    }

    @Option(names = "--mask", paramLabel = "PNG",
            description = "an image of the photo's size whose non-zero pixels are the region (repeatable)")
    private void masks(List<Path> all) {
        if (!all.isEmpty()) {
            Path file = all.get(all.size() - 1);
            given.add((w, h) -> mask(file, w, h));
        }
    }

    @Option(names = "--polygon", paramLabel = "X,Y,X,Y,...", converter = PolygonConverter.class,
            description = "a polygon of at least 3 vertices, in pixels (repeatable)")
    private void polygons(List<Region.Polygon> all) {
        addNewest(all);
    }

    private void addNewest(List<? extends Region> all) {
        if (!all.isEmpty()) {
            Region r = all.get(all.size() - 1);
            given.add((w, h) -> r);
        }
    }

    /**
     * Parses {@code args}, which may hold only these options, as {@code refer} and {@code ask} read them: for
     * regions given elsewhere than on a command line (a task file).
     *
     * @throws IllegalArgumentException naming the option whose value is malformed
     */
    public static RegionOptions parse(List<String> args) {
        RegionOptions options = new RegionOptions();
        try {
            FerretCli.configure(new CommandLine(options)).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return options;
    }

    /**
     * The regions on an image of this size, in command-line order.
     *
     * @throws IllegalArgumentException if a mask is not of this size
     * @throws java.io.UncheckedIOException if a mask cannot be read
     */
    public List<Region> regions(int imageWidth, int imageHeight) {
        return given.stream().map(g -> g.region(imageWidth, imageHeight)).toList();
    }

    /** A PNG (or any image) of the photo's size whose non-zero pixels (any channel) are the region. */
    private static Region.Mask mask(Path file, int imageWidth, int imageHeight) {
        return MaskPixels.of(ImageFiles.read(file), imageWidth, imageHeight, "mask " + file);
    }

    /**
     * Comma-separated integers, e.g. {@code 10,20,30,40}: exactly {@code count} of them, or with {@code count} -1 at
     * least 3 X,Y pairs.
     */
    private static int[] ints(String value, int count) {
        String[] parts = value.split(",", -1);
        if (count > 0 ? parts.length != count : parts.length < 6 || parts.length % 2 != 0) {
            throw new TypeConversionException("expected " + (count > 0 ? count + " comma-separated integers"
                    : "at least 3 X,Y pairs") + " but was '" + value + "'");
        }
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + parts[i] + "' in '" + value + "' is not an integer");
            }
        }
        return out;
    }

    /** {@code X,Y}. */
    static final class PointConverter implements CommandLine.ITypeConverter<Region.Point> {
        @Override
        public Region.Point convert(String value) {
            int[] p = ints(value, 2);
            return new Region.Point(p[0], p[1]);
        }
    }

    /** {@code X1,Y1,X2,Y2}. */
    static final class BoxConverter implements CommandLine.ITypeConverter<Region.Box> {
        @Override
        public Region.Box convert(String value) {
            int[] b = ints(value, 4);
            return new Region.Box(b[0], b[1], b[2], b[3]);
        }
    }

    /** {@code X,Y,X,Y,X,Y[,...]}. */
    static final class PolygonConverter implements CommandLine.ITypeConverter<Region.Polygon> {
        @Override
        public Region.Polygon convert(String value) {
            int[] xy = ints(value, -1);
            List<Region.Point> vertices = new ArrayList<>();
            for (int i = 0; i < xy.length; i += 2) {
                vertices.add(new Region.Point(xy[i], xy[i + 1]));
            }
            return new Region.Polygon(vertices);
        }
    }
}
