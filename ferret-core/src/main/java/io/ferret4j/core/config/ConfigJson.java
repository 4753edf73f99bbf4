package io.ferret4j.core.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Reads Hugging Face {@code config.json}-style files into records whose components are the camelCase of the
 * JSON keys ({@code hidden_size} → {@code hiddenSize}). Keys a record does not declare are ignored, since HF
 * configs carry many that inference never reads.
 */
public final class ConfigJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private ConfigJson() {
    }

    /** Parses {@code file} into {@code type}, naming the file on any error. */
    public static <T> T read(Path file, Class<T> type) {
        try {
            return MAPPER.readValue(Files.readString(file), type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + type.getSimpleName() + " from " + file + ": "
                    + e.getMessage(), e);
        }
    }

    /** Converts an already-parsed JSON tree (a sub-object of a config) into {@code type}. */
    public static <T> T convert(JsonNode node, Class<T> type) {
        return MAPPER.convertValue(node, type);
    }

    /** Reads a file as a JSON tree. */
    public static JsonNode tree(Path file) {
        try {
            return MAPPER.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read JSON from " + file + ": " + e.getMessage(), e);
        }
    }

    /** The shared mapper (snake_case names, unknown keys ignored). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
