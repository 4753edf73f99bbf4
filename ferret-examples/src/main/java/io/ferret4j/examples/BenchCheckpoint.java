package io.ferret4j.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferret4j.core.config.ConfigJson;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.core.weights.DType;
import io.ferret4j.llm.convert.Quantize;

/**
 * The random checkpoint {@code ferret bench} measures, in a folder of its own: {@code model/}, a Ferret folder in
 * the run's weight format, and {@value #MANIFEST}, written last, which names what the checkpoint is (model size,
 * shapes, weight format, seed) and the size of each of its files. {@code --keep DIR} writes such a folder, or reuses
 * it when its manifest matches the run; {@code --checkpoint DIR} only reuses one. A folder whose manifest names
 * another checkpoint, or whose files are missing or of another size, is refused with what differs, before anything
 * is measured.
 */
final class BenchCheckpoint {
    static final String MANIFEST = "ferret-bench.json";
    static final String MODEL = "model";
    private static final long SEED = 1;

    /**
     * The checkpoint a run asks for.
     *
     * @param model the {@code --model} name of {@code shapes} before any {@code --layers} cut
     */
    record Wanted(String model, RandomCheckpoint.Shapes shapes, WeightFormat weights) {
        /** What a manifest must hold to be this checkpoint: every field that changes the bytes. */
        ObjectNode identity() {
            ObjectNode id = ConfigJson.mapper().createObjectNode();
            id.put("model", model);
            id.put("weights", weights.toString());
            id.put("seed", SEED);
            id.setAll((ObjectNode) ConfigJson.mapper().valueToTree(shapes));
            return id;
        }
    }

    private final Path dir;
    private final Wanted wanted;
    private final boolean written;

    private BenchCheckpoint(Path dir, Wanted wanted, boolean written) {
        this.dir = dir;
        this.wanted = wanted;
        this.written = written;
    }

    /**
     * A folder written by an earlier {@code --keep} run ({@code --checkpoint DIR}).
     *
     * @throws IllegalArgumentException if {@code dir} has no manifest, holds another checkpoint, or misses a file
     */
    static BenchCheckpoint existing(Path dir, Wanted wanted) {
        if (!Files.isRegularFile(dir.resolve(MANIFEST))) {
            throw new IllegalArgumentException(dir + " holds no " + MANIFEST + ": it is not a folder written by "
                    + "ferret bench --keep, or that run did not finish");
        }
        verify(dir, wanted);
        return new BenchCheckpoint(dir, wanted, true);
    }

    /**
     * The folder of {@code --keep DIR}: reused if it holds this checkpoint, written into if it is empty or absent.
     *
     * @throws IllegalArgumentException if {@code dir} holds another checkpoint, or files but no manifest
     */
    static BenchCheckpoint kept(Path dir, Wanted wanted) {
        if (Files.isRegularFile(dir.resolve(MANIFEST))) {
            return existing(dir, wanted);
        }
        if (!isEmpty(dir)) {
            throw new IllegalArgumentException(dir + " is not empty and holds no " + MANIFEST + " (a --keep run "
                    + "that did not finish?): delete it or choose another folder");
        }
        return new BenchCheckpoint(dir, wanted, false);
    }

    /** A checkpoint to write into {@code dir}, which does not exist yet, and to delete with the run. */
    static BenchCheckpoint temporary(Path dir, Wanted wanted) {
        return new BenchCheckpoint(dir, wanted, false);
    }

    /** The model folder, written first (F16, then quantised for Q8_0 or Q4_0) unless the folder already held it. */
    Path model(Consumer<String> log) {
        Path model = dir.resolve(MODEL);
        if (written) {
            log.accept("reusing the " + wanted.weights() + " checkpoint in " + dir);
            return model;
        }
        log.accept("writing a random " + wanted.shapes() + " checkpoint (" + wanted.weights() + ") to " + dir + " ...");
        if (wanted.weights().isBlockQuantized()) {
            Path f16 = dir.resolve(MODEL + "-f16");
            RandomCheckpoint.write(f16, wanted.shapes(), DType.F16, SEED);
            Quantize.run(f16, model, wanted.weights(), false, p -> { });
            BundledFiles.deleteTree(f16);
        } else {
            RandomCheckpoint.write(model, wanted.shapes(), wanted.weights() == WeightFormat.F32 ? DType.F32 : DType.F16,
                    SEED);
        }
        writeManifest(dir, wanted.identity(), model);
        return model;
    }

    private static void writeManifest(Path dir, ObjectNode identity, Path model) {
        ObjectNode m = ConfigJson.mapper().createObjectNode();
        m.set("checkpoint", identity);
        ObjectNode files = m.putObject("files");
        try (Stream<Path> s = Files.walk(model)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile).sorted()::iterator) {
                files.put(dir.relativize(p).toString().replace('\\', '/'), Files.size(p));
            }
            Files.writeString(dir.resolve(MANIFEST),
                    ConfigJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(m));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(MANIFEST), e);
        }
    }

    private static void verify(Path dir, Wanted wanted) {
        Path manifest = dir.resolve(MANIFEST);
        JsonNode m = ConfigJson.tree(manifest);
        JsonNode held = m.path("checkpoint");
        List<String> asked = new ArrayList<>();
        List<String> found = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = wanted.identity().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode h = held.get(e.getKey());
            if (h == null || !e.getValue().asText().equals(h.asText())) {      // as read back, 1L is an int
                asked.add(e.getKey() + " " + e.getValue().asText());
                found.add(e.getKey() + " " + (h == null ? "(none)" : h.asText()));
            }
        }
        if (!asked.isEmpty()) {
            throw new IllegalArgumentException(dir + " holds another checkpoint: this run asks for "
                    + String.join(", ", asked) + " but the folder holds " + String.join(", ", found)
                    + " (--keep DIR writes one for this run)");
        }
        JsonNode files = m.path("files");
        if (files.isEmpty()) {
            throw new IllegalArgumentException(manifest + " lists no files");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            checkFile(dir.resolve(e.getKey()), e.getValue().asLong(), manifest);
        }
    }

    private static void checkFile(Path file, long expected, Path manifest) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + " is missing (" + manifest.getFileName() + " lists it)");
        }
        try {
            long size = Files.size(file);
            if (size != expected) {
                throw new IllegalArgumentException(file + " has " + size + " bytes, " + manifest.getFileName()
                        + " says " + expected);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + file, e);
        }
    }

    private static boolean isEmpty(Path dir) {
        if (!Files.exists(dir)) {
            return true;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
