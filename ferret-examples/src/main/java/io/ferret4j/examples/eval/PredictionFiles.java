package io.ferret4j.examples.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads JSONL prediction files as the reference's scorers do: a file, or every file of a folder in name order (the
 * order {@code sorted(os.listdir())} gives, so {@code 10_of_11.jsonl} comes before {@code 2_of_11.jsonl}). Unlike
 * the reference, only {@code *.jsonl} files of a folder are read: any other file (such as the {@code metric.json}
 * the reference writes there) is skipped with a warning instead of crashing the run. A line that is not a JSON
 * object is an error naming the file and line.
 */
final class PredictionFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PredictionFiles() {
    }

    /** The files read for {@code path}, in reading order; skipped files are reported to {@code warnings}. */
    static List<Path> files(Path path, Consumer<String> warnings) {
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        if (!Files.isDirectory(path)) {
            throw new IllegalArgumentException("predictions " + path + " is neither a file nor a folder");
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> listing = Files.list(path)) {
            for (Path f : listing.sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
                    .toList()) {
                if (f.getFileName().toString().endsWith(".jsonl") && Files.isRegularFile(f)) {
                    files.add(f);
                } else {
                    warnings.accept(f + ": not a .jsonl file, skipped (the reference scorer would read it as "
                            + "predictions)");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + path, e);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no .jsonl prediction file in " + path);
        }
        return files;
    }

    /** Every line of every file of {@code path}, in reading order. */
    static List<JsonLine> read(Path path, Consumer<String> warnings) {
        List<JsonLine> lines = new ArrayList<>();
        for (Path file : files(path, warnings)) {
            lines.addAll(readJsonl(file));
        }
        return lines;
    }

    /** The lines of one JSONL file; each must be a JSON object. */
    static List<JsonLine> readJsonl(Path file) {
        List<String> raw;
        try {
            raw = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        List<JsonLine> lines = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            lines.add(new JsonLine(file, i + 1, parse(file, i + 1, raw.get(i))));
        }
        return lines;
    }

    /** A whole JSON file, e.g. an annotation file. */
    static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static JsonNode parse(Path file, int line, String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(file + ":" + line + ": expected a JSON object, found "
                        + (node == null || node.isMissingNode() ? "an empty line" : node.getNodeType()));
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ":" + line + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
