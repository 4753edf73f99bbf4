package io.ferret4j.examples.eval;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferret4j.core.region.Region;

/**
 * LVIS referring classification as {@code model_lvis.py} asks it with {@code --add_region_feature}:
 * {@code "Is the object <location> <region_fea> of the image a <obj1> or a <obj2>?"}, the true name first on even
 * lines and second on odd ones, the location written on the 1000-grid and the region given as the reference's mask
 * ({@code generate_mask_for_feature}: an 11×11 window around a point, a box, or a box times the free-form segment
 * mask). Each answer becomes {@code {id, image_path, prompt, text, name, synonyms, bbox, bbox_norm, width, height}}.
 */
final class LvisBenchmark implements EvalBenchmark {
    private static final int VOCAB = 1000;
    private static final int SPAN = 5;

    /** The region kinds of the paper's LVIS table. */
    enum RegionFormat { POINT, BOX, FREE_SHAPE }

    private final List<JsonLine> objects;
    private final Path imageDir;
    private final RegionFormat format;

    LvisBenchmark(List<JsonLine> objects, Path imageDir, RegionFormat format) {
        this.objects = objects;
        this.imageDir = imageDir;
        this.format = format;
    }

    @Override
    public int size() {
        return objects.size();
    }

    @Override
    public EvalSample sample(int index) {
        JsonLine o = objects.get(index);
        JsonNode json = o.json();
        int width = (int) o.integer("width");
        int height = (int) o.integer("height");
        String[] parts = o.text("image_path").split("/", -1);
        Path image = imageDir.resolve(parts[parts.length - 1]);
        String name = o.text("name");
        String other = o.text("neg_class");
        String question = "Is the object " + location(o, width, height) + " <region_fea> of the image a "
                + (index % 2 == 0 ? name + " or a " + other : other + " or a " + name) + "?";
        Region region = mask(o, width, height);
        return new EvalSample(image, question, List.of(region), (answer, w, h) -> {
            ObjectNode line = JsonNodeFactory.instance.objectNode();
            line.set("id", json.path("id"));
            line.put("image_path", image.toString());
            line.put("prompt", question);
            line.put("text", answer);
            for (String field : List.of("name", "synonyms", "bbox", "bbox_norm", "width", "height")) {
                line.set(field, json.path(field));
            }
            return line;
        });
    }

    private String location(JsonLine o, int width, int height) {
        double ratioW = VOCAB * 1.0 / width;
        double ratioH = VOCAB * 1.0 / height;
        long[] grid = switch (format) {
            case POINT -> scaled(o, "sample_point", 2, ratioW, ratioH);
            case BOX -> scaled(o, "bbox_norm", 4, VOCAB, VOCAB);
            case FREE_SHAPE -> scaled(o, "free_shape_bbox_raw", 4, ratioW, ratioH);
        };
        return Arrays.toString(grid);
    }

    /** {@code generate_mask_for_feature}, turned from its x-major {@code [w, h]} array into a row-major mask. */
    private Region.Mask mask(JsonLine o, int width, int height) {
        BitSet bits = new BitSet(width * height);
        switch (format) {
            case POINT -> {
                double x = coordinate(o, "sample_point", 0);
                double y = coordinate(o, "sample_point", 1);
                fill(bits, width, height, (long) Math.max(0, x - SPAN), (long) Math.min(width, x + SPAN + 1),
                        (long) Math.max(0, y - SPAN), (long) Math.min(height, y + SPAN + 1), null);
            }
            case BOX -> {
                long[] box = scaled(o, "bbox_norm", 4, width, height);
                fill(bits, width, height, box[0], box[2] + 1, box[1], box[3] + 1, null);
            }
            case FREE_SHAPE -> {
                JsonNode segment = o.field("free_shape_segment_mask");
                if (segment.size() != width || segment.path(0).size() != height) {
                    throw new IllegalArgumentException(o.where() + ": free_shape_segment_mask must be [width " + width
                            + "][height " + height + "], found [" + segment.size() + "][" + segment.path(0).size()
                            + "]");
                }
                long[] box = scaled(o, "free_shape_bbox_raw", 4, 1, 1);
                fill(bits, width, height, box[0], box[2] + 1, box[1], box[3] + 1, segment);
            }
        }
        if (bits.isEmpty()) {
            throw new IllegalArgumentException(o.where() + ": the " + format.name().toLowerCase(Locale.ROOT)
                    + " region covers no pixel of the " + width + "×" + height + " image");
        }
        return new Region.Mask(width, height, bits);
    }

    /** Sets {@code [x0, x1) × [y0, y1)} (numpy slicing, clamped to the image), where the segment is non-zero. */
    private static void fill(BitSet bits, int width, int height, long x0, long x1, long y0, long y1,
                             JsonNode segment) {
        for (long x = Math.max(0, x0); x < Math.min(width, x1); x++) {
            for (long y = Math.max(0, y0); y < Math.min(height, y1); y++) {
                if (segment == null || segment.path((int) x).path((int) y).asDouble() != 0) {
                    bits.set((int) (y * width + x));
                }
            }
        }
    }

    /** The first {@code count} numbers of {@code field}, x scaled by {@code sx} and y by {@code sy}, truncated. */
    private static long[] scaled(JsonLine o, String field, int count, double sx, double sy) {
        long[] out = new long[count];
        for (int i = 0; i < count; i++) {
            out[i] = (long) (coordinate(o, field, i) * (i % 2 == 0 ? sx : sy));
        }
        return out;
    }

    private static double coordinate(JsonLine o, String field, int index) {
        JsonNode v = o.field(field).path(index);
        if (!v.isNumber()) {
            throw new IllegalArgumentException(o.where() + ": " + field + "[" + index + "] must be a number, found " + v);
        }
        return v.asDouble();
    }
}
