package io.ferret4j.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POPE metrics on answers worked out by hand, and the reference's silent pairing turned into warnings. */
final class PopeScorerTest {
    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    @Test
    void onlyExactNoNotAndNoWordsOfTheFirstSentenceMeanNo() {
        Path labels = EvalFiles.write(dir.resolve("pope.json"), label("yes"), label("no"), label("no"), label("yes"),
                label("yes"));
        Path predictions = EvalFiles.write(dir.resolve("p/0_of_1.jsonl"),
                answer("yes"),                      // yes, label yes: TP
                answer("No, there is not."),        // no, label no: TN
                answer("Not really"),               // "Not" is not a negative word: yes, label no: FP
                answer("there is no dog"),          // no, label yes: FN
                answer("Yes. But no dog."));        // only the first sentence counts: yes, label yes: TP

        ScoreOutcome outcome = EvalScoring.pope(predictions.getParent(), labels, warnings::add);

        // TP 2, FP 1, TN 1, FN 1: accuracy 3/5, precision 2/3, recall 2/3, F1 2/3, yes ratio 3/5
        assertThat(outcome.referenceLines().subList(0, 2)).containsExactly("TP\tFP\tTN\tFN\t", "2\t1\t1\t1");
        assertThat(outcome.metric().get("Accuracy").asDouble()).isEqualTo(0.6);
        assertThat(outcome.metric().get("Precision").asDouble()).isEqualTo(2.0 / 3);
        assertThat(outcome.metric().get("Recall").asDouble()).isEqualTo(2.0 / 3);
        assertThat(outcome.metric().get("F1 score").asDouble()).isCloseTo(2.0 / 3, within(1e-15));
        assertThat(outcome.metric().get("Yes ratio").asDouble()).isEqualTo(0.6);
        assertThat(warnings).isEmpty();
    }

    @Test
    void unpairedAnswersAndNonNumericChunkOrderAreReported() {
        Path labels = EvalFiles.write(dir.resolve("pope.json"), label("yes"));
        IntStream.range(0, 11).forEach(k -> EvalFiles.write(dir.resolve("p/" + k + "_of_11.jsonl"), answer("yes")));

        ScoreOutcome outcome = EvalScoring.pope(dir.resolve("p"), labels, warnings::add);

        // one pair (TP); the yes ratio counts all 11 answers
        assertThat(outcome.metric().get("Accuracy").asDouble()).isEqualTo(1.0);
        assertThat(outcome.metric().get("Yes ratio").asDouble()).isEqualTo(1.0);
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).startsWith("chunk files are read in name order, as the reference reads them: "
                + "[0_of_11.jsonl, 10_of_11.jsonl, 1_of_11.jsonl, 2_of_11.jsonl");
        assertThat(warnings.get(1)).startsWith("11 answers for 1 annotation lines: only the first 1 are paired");
    }

    @Test
    void noYesAnswerMakesPrecisionUndefinedInsteadOfCrashing() {
        Path labels = EvalFiles.write(dir.resolve("pope.json"), label("yes"));
        Path predictions = EvalFiles.write(dir.resolve("p/0_of_1.jsonl"), answer("no"));

        assertThatThrownBy(() -> EvalScoring.pope(predictions.getParent(), labels, warnings::add).metric())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("undefined precision");
    }

    private static String label(String label) {
        return "{\"question_id\": 1, \"image\": \"x.jpg\", \"text\": \"Is there a dog?\", \"label\": \"" + label + "\"}";
    }

    private static String answer(String answer) {
        return "{\"question\": \"Is there a dog?\", \"answer\": \"" + answer + "\"}";
    }
}
