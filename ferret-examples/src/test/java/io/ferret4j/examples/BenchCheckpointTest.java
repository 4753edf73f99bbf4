package io.ferret4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferret4j.core.config.ConfigJson;
import io.ferret4j.core.plan.WeightFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class BenchCheckpointTest {
    private static final BenchCheckpoint.Wanted TINY_F16 =
            new BenchCheckpoint.Wanted("tiny", RandomCheckpoint.Shapes.TINY, WeightFormat.F16);

    @TempDir
    Path dir;

    private final List<String> log = new ArrayList<>();

    private Path keep(BenchCheckpoint.Wanted wanted) {
        return BenchCheckpoint.kept(dir, wanted).model(log::add);
    }

    @Test
    void aKeptFolderIsWrittenOnceThenReusedUnchanged() throws IOException {
        Path model = keep(TINY_F16);
        Path weights = model.resolve("model.safetensors");
        FileTime written = Files.getLastModifiedTime(weights);

        Path again = keep(TINY_F16);
        Path reused = BenchCheckpoint.existing(dir, TINY_F16).model(log::add);

        assertThat(again).isEqualTo(model);
        assertThat(reused).isEqualTo(model);
        assertThat(Files.getLastModifiedTime(weights)).isEqualTo(written);
        assertThat(log).hasSize(3);
        assertThat(log.get(0)).startsWith("writing a random");
        assertThat(log.subList(1, 3)).allMatch(line -> line.startsWith("reusing the f16 checkpoint in " + dir));
    }

    @Test
    void theManifestNamesTheCheckpointAndEveryFileWithItsSize() throws IOException {
        keep(TINY_F16);

        JsonNode m = ConfigJson.tree(dir.resolve(BenchCheckpoint.MANIFEST));

        assertThat(m.path("checkpoint").path("model").asText()).isEqualTo("tiny");
        assertThat(m.path("checkpoint").path("weights").asText()).isEqualTo("f16");
        assertThat(m.path("checkpoint").path("layers").asInt()).isEqualTo(RandomCheckpoint.Shapes.TINY.layers());
        assertThat(m.path("checkpoint").path("hidden").asInt()).isEqualTo(RandomCheckpoint.Shapes.TINY.hidden());
        assertThat(m.path("files").path("model/model.safetensors").asLong())
                .isEqualTo(Files.size(dir.resolve("model/model.safetensors")));
        assertThat(m.path("files").has("model/vision_tower/model.safetensors")).isTrue();
        assertThat(m.path("files").has("model/tokenizer.model")).isTrue();
    }

    @Test
    void anotherLayerCountOrWeightFormatIsRefusedNamingBoth() {
        keep(TINY_F16);
        BenchCheckpoint.Wanted oneLayer = new BenchCheckpoint.Wanted("tiny", RandomCheckpoint.Shapes.TINY.withLayers(1),
                WeightFormat.F16);
        BenchCheckpoint.Wanted f32 = new BenchCheckpoint.Wanted("tiny", RandomCheckpoint.Shapes.TINY, WeightFormat.F32);

        assertThatThrownBy(() -> BenchCheckpoint.existing(dir, oneLayer))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(dir + " holds another checkpoint: this run asks for layers 1 but the folder holds layers 2"
                        + " (--keep DIR writes one for this run)");
        assertThatThrownBy(() -> BenchCheckpoint.kept(dir, f32))
                .hasMessageContaining("asks for weights f32 but the folder holds weights f16");
    }

    @Test
    void anotherModelSizeIsRefusedNamingTheSizeAndShapes() {
        keep(TINY_F16);
        BenchCheckpoint.Wanted sevenB = new BenchCheckpoint.Wanted("7b", RandomCheckpoint.Shapes.FERRET_7B,
                WeightFormat.F16);

        assertThatThrownBy(() -> BenchCheckpoint.existing(dir, sevenB))
                .hasMessageContaining("asks for model 7b, hidden 4096")
                .hasMessageContaining("the folder holds model tiny, hidden 32");
    }

    @Test
    void aMissingOrTruncatedFileIsNamed() throws IOException {
        Path model = keep(TINY_F16);
        Path tokenizer = model.resolve("tokenizer.model");
        long size = Files.size(tokenizer);
        Files.write(tokenizer, new byte[7]);

        assertThatThrownBy(() -> BenchCheckpoint.existing(dir, TINY_F16))
                .hasMessage(tokenizer + " has 7 bytes, " + BenchCheckpoint.MANIFEST + " says " + size);

        Files.delete(tokenizer);

        assertThatThrownBy(() -> BenchCheckpoint.kept(dir, TINY_F16))
                .hasMessage(tokenizer + " is missing (" + BenchCheckpoint.MANIFEST + " lists it)");
    }

    @Test
    void aFolderWithoutManifestIsNeitherReusedNorWrittenInto() throws IOException {
        Path empty = dir.resolve("empty");
        Files.createDirectories(empty);
        Files.writeString(dir.resolve("notes.txt"), "mine");

        assertThatThrownBy(() -> BenchCheckpoint.existing(empty, TINY_F16))
                .hasMessage(empty + " holds no ferret-bench.json: it is not a folder written by ferret bench --keep, "
                        + "or that run did not finish");
        assertThatThrownBy(() -> BenchCheckpoint.kept(dir, TINY_F16))
                .hasMessageStartingWith(dir + " is not empty and holds no ferret-bench.json");
        assertThat(BenchCheckpoint.kept(empty, TINY_F16).model(log::add)).isEqualTo(empty.resolve("model"));
        assertThat(dir.resolve("notes.txt")).hasContent("mine");
    }
}
