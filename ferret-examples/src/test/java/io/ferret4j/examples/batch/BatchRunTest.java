package io.ferret4j.examples.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class BatchRunTest {
    @TempDir
    Path dir;

    @Test
    void skipsBlankLinesRepeatedIdsAndTasksAnsweredBefore() throws IOException {
        Path tasks = dir.resolve("tasks.jsonl");
        Files.writeString(tasks, "{\"id\":\"a\"}\n\n{\"id\":\"b\"}\n{\"id\":\"a\"}\nnot json\n{\"id\":\"c\"}\n");
        Path answers = dir.resolve("answers.jsonl");
        Files.writeString(answers, "{\"id\":\"c\",\"error\":\"no such file: x.jpg\"}\n");

        try (BatchRun run = BatchRun.open(tasks, answers)) {
            assertThat(run.pending()).as("a, b and the line that is not JSON").isEqualTo(3);
            assertThat(run.skipped()).as("the second a, and c").isEqualTo(2);
        }
    }

    @Test
    void aMissingTaskFileIsNamedBeforeTheAnswersFileIsCreated() {
        assertThatThrownBy(() -> BatchRun.open(dir.resolve("none.jsonl"), dir.resolve("answers.jsonl")))
                .hasMessage("no task file " + dir.resolve("none.jsonl"));
        assertThat(dir.resolve("answers.jsonl")).doesNotExist();
    }
}
