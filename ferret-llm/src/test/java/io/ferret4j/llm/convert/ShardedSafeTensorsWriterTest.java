package io.ferret4j.llm.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferret4j.core.weights.Checkpoints;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.core.weights.TensorSource;
import io.ferret4j.llm.convert.ShardedSafeTensorsWriter.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ShardedSafeTensorsWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void tensorsThatFitOneShardGoToModelSafetensorsMarkedForTransformers() {
        ShardedSafeTensorsWriter w = new ShardedSafeTensorsWriter(1000);
        w.add("a", DType.F32, new long[] {2}, () -> floats(1, 2));
        w.add("b", DType.F32, new long[] {1}, () -> floats(3));

        List<Path> files = w.write(dir, p -> { });

        assertThat(files).containsExactly(dir.resolve("model.safetensors"));
        try (SafeTensors st = SafeTensors.open(files.get(0))) {
            assertThat(st.metadata()).containsEntry("format", "pt");
            assertThat(st.get("a").toFloats()).containsExactly(1, 2);
            assertThat(st.get("b").toFloats()).containsExactly(3);
        }
    }

    @Test
    void shardsFillGreedilyInOrderAndAnOversizedTensorGetsItsOwn() throws IOException {
        ShardedSafeTensorsWriter w = new ShardedSafeTensorsWriter(20);
        float[][] values = {{1, 2}, {3, 4}, {5, 6, 7, 8, 9, 10, 11, 12}, {13}, {14}};
        for (int i = 0; i < values.length; i++) {
            float[] v = values[i];
            w.add("t" + i, DType.F32, new long[] {v.length}, () -> floats(v));
        }

        List<Path> files = w.write(dir, p -> { });

        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly(
                "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                "model-00003-of-00003.safetensors", "model.safetensors.index.json");
        JsonNode index = JSON.readTree(files.get(3).toFile());
        assertThat(index.get("metadata").get("total_size").asLong()).isEqualTo(14 * 4);
        Map<String, String> weightMap = new LinkedHashMap<>();
        index.get("weight_map").fields().forEachRemaining(e -> weightMap.put(e.getKey(), e.getValue().asText()));
        assertThat(weightMap).containsExactly(
                Map.entry("t0", "model-00001-of-00003.safetensors"), Map.entry("t1", "model-00001-of-00003.safetensors"),
                Map.entry("t2", "model-00002-of-00003.safetensors"), Map.entry("t3", "model-00003-of-00003.safetensors"),
                Map.entry("t4", "model-00003-of-00003.safetensors"));
        try (TensorSource all = Checkpoints.open(dir)) {
            for (int i = 0; i < values.length; i++) {
                assertThat(all.get("t" + i).toFloats()).containsExactly(values[i]);
            }
        }
    }

    @Test
    void suppliersRunOneAtATimeSoTheyMayRefillOneBuffer() {
        ByteBuffer shared = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
        List<Progress> reported = new ArrayList<>();
        List<String> events = new ArrayList<>();
        ShardedSafeTensorsWriter w = new ShardedSafeTensorsWriter(8);
        for (int i = 0; i < 3; i++) {
            int n = i;
            w.add("t" + i, DType.F32, new long[] {2}, () -> {
                events.add("supply t" + n);
                shared.clear().putFloat(0, n).putFloat(4, -n);
                return shared.duplicate();
            });
        }

        w.write(dir, p -> {
            events.add("progress " + p.name());
            reported.add(p);
        });

        assertThat(events).containsExactly("progress t0", "supply t0", "progress t1", "supply t1",
                "progress t2", "supply t2");
        assertThat(reported).containsExactly(new Progress(0, 3, "t0", 8, 0, 24), new Progress(1, 3, "t1", 8, 8, 24),
                new Progress(2, 3, "t2", 8, 16, 24));
        try (TensorSource all = Checkpoints.open(dir)) {
            for (int i = 0; i < 3; i++) {
                assertThat(all.get("t" + i).toFloats()).containsExactly(i, -i);
            }
        }
    }

    @Test
    void aSupplierThatThrowsLeavesNoShardBehind() throws IOException {
        ShardedSafeTensorsWriter w = new ShardedSafeTensorsWriter(1000);
        w.add("ok", DType.F32, new long[] {1}, () -> floats(1));
        w.add("bad", DType.F32, new long[] {1}, () -> {
            throw new IllegalStateException("read error");
        });

        assertThatThrownBy(() -> w.write(dir, p -> { })).hasMessage("read error");
        try (var listing = Files.list(dir)) {
            assertThat(listing).isEmpty();
        }
    }

    @Test
    void duplicateNamesAndNonPositiveShardSizesAreRefused() {
        ShardedSafeTensorsWriter w = new ShardedSafeTensorsWriter(1);
        w.add("a", DType.F16, new long[] {1}, () -> ByteBuffer.allocate(2));

        assertThatThrownBy(() -> w.add("a", DType.F16, new long[] {1}, () -> ByteBuffer.allocate(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate tensor name 'a'");
        assertThatThrownBy(() -> new ShardedSafeTensorsWriter(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("found 0");
    }

    private static ByteBuffer floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b;
    }
}
