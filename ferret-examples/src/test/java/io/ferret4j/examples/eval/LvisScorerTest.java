package io.ferret4j.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LVIS accuracy on answers worked out by hand, with the reference's negation and synonym rules. */
final class LvisScorerTest {
    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    @Test
    void negationsAreRemovedWithoutWordBoundariesAndAnEmptySynonymMatchesAll() {
        Path predictions = EvalFiles.write(dir.resolve("p/0_of_1.jsonl"),
                "{\"text\": \"The object is a cat.\", \"name\": \"cat\", \"synonyms\": [\"cat\"]}",
                "{\"text\": \"It is a cat, not a dog.\", \"name\": \"dog\", \"synonyms\": [\"dog\"]}",
                "{\"text\": \"It is a nose.\", \"name\": \"nose\", \"synonyms\": []}",
                "{\"text\": \"A ball.\", \"name\": \"teddy_bear\", \"synonyms\": [\"teddy_bear\", \"(stuffed_toy)\"]}");

        ScoreOutcome outcome = EvalScoring.lvis(predictions.getParent(), warnings::add);

        // correct: line 1 (name found) and line 4 (the empty synonym part); wrong: line 2 (" not a dog." removed)
        // and line 3 (" nose." removed: no word boundary) -> 2 of 4
        assertThat(outcome.metric()).isEqualTo(EvalFiles.json("{\"accuracy\": 50.0, \"correct\": 2, \"total\": 4}"));
        assertThat(outcome.referenceLines()).containsExactly("Acc:50.000%");
        assertThat(warnings).singleElement().asString().startsWith(predictions + ":4: a synonym");
    }

    @Test
    void aSynonymWithTwoParenthesesIsAnErrorNamingTheLine() {
        Path predictions = EvalFiles.write(dir.resolve("p/0_of_1.jsonl"),
                "{\"text\": \"A bow.\", \"name\": \"bow\", \"synonyms\": [\"bow_(weapon)_(arm)\"]}");

        assertThatThrownBy(() -> EvalScoring.lvis(predictions.getParent(), warnings::add))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(predictions + ":1: synonym 'bow_(weapon)_(arm)' must hold exactly one '('");
    }

    @Test
    void negationRemovalNeedsLeadingSpaceLowerCaseAndATerminator() {
        assertThat(LvisScorer.withoutNegations("A cat, not a dog, nothing else.")).isEqualTo("A cat,");
        assertThat(LvisScorer.withoutNegations("Not a dog.")).isEqualTo("Not a dog.");
        assertThat(LvisScorer.withoutNegations("A cat, not a dog")).isEqualTo("A cat, not a dog");
    }
}
