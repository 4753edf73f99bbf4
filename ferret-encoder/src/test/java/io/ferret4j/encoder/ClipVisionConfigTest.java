package io.ferret4j.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.ferret4j.core.testing.Goldens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ClipVisionConfigTest {
    @TempDir
    Path dir;

    @Test
    void readsTheGoldenVisionConfig() {
        ClipVisionConfig c = ClipVisionConfig.fromJson(Goldens.path("clip/model"));

        assertThat(c).isEqualTo(new ClipVisionConfig(64, 128, 3, 4, 3, 336, 14, "quick_gelu", 1e-5));
        assertThat(c.headDim()).isEqualTo(16);
        assertThat(c.numPatches()).isEqualTo(576);
        assertThat(c.numPositions()).isEqualTo(577);
    }

    @Test
    void readsFerretsVisionTowerFolderConfig() {
        ClipVisionConfig c = ClipVisionConfig.fromJson(Goldens.path("ferret/checkpoint/vision_tower"));

        assertThat(c.hiddenSize()).isEqualTo(64);
        assertThat(c.numHiddenLayers()).isEqualTo(3);
    }

    @Test
    void readsTheVisionPartOfAFullClipConfigWithLegacyDictOverridesAndDefaults() throws IOException {
        ClipVisionConfig c = read("{\"model_type\": \"clip\", \"text_config\": {\"hidden_size\": 768},"
                + " \"vision_config\": {\"hidden_size\": 1000, \"image_size\": 336, \"patch_size\": 14},"
                + " \"vision_config_dict\": {\"hidden_size\": 1024, \"intermediate_size\": 4096,"
                + " \"num_attention_heads\": 16, \"num_hidden_layers\": 24}}");

        assertThat(c).isEqualTo(new ClipVisionConfig(1024, 4096, 24, 16, 3, 336, 14, "quick_gelu", 1e-5));
        assertThat(c.numPatches()).isEqualTo(576);
    }

    @Test
    void refusesHeadsThatDoNotDivideTheWidth() {
        assertThatThrownBy(() -> read("{\"hidden_size\": 64, \"num_attention_heads\": 5}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hidden_size 64 not divisible by num_attention_heads 5");
    }

    @Test
    void refusesPatchesThatDoNotTileTheImage() {
        assertThatThrownBy(() -> read("{\"image_size\": 336, \"patch_size\": 15}"))
                .hasMessage("image_size 336 not divisible by patch_size 15");
    }

    @Test
    void refusesOtherActivations() {
        assertThatThrownBy(() -> read("{\"hidden_act\": \"gelu\"}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'gelu'").hasMessageContaining("quick_gelu");
    }

    private ClipVisionConfig read(String json) throws IOException {
        return ClipVisionConfig.fromJson(Files.writeString(dir.resolve("config.json"), json));
    }
}
