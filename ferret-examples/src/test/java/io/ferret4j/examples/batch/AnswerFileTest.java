package io.ferret4j.examples.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class AnswerFileTest {
    @TempDir
    Path dir;

    @Test
    void dropsATornLastLineAndKnowsTheTasksAnswered() throws IOException {
        Path file = dir.resolve("answers.jsonl");
        Files.writeString(file, "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":null,\"line\":4,\"error\":\"e\"}\n{\"id\":7,\"te");

        try (AnswerFile answers = AnswerFile.open(file)) {
            assertThat(answers.size()).isEqualTo(2);
            assertThat(answers.has(AnswerFile.key(TextNode.valueOf("a"), 1))).isTrue();
            assertThat(answers.has(AnswerFile.key(NullNode.instance, 4))).isTrue();
            assertThat(answers.has(AnswerFile.key(IntNode.valueOf(7), 3))).isFalse();

            answers.append(JsonNodeFactory.instance.objectNode().put("id", 7).put("text", "y"));

            assertThat(answers.has(AnswerFile.key(IntNode.valueOf(7), 3))).isTrue();
        }
        assertThat(Files.readString(file)).isEqualTo(
                "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":null,\"line\":4,\"error\":\"e\"}\n{\"id\":7,\"text\":\"y\"}\n");
    }

    @Test
    void idsKeepTheirJsonType() {
        assertThat(AnswerFile.key(IntNode.valueOf(7), 1)).isNotEqualTo(AnswerFile.key(TextNode.valueOf("7"), 1));
    }

    @Test
    void refusesToAppendToAFileThatIsNotAnAnswersFile() throws IOException {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "dear diary\n{\"id\":1}\n");

        assertThatThrownBy(() -> AnswerFile.open(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("notes.txt line 1 is not an answer");
        assertThat(Files.readString(file)).isEqualTo("dear diary\n{\"id\":1}\n");
    }
}
