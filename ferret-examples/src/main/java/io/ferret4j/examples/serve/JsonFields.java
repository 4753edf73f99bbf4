package io.ferret4j.examples.serve;

import com.fasterxml.jackson.databind.JsonNode;

/** Typed reads of request fields that fail with an {@link ApiException} naming the field and the value. */
final class JsonFields {
    private JsonFields() {
    }

    /** The non-empty string in {@code v}. */
    static String text(JsonNode v, String param) {
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw ApiException.invalid(param, param + " must be a non-empty string, got " + Json.shorten(v));
        }
        return v.asText();
    }

    /** The non-empty string at {@code root.field}, or null when absent. */
    static String optionalText(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        return text(v, field);
    }

    /** The boolean at {@code root.field}, false when absent. */
    static boolean bool(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiException.invalid(field, field + " must be true or false, got " + Json.shorten(v));
        }
        return v.asBoolean();
    }
}
