package io.ferret4j.core.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferret4j.core.resources.Resources;

/**
 * Several checkpoint shards seen as one source through a Hugging Face {@code *.index.json}
 * ({@code {"weight_map": {tensor: shard file}}}). Every shard named by the index must exist and hold exactly
 * the tensors the index assigns to it.
 */
final class ShardedTensorSource implements TensorSource {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path index;
    private final Map<String, TensorSource> byTensor;
    private final List<TensorSource> shards;

    private ShardedTensorSource(Path index, Map<String, TensorSource> byTensor, List<TensorSource> shards) {
        this.index = index;
        this.byTensor = byTensor;
        this.shards = shards;
    }

    static ShardedTensorSource open(Path index, Function<Path, TensorSource> opener) {
        Map<String, String> weightMap = readWeightMap(index);
        Map<String, TensorSource> byFile = new LinkedHashMap<>();
        Map<String, TensorSource> byTensor = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                TensorSource shard = byFile.get(e.getValue());
                if (shard == null) {
                    Path file = index.resolveSibling(e.getValue());
                    if (!Files.isRegularFile(file)) {
                        throw new CheckpointException(index, "shard '" + e.getValue() + "' named for tensor '"
                                + e.getKey() + "' does not exist");
                    }
                    shard = opener.apply(file);
                    byFile.put(e.getValue(), shard);
                }
                if (!shard.contains(e.getKey())) {
                    throw new CheckpointException(index, "tensor '" + e.getKey() + "' is mapped to shard '"
                            + e.getValue() + "' which does not contain it");
                }
                byTensor.put(e.getKey(), shard);
            }
            for (Map.Entry<String, TensorSource> s : byFile.entrySet()) {
                for (String name : s.getValue().names()) {
                    if (!s.getValue().equals(byTensor.get(name))) {
                        throw new CheckpointException(index, "shard '" + s.getKey() + "' holds tensor '" + name
                                + "' that the index does not map to it");
                    }
                }
            }
        } catch (RuntimeException e) {
            byFile.values().forEach(s -> SafeTensors.closeQuietly(s, e));
            throw e;
        }
        return new ShardedTensorSource(index, byTensor, new ArrayList<>(byFile.values()));
    }

    private static Map<String, String> readWeightMap(Path index) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(index));
        } catch (IOException e) {
            throw new CheckpointException(index, "cannot read index: " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new CheckpointException(index, "index has no \"weight_map\" object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String file = e.getValue().asText();
            if (!e.getValue().isTextual() || file.contains("/") || file.contains("\\") || file.startsWith(".")) {
                throw new CheckpointException(index, "tensor '" + e.getKey() + "' maps to invalid shard name "
                        + e.getValue());
            }
            out.put(e.getKey(), file);
        }
        return out;
    }

    @Override
    public Path path() {
        return index;
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(byTensor.keySet());
    }

    @Override
    public RawTensor get(String name) {
        TensorSource shard = byTensor.get(name);
        if (shard == null) {
            throw new CheckpointException(index, "no tensor '" + name + "' in the index");
        }
        return shard.get(name);
    }

    @Override
    public void close() {
        Resources.closeAll(shards);
    }
}
