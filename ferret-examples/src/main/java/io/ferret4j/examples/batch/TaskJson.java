package io.ferret4j.examples.batch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads a task from its JSON form, one object per line of a task file:
 * <pre>{@code
 * {"id": "t1", "task": "refer", "image": "photos/kitchen.jpg", "regions": [{"box": [40, 60, 210, 300]}]}
 * {"id": "t2", "task": "ground", "image": "photos/kitchen.jpg", "prompt": "the man in the white shirt"}
 * {"id": "t3", "task": "ask", "image": "a.png", "prompt": "Is <region> next to <region>?",
 *  "regions": [{"point": [120, 80]}, {"mask": "a-mask.png"}], "max_new_tokens": 64, "temperature": 0.2, "seed": 7}
 * }</pre>
 * Each region is an object with one key, {@code point} {@code [x, y]}, {@code box} {@code [x1, y1, x2, y2]},
 * {@code polygon} {@code [x, y, x, y, ...]} (pixels) or {@code mask} (a PNG file); relative image and mask paths
 * are resolved against a base folder. Unknown keys are errors, so a misspelt setting is never ignored.
 */
public final class TaskJson {
    /** A task's own generation settings (see {@link GenerationSettings}). */
    public static final List<String> GENERATION_FIELDS = List.of("max_new_tokens", "temperature", "top_p", "top_k",
            "seed");
    /** Every field a task may have. */
    public static final List<String> FIELDS = Stream.concat(Stream.of("id", "task", "image", "regions", "prompt"),
            GENERATION_FIELDS.stream()).toList();
    private static final List<String> REGION_KINDS = List.of("point", "box", "polygon", "mask");

    private TaskJson() {
    }

    /**
     * The task {@code json} describes.
     *
     * @param base the folder relative image and mask paths start from
     * @throws IllegalArgumentException naming the first field that is missing, unknown or malformed
     */
    public static FerretTask parse(JsonNode json, Path base) {
        if (!json.isObject()) {
            throw new IllegalArgumentException("a task is a JSON object, got " + json.getNodeType());
        }
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException("unknown field '" + name + "', expected any of " + FIELDS);
            }
        }
        TaskKind kind = TaskKind.parse(requiredText(json, "task"));
        Path image = base.resolve(requiredText(json, "image"));
        List<RegionSpec> regions = regions(json.path("regions"), base);
        Optional<String> prompt = optionalText(json, "prompt");
        String question = kind.question(prompt, regions.size());
        GenerationSettings generation = new GenerationSettings(optionalInt(json, "max_new_tokens"),
                optionalDouble(json, "temperature"), optionalDouble(json, "top_p"), optionalInt(json, "top_k"),
                optionalLong(json, "seed"));
        return new FerretTask(kind, image, regions, question, generation);
    }

    private static List<RegionSpec> regions(JsonNode regions, Path base) {
        if (regions.isMissingNode() || regions.isNull()) {
            return List.of();
        }
        if (!regions.isArray()) {
            throw new IllegalArgumentException("regions must be an array, got " + regions.getNodeType());
        }
        List<RegionSpec> out = new ArrayList<>();
        for (JsonNode r : regions) {
            if (!r.isObject() || r.size() != 1 || !REGION_KINDS.contains(r.fieldNames().next())) {
                throw new IllegalArgumentException("each region is an object with one key of " + REGION_KINDS
                        + ", got " + r);
            }
            Map.Entry<String, JsonNode> e = r.fields().next();
            out.add(new RegionSpec(e.getKey(), e.getKey().equals("mask")
                    ? base.resolve(text(e.getValue(), "mask")).toString()
                    : coordinates(e.getKey(), e.getValue())));
        }
        return out;
    }

    /** {@code [10, 20]} → {@code "10,20"}, the command line's form, which {@link RegionSpec} checks. */
    private static String coordinates(String kind, JsonNode values) {
        if (!values.isArray()) {
            throw new IllegalArgumentException(kind + " must be an array of integers, got " + values);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode v : values) {
            if (!v.canConvertToInt() || !v.isIntegralNumber()) {
                throw new IllegalArgumentException(kind + " must be an array of integers, got " + values);
            }
            out.add(v.asText());
        }
        return String.join(",", out);
    }

    private static String requiredText(JsonNode json, String field) {
        return optionalText(json, field).orElseThrow(() -> new IllegalArgumentException("missing " + field));
    }

    private static Optional<String> optionalText(JsonNode json, String field) {
        JsonNode v = json.path(field);
        return v.isMissingNode() || v.isNull() ? Optional.empty() : Optional.of(text(v, field));
    }

    private static String text(JsonNode v, String field) {
        if (!v.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string, got " + v);
        }
        return v.asText();
    }

    private static OptionalInt optionalInt(JsonNode json, String field) {
        JsonNode v = json.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return OptionalInt.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(field + " must be an integer, got " + v);
        }
        return OptionalInt.of(v.asInt());
    }

    private static OptionalLong optionalLong(JsonNode json, String field) {
        JsonNode v = json.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return OptionalLong.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IllegalArgumentException(field + " must be an integer, got " + v);
        }
        return OptionalLong.of(v.asLong());
    }

    private static OptionalDouble optionalDouble(JsonNode json, String field) {
        JsonNode v = json.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return OptionalDouble.empty();
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(field + " must be a number, got " + v);
        }
        return OptionalDouble.of(v.asDouble());
    }
}
