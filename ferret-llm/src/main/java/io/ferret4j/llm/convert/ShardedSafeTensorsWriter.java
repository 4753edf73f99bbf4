package io.ferret4j.llm.convert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.SafeTensorsWriter;

/**
 * Writes tensors into a Hugging Face model folder as {@code model.safetensors}, or, when they exceed one shard,
 * as {@code model-0000K-of-0000N.safetensors} plus {@code model.safetensors.index.json}
 * ({@code {"metadata": {"total_size": N}, "weight_map": {tensor: file}}}). Tensors keep the order they were
 * added in and fill shards greedily; a tensor larger than the shard limit gets a shard of its own. Each
 * tensor's bytes come from a supplier that is called only when that tensor is written, one at a time, so a
 * supplier may refill one reused buffer. Every file carries {@code __metadata__ {"format": "pt"}}, which
 * {@code transformers} requires to load safetensors shards.
 */
public final class ShardedSafeTensorsWriter {
    /** File name of an unsharded model. */
    public static final String SINGLE_FILE = "model.safetensors";
    /** File name of the shard index. */
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reported just before a tensor's supplier is called.
     *
     * @param index        0-based position of the tensor among all tensors
     * @param count        number of tensors
     * @param name         tensor name
     * @param tensorBytes  bytes this tensor adds
     * @param bytesWritten tensor bytes written before this one
     * @param totalBytes   tensor bytes of the whole model
     */
    public record Progress(int index, int count, String name, long tensorBytes, long bytesWritten, long totalBytes) {
    }

    private record Pending(String name, DType dtype, long[] shape, Supplier<ByteBuffer> data) {
        long bytes() {
            return RawTensor.numel(shape) * dtype.byteSize();
        }
    }

    private final long maxShardBytes;
    private final List<Pending> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    /** @param maxShardBytes tensor bytes per shard before a new shard is started (headers not counted) */
    public ShardedSafeTensorsWriter(long maxShardBytes) {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive, found " + maxShardBytes);
        }
        this.maxShardBytes = maxShardBytes;
    }

    /** Adds a tensor whose little-endian C-order bytes {@code data} produces when the writer reaches it. */
    public ShardedSafeTensorsWriter add(String name, DType dtype, long[] shape, Supplier<ByteBuffer> data) {
        if (!names.add(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        tensors.add(new Pending(name, dtype, shape.clone(), data));
        return this;
    }

    /**
     * Writes the shards (and the index when there are several) into {@code folder}, which must exist.
     *
     * @param progress called before each tensor is produced; an exception it throws aborts the write
     * @return the files written, shards first and the index last
     */
    public List<Path> write(Path folder, Consumer<Progress> progress) {
        List<List<Pending>> shards = shards();
        long total = tensors.stream().mapToLong(Pending::bytes).sum();
        List<Path> files = new ArrayList<>();
        Map<String, String> weightMap = new TreeMap<>();
        long written = 0;
        int index = 0;
        for (int s = 0; s < shards.size(); s++) {
            String file = shards.size() == 1 ? SINGLE_FILE
                    : String.format("model-%05d-of-%05d.safetensors", s + 1, shards.size());
            SafeTensorsWriter writer = new SafeTensorsWriter().metadata("format", "pt");
            for (Pending t : shards.get(s)) {
                Progress p = new Progress(index++, tensors.size(), t.name(), t.bytes(), written, total);
                writer.add(t.name(), t.dtype(), t.shape(), () -> {
                    progress.accept(p);
                    return t.data().get();
                });
                written += t.bytes();
                weightMap.put(t.name(), file);
            }
            Path path = folder.resolve(file);
            writer.write(path);
            files.add(path);
        }
        if (shards.size() > 1) {
            files.add(writeIndex(folder.resolve(INDEX_FILE), total, weightMap));
        }
        return files;
    }

    /** Greedy grouping in insertion order; an empty model still gets one (empty) file. */
    private List<List<Pending>> shards() {
        List<List<Pending>> shards = new ArrayList<>();
        List<Pending> current = new ArrayList<>();
        long bytes = 0;
        for (Pending t : tensors) {
            if (!current.isEmpty() && bytes + t.bytes() > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(t);
            bytes += t.bytes();
        }
        shards.add(current);
        return shards;
    }

    private static Path writeIndex(Path file, long totalBytes, Map<String, String> weightMap) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("metadata").put("total_size", totalBytes);
        ObjectNode map = root.putObject("weight_map");
        weightMap.forEach(map::put);
        try {
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e, e);
        }
    }
}
