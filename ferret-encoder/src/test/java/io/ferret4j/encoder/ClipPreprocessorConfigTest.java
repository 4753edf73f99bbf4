package io.ferret4j.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.ferret4j.core.testing.Goldens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ClipPreprocessorConfigTest {
    @TempDir
    Path dir;

    @Test
    void readsTheOpenAiClipSettingsWithClassDefaultsForAbsentKeys() {
        ClipPreprocessorConfig c = ClipPreprocessorConfig.fromJson(Goldens.path("clip/model"));

        assertThat(c.squareSide()).isEqualTo(336);
        assertThat(c.doRescale()).isTrue();
        assertThat(c.rescaleFactor()).isEqualTo(1 / 255.0);
        assertThat(c.doConvertRgb()).isTrue();
        assertThat(c.doCenterCrop()).isTrue();                         // in the file; Ferret overrides it
        assertThat(c.imageMean()).containsExactly(0.48145466, 0.4578275, 0.40821073);
        assertThat(c.imageStd()).containsExactly(0.26862954, 0.26130258, 0.27577711);
    }

    @Test
    void takesTheSideFromCropSizeAsNumberOrObject() throws IOException {
        assertThat(read("{\"crop_size\": {\"height\": 448, \"width\": 448}}").squareSide()).isEqualTo(448);
        assertThat(read("{\"crop_size\": 336, \"size\": {\"shortest_edge\": 448}}").squareSide()).isEqualTo(336);
        assertThat(read("{\"crop_size\": null}").squareSide()).isEqualTo(224);     // HF class default
    }

    @Test
    void refusesOtherResamplingFilters() {
        assertThatThrownBy(() -> read("{\"resample\": 2}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resample 2").hasMessageContaining("3");
    }

    @Test
    void refusesNonSquareCrops() {
        assertThatThrownBy(() -> read("{\"crop_size\": {\"height\": 224, \"width\": 336}}"))
                .hasMessageContaining("224x336");
    }

    private ClipPreprocessorConfig read(String json) throws IOException {
        return ClipPreprocessorConfig.fromJson(Files.writeString(dir.resolve("preprocessor_config.json"), json));
    }
}
