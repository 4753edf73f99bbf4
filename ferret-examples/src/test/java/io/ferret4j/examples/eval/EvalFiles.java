package io.ferret4j.examples.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Test files: the shared scorer goldens copied into test resources, and small files written by the tests. */
final class EvalFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EvalFiles() {
    }

    /** {@code eval/<set>} of the test resources (see the README there). */
    static Path golden(String set) {
        try {
            Path readme = Path.of(EvalFiles.class.getResource("/eval/README.md").toURI());
            return readme.getParent().resolve(set);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The set's {@code expected.json}. */
    static JsonNode expected(String set) {
        return PredictionFiles.readJson(golden(set).resolve("expected.json"));
    }

    /** Parses JSON text. */
    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code lines} (one per line) to {@code file}, creating its folder. */
    static Path write(Path file, String... lines) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, String.join("\n", lines) + "\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
