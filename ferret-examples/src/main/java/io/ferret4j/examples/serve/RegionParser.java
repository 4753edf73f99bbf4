package io.ferret4j.examples.serve;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferret4j.core.region.Region;
import io.ferret4j.examples.MaskPixels;

/**
 * Ferret's region part: {@code {"point":[x,y]}}, {@code {"box":[x1,y1,x2,y2]}}, {@code {"polygon":[[x,y],...]}} or
 * {@code {"mask":"data:image/png;base64,..."}} (an image of the photo's size whose non-zero pixels are the region),
 * in integer pixels of the image; each region must lie inside the image.
 */
final class RegionParser {
    private final ImageDecoder images;

    RegionParser(ImageDecoder images) {
        this.images = images;
    }

    /**
     * The region in {@code node} (the part's {@code region} object), checked against {@code image}.
     *
     * @param param the request field of {@code node}, named in errors
     */
    Region parse(JsonNode node, String param, BufferedImage image) {
        if (node == null || !node.isObject() || node.size() != 1) {
            throw ApiException.invalid(param, param + " must be an object with exactly one of point, box, polygon or "
                    + "mask, got " + Json.shorten(node));
        }
        String kind = node.fieldNames().next();
        JsonNode value = node.get(kind);
        String at = param + "." + kind;
        Region region;
        try {
            region = switch (kind) {
                case "point" -> {
                    int[] p = ints(value, 2, at);
                    yield new Region.Point(p[0], p[1]);
                }
                case "box" -> {
                    int[] b = ints(value, 4, at);
                    yield new Region.Box(b[0], b[1], b[2], b[3]);
                }
                case "polygon" -> polygon(value, at);
                case "mask" -> {
                    if (!value.isTextual()) {
                        throw ApiException.invalid(at, at + " must be a data URL string, got " + Json.shorten(value));
                    }
                    yield MaskPixels.of(images.decode(value.asText(), at), image.getWidth(), image.getHeight(), "the mask");
                }
                default -> throw ApiException.invalid(param, param + " has the unknown kind '" + kind
                        + "': expected point, box, polygon or mask");
            };
            region.toMask(image.getWidth(), image.getHeight());    // checks the region lies inside the image
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(at, at + ": " + e.getMessage());
        }
        return region;
    }

    private static Region polygon(JsonNode value, String at) {
        if (value == null || !value.isArray() || value.size() < 3) {
            throw ApiException.invalid(at, at + " must be an array of at least 3 [x, y] vertices, got "
                    + Json.shorten(value));
        }
        List<Region.Point> vertices = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            int[] p = ints(value.get(i), 2, at + "[" + i + "]");
            vertices.add(new Region.Point(p[0], p[1]));
        }
        return new Region.Polygon(vertices);
    }

    private static int[] ints(JsonNode value, int count, String at) {
        if (value == null || !value.isArray() || value.size() != count) {
            throw ApiException.invalid(at, at + " must be an array of " + count + " integers (pixels), got "
                    + Json.shorten(value));
        }
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            JsonNode v = value.get(i);
            if (!v.canConvertToInt() || !v.isIntegralNumber()) {
                throw ApiException.invalid(at, at + " must hold integers (pixels), got " + Json.shorten(value));
            }
            out[i] = v.asInt();
        }
        return out;
    }
}
