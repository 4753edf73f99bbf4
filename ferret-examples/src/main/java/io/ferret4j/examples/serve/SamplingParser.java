package io.ferret4j.examples.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The sampling fields of a chat-completions body: {@code max_tokens} (or {@code max_completion_tokens}),
 * {@code temperature}, {@code top_p}, {@code seed}, {@code stop} and {@code stream_options}, each checked against
 * OpenAI's ranges and the model's context.
 */
final class SamplingParser {
    private static final int MAX_STOPS = 4;

    private SamplingParser() {
    }

    /** The sampling settings of {@code root}; {@code max_tokens} must leave room in {@code contextLength}. */
    static ChatRequest.Sampling parse(JsonNode root, int contextLength) {
        String maxField = root.has("max_tokens") ? "max_tokens" : "max_completion_tokens";
        OptionalInt maxTokens = OptionalInt.empty();
        JsonNode max = root.get(maxField);
        if (max != null && !max.isNull()) {
            if (!max.isIntegralNumber() || !max.canConvertToInt() || max.asInt() < 1 || max.asInt() >= contextLength) {
                throw ApiException.invalid(maxField, maxField + " must be an integer from 1 to " + (contextLength - 1)
                        + " (the model's context is " + contextLength + " tokens), got " + Json.shorten(max));
            }
            maxTokens = OptionalInt.of(max.asInt());
        }
        return new ChatRequest.Sampling(maxTokens, number(root, "temperature", 0, 2, true),
                number(root, "top_p", 0, 1, false), seed(root), stops(root.get("stop")));
    }

    private static OptionalDouble number(JsonNode root, String field, double min, double max, boolean minIncluded) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return OptionalDouble.empty();
        }
        double d = v.asDouble();
        if (!v.isNumber() || (minIncluded ? d < min : d <= min) || d > max) {
            throw ApiException.invalid(field, field + " must be a number in " + (minIncluded ? "[" : "(") + min + ", "
                    + max + "], got " + Json.shorten(v));
        }
        return OptionalDouble.of(d);
    }

    private static OptionalLong seed(JsonNode root) {
        JsonNode v = root.get("seed");
        if (v == null || v.isNull()) {
            return OptionalLong.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiException.invalid("seed", "seed must be an integer, got " + Json.shorten(v));
        }
        return OptionalLong.of(v.asLong());
    }

    private static List<String> stops(JsonNode v) {
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (v.isTextual()) {
            return List.of(JsonFields.text(v, "stop"));
        }
        if (!v.isArray() || v.size() > MAX_STOPS) {
            throw ApiException.invalid("stop", "stop must be a string or an array of at most " + MAX_STOPS
                    + " strings, got " + Json.shorten(v));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            out.add(JsonFields.text(v.get(i), "stop[" + i + "]"));
        }
        return out;
    }

    /** Whether {@code stream_options.include_usage} asks for a usage chunk. */
    static boolean includeUsage(JsonNode root) {
        JsonNode options = root.get("stream_options");
        if (options == null || options.isNull()) {
            return false;
        }
        if (!options.isObject()) {
            throw ApiException.invalid("stream_options", "stream_options must be an object, got "
                    + Json.shorten(options));
        }
        return JsonFields.bool(options, "include_usage");
    }
}
