package io.ferret4j.examples.eval;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One line of a JSONL file (predictions, or an annotation written as JSON lines), with where it came from, so that
 * every error and warning can name the file and line.
 *
 * @param file the file
 * @param line the line number, from 1
 * @param json the parsed object
 */
record JsonLine(Path file, int line, JsonNode json) {

    /** {@code file:line}, for messages. */
    String where() {
        return file + ":" + line;
    }

    /** The field, which must be present. */
    JsonNode field(String name) {
        JsonNode value = json.get(name);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException(where() + ": no \"" + name + "\" field; found " + fieldNames());
        }
        return value;
    }

    /** The field as a string, which it must be. */
    String text(String name) {
        JsonNode value = field(name);
        if (!value.isTextual()) {
            throw new IllegalArgumentException(where() + ": \"" + name + "\" must be a string, found " + value);
        }
        return value.asText();
    }

    /** The field as an integer, which it must be. */
    long integer(String name) {
        JsonNode value = field(name);
        if (!value.isIntegralNumber()) {
            throw new IllegalArgumentException(where() + ": \"" + name + "\" must be an integer, found " + value);
        }
        return value.asLong();
    }

    private String fieldNames() {
        StringBuilder names = new StringBuilder();
        json.fieldNames().forEachRemaining(n -> names.append(names.isEmpty() ? "" : ", ").append(n));
        return "{" + names + "}";
    }
}
