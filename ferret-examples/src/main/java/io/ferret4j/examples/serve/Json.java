package io.ferret4j.examples.serve;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;

/** The server's JSON: one mapper writing snake_case fields, and short renderings of values for error messages. */
final class Json {
    /** Writes records with OpenAI's snake_case names and without null fields. */
    static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);
    private static final int SHOWN = 60;

    private Json() {
    }

    /** {@code value} serialized. */
    static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    /** A JSON value as text, cut to a readable length, or {@code nothing} when absent. */
    static String shorten(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        String s = node.toString();
        return s.length() <= SHOWN ? s : s.substring(0, SHOWN) + "...";
    }
}
