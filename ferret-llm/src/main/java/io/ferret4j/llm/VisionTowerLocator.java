package io.ferret4j.llm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the CLIP tower of a Ferret model, in the order ml-ferret's builder would use it: an explicit folder, the
 * model's own {@code vision_tower/}, then the Hugging Face cache entry for {@code mm_vision_tower}.
 */
public final class VisionTowerLocator {
    private VisionTowerLocator() {
    }

    /**
     * The tower folder.
     *
     * @param explicit     a folder the caller named, used as is
     * @param modelDir     the Ferret folder ({@code vision_tower/} inside it is used if present)
     * @param hfId         the config's {@code mm_vision_tower}, e.g. {@code openai/clip-vit-large-patch14-336}
     * @param hfCacheRoots Hugging Face hub cache folders to search ({@code models--ORG--NAME/snapshots/*})
     * @throws IllegalArgumentException saying what to download and where, if no candidate has the tower's files
     */
    public static Path locate(Optional<Path> explicit, Path modelDir, String hfId, List<Path> hfCacheRoots) {
        if (explicit.isPresent()) {
            return requireTower(explicit.get(), "the vision tower folder given");
        }
        List<Path> tried = new ArrayList<>();
        Path own = modelDir.resolve("vision_tower");
        tried.add(own);
        if (isTower(own)) {
            return own;
        }
        String cacheName = "models--" + hfId.replace("/", "--");
        for (Path root : hfCacheRoots) {
            Path snapshots = root.resolve(cacheName).resolve("snapshots");
            tried.add(snapshots.resolve("*"));
            Optional<Path> found = newestTower(snapshots);
            if (found.isPresent()) {
                return found.get();
            }
        }
        throw new IllegalArgumentException("no CLIP vision tower found for " + hfId + "; looked in " + tried
                + ". Download the Hugging Face repo " + hfId + " (config.json, preprocessor_config.json and "
                + "pytorch_model.bin or model.safetensors) into " + modelDir.resolve("vision_tower")
                + ", or pass its folder explicitly (FerretOptions.withVisionTower / --vision-tower)");
    }

    /** The usual Hugging Face hub caches: {@code $HF_HUB_CACHE}, {@code $HF_HOME/hub}, {@code ~/.cache/huggingface/hub}. */
    public static List<Path> defaultCacheRoots() {
        List<Path> roots = new ArrayList<>();
        Optional.ofNullable(System.getenv("HF_HUB_CACHE")).map(Path::of).ifPresent(roots::add);
        Optional.ofNullable(System.getenv("HF_HOME")).map(h -> Path.of(h, "hub")).ifPresent(roots::add);
        roots.add(Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub"));
        return roots;
    }

    private static Optional<Path> newestTower(Path snapshots) {
        if (!Files.isDirectory(snapshots)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(snapshots)) {
            return s.filter(VisionTowerLocator::isTower)
                    .max(Comparator.comparing(VisionTowerLocator::modified));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + snapshots, e);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the time of " + p, e);
        }
    }

    private static Path requireTower(Path dir, String what) {
        if (!isTower(dir)) {
            throw new IllegalArgumentException(what + " (" + dir + ") needs config.json, preprocessor_config.json "
                    + "and pytorch_model.bin or model.safetensors");
        }
        return dir;
    }

    private static boolean isTower(Path dir) {
        return Files.isRegularFile(dir.resolve("config.json"))
                && Files.isRegularFile(dir.resolve("preprocessor_config.json"))
                && (Files.exists(dir.resolve("pytorch_model.bin")) || Files.exists(dir.resolve("model.safetensors"))
                || Files.exists(dir.resolve("model.safetensors.index.json"))
                || Files.exists(dir.resolve("pytorch_model.bin.index.json")));
    }
}
