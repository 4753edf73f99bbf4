package io.ferret4j.llm.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class AtomicModelFolderTest {
    @TempDir
    Path dir;

    @Test
    void commitMovesTheWrittenFolderIntoPlace() throws IOException {
        Path target = dir.resolve("model");

        try (AtomicModelFolder folder = AtomicModelFolder.create(target, false)) {
            assertThat(folder.path().getParent()).isEqualTo(dir);
            assertThat(folder.path().getFileName().toString()).matches("model\\.partial-[0-9a-f]{16}");
            Files.writeString(folder.path().resolve("config.json"), "{}");
            Files.createDirectory(folder.path().resolve("sub"));
            Files.writeString(folder.path().resolve("sub/a.txt"), "a");
            assertThat(target).doesNotExist();
            folder.commit();
        }

        assertThat(target.resolve("config.json")).hasContent("{}");
        assertThat(target.resolve("sub/a.txt")).hasContent("a");
        assertThat(children(dir)).containsExactly("model");
    }

    @Test
    void closeWithoutCommitDeletesTheTemporaryFolder() throws IOException {
        Path target = dir.resolve("model");

        try (AtomicModelFolder folder = AtomicModelFolder.create(target, false)) {
            Files.createDirectories(folder.path().resolve("a/b"));
            Files.writeString(folder.path().resolve("a/b/c.bin"), "data");
        }

        assertThat(target).doesNotExist();
        assertThat(children(dir)).isEmpty();
    }

    @Test
    void existingTargetIsRefusedBeforeAnythingIsCreated() throws IOException {
        Path target = Files.createDirectory(dir.resolve("model"));

        assertThatThrownBy(() -> AtomicModelFolder.create(target, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already exists");
        assertThat(children(dir)).containsExactly("model");
    }

    @Test
    void targetAppearingDuringTheWriteIsNotReplaced() throws IOException {
        Path target = dir.resolve("model");

        try (AtomicModelFolder folder = AtomicModelFolder.create(target, false)) {
            Files.writeString(folder.path().resolve("new.txt"), "new");
            Files.createDirectory(target);
            Files.writeString(target.resolve("other.txt"), "someone else's");
            assertThatThrownBy(folder::commit).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("already exists");
        }

        assertThat(children(target)).containsExactly("other.txt");
        assertThat(children(dir)).containsExactly("model");
    }

    @Test
    void replaceExistingSwapsTheFolderAndDeletesTheOldOne() throws IOException {
        Path target = Files.createDirectory(dir.resolve("model"));
        Files.writeString(target.resolve("old.txt"), "old");

        try (AtomicModelFolder folder = AtomicModelFolder.create(target, true)) {
            Files.writeString(folder.path().resolve("new.txt"), "new");
            assertThat(target.resolve("old.txt")).exists();
            folder.commit();
        }

        assertThat(children(target)).containsExactly("new.txt");
        assertThat(children(dir)).containsExactly("model");
    }

    @Test
    void replaceExistingStillRefusesAFile() throws IOException {
        Path target = Files.writeString(dir.resolve("model"), "a file");

        assertThatThrownBy(() -> AtomicModelFolder.create(target, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a folder");
    }

    @Test
    void missingParentFoldersAreCreated() {
        Path target = dir.resolve("weights/ferret/7b");

        try (AtomicModelFolder folder = AtomicModelFolder.create(target, false)) {
            folder.commit();
        }

        assertThat(target).isDirectory();
    }

    @Test
    void commitTwiceIsAnError() {
        try (AtomicModelFolder folder = AtomicModelFolder.create(dir.resolve("model"), false)) {
            folder.commit();
            assertThatThrownBy(folder::commit).isInstanceOf(IllegalStateException.class);
        }
    }

    private static List<String> children(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
