package io.ferret4j.examples.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * JSON as the reference's scripts write it: prediction lines as {@code json.dumps} does
 * ({@code {"a": 1, "b": [1, 2]}}, non-ASCII escaped as {@code \\u00e9}), and {@code metric.json} indented;
 * doubles in their shortest form, so the values read back as the very doubles computed. Metric files are never
 * written into the folder the predictions are read from.
 */
final class EvalJson {
    private static final ObjectMapper METRIC = JsonMapper.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
    private static final ObjectMapper LINE = JsonMapper.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    private EvalJson() {
    }

    /** One line of a prediction file, without the newline. */
    static String line(JsonNode node) {
        try {
            return LINE.writer(new PythonSeparators()).with(new PythonEscapes()).writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + node, e);
        }
    }

    /** A metric as pretty JSON text. */
    static String pretty(JsonNode node) {
        try {
            return METRIC.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + node, e);
        }
    }

    /**
     * Writes {@code metric} to {@code file}, creating its folder.
     *
     * @throws IllegalArgumentException if {@code file} lies inside {@code predictions} (a folder): the reference
     *         writes there, and its next run then reads the metric as a prediction file and crashes
     */
    static void writeMetric(Path file, JsonNode metric, Path predictions) {
        Path target = file.toAbsolutePath().normalize();
        Path input = predictions.toAbsolutePath().normalize();
        if (Files.isDirectory(input) && target.startsWith(input)) {
            throw new IllegalArgumentException("--out " + file + " lies inside the predictions folder " + predictions
                    + ", which is read as input; write the metric elsewhere");
        }
        try {
            if (target.getParent() != null) {
                Files.createDirectories(target.getParent());
            }
            Files.writeString(target, pretty(metric) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * {@code json.dumps}'s {@code ensure_ascii} escapes: {@code \\uXXXX} in lower-case hex for every character
     * outside printable ASCII (each half of a surrogate pair on its own) but the short forms {@code \\n} and the like.
     */
    private static final class PythonEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private static final int[] ASCII = asciiEscapes();

        private static int[] asciiEscapes() {
            int[] codes = CharacterEscapes.standardAsciiEscapesForJSON();
            for (int c = 0; c < 0x20; c++) {
                if ("\b\t\n\f\r".indexOf(c) < 0) {
                    codes[c] = CharacterEscapes.ESCAPE_CUSTOM;
                }
            }
            codes[0x7F] = CharacterEscapes.ESCAPE_CUSTOM;
            return codes;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ASCII;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch < 0x20 || ch > 0x7E ? new SerializedString(String.format("\\u%04x", ch)) : null;
        }
    }

    /** {@code json.dumps}'s default separators: {@code ", "} and {@code ": "}. */
    private static final class PythonSeparators extends MinimalPrettyPrinter {
        private static final long serialVersionUID = 1L;

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }
    }
}
