package io.ferret4j.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class VisionTowerLocatorTest {
    private static final String HF_ID = "openai/clip-vit-large-patch14-336";

    @TempDir
    Path dir;

    @Test
    void prefersAnExplicitFolderThenTheModelsOwnThenTheHuggingFaceCache() throws IOException {
        Path model = Files.createDirectories(dir.resolve("model"));
        Path cache = dir.resolve("hub");
        Path snapshot = tower(cache.resolve("models--openai--clip-vit-large-patch14-336/snapshots/abc123"));

        assertThat(VisionTowerLocator.locate(Optional.empty(), model, HF_ID, List.of(cache))).isEqualTo(snapshot);

        Path own = tower(model.resolve("vision_tower"));
        assertThat(VisionTowerLocator.locate(Optional.empty(), model, HF_ID, List.of(cache))).isEqualTo(own);

        Path explicit = tower(dir.resolve("elsewhere"));
        assertThat(VisionTowerLocator.locate(Optional.of(explicit), model, HF_ID, List.of(cache))).isEqualTo(explicit);
    }

    @Test
    void saysWhatToDownloadAndWhereWhenNothingIsFound() throws IOException {
        Path model = Files.createDirectories(dir.resolve("model"));

        assertThatThrownBy(() -> VisionTowerLocator.locate(Optional.empty(), model, HF_ID, List.of(dir.resolve("hub"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Download the Hugging Face repo " + HF_ID)
                .hasMessageContaining(model.resolve("vision_tower").toString())
                .hasMessageContaining("--vision-tower");
    }

    @Test
    void refusesAnExplicitFolderWithoutWeights() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));

        assertThatThrownBy(() -> VisionTowerLocator.locate(Optional.of(empty), dir, HF_ID, List.of()))
                .hasMessageContaining("needs config.json, preprocessor_config.json");
    }

    private static Path tower(Path folder) throws IOException {
        Files.createDirectories(folder);
        for (String f : List.of("config.json", "preprocessor_config.json", "pytorch_model.bin")) {
            Files.writeString(folder.resolve(f), "{}");
        }
        return folder;
    }
}
