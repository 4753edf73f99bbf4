package io.ferret4j.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

import io.ferret4j.llm.tokenizer.LlamaTokenizer;

/** Files shipped inside ferret-examples: the LLaMA tokenizer and a photo from ml-ferret's examples. */
final class BundledFiles {
    static final String TOKENIZER_DIR = "tokenizer/";
    static final String[] TOKENIZER_FILES = {"tokenizer.model", "tokenizer_config.json", "special_tokens_map.json",
            "added_tokens.json"};
    static final String PHOTO = "bathroom.jpg";

    private BundledFiles() {
    }

    /** Copies a bundled resource to {@code target}. */
    static void copy(String resource, Path target) {
        try (InputStream in = BundledFiles.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing from the ferret-examples jar");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + resource + " to " + target, e);
        }
    }

    /** The bundled tokenizer files copied into {@code dir}. */
    static void copyTokenizer(Path dir) {
        for (String f : TOKENIZER_FILES) {
            copy(TOKENIZER_DIR + f, dir.resolve(f));
        }
    }

    /** The bundled tokenizer, loaded from a temporary copy. */
    static LlamaTokenizer tokenizer() {
        Path dir = tempDir("ferret-tokenizer");
        try {
            copyTokenizer(dir);
            return LlamaTokenizer.load(dir);
        } finally {
            deleteTree(dir);
        }
    }

    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder", e);
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
