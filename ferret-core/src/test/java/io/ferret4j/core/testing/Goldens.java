package io.ferret4j.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the reference fixtures kept once in the repository at {@code src/test/resources/golden/} (copied
 * from the reference implementation's golden run; see the README there), from whichever module a test runs in.
 */
public final class Goldens {
    private static final Path ROOT = find();

    private Goldens() {
    }

    /** {@code golden/<relative>}, failing clearly if the file or folder is missing. */
    public static Path path(String relative) {
        Path p = ROOT.resolve(relative);
        if (!Files.exists(p)) {
            throw new IllegalStateException("golden fixture " + p + " is missing");
        }
        return p;
    }

    private static Path find() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path candidate = d.resolve("src/test/resources/golden");
            if (Files.isDirectory(candidate) && Files.exists(candidate.resolve("README.md"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no src/test/resources/golden above " + dir);
    }
}
