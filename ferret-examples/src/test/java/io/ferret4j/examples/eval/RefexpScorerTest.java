package io.ferret4j.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RefCOCO precision on cases worked out by hand, and the reference's silent failures turned into messages. */
final class RefexpScorerTest {
    /** Three 100×100 refcoco images: 1000-grid values are pixels × 10. */
    private static final String ANNOTATION = """
            {"images": [
              {"id": 1, "file_name": "a.jpg", "width": 100, "height": 100, "caption": "the cup", "dataset_name": "refcoco"},
              {"id": 2, "file_name": "b.jpg", "width": 100, "height": 100, "caption": "the dog", "dataset_name": "refcoco"},
              {"id": 3, "file_name": "c.jpg", "width": 100, "height": 100, "caption": "the cat", "dataset_name": "refcoco"}],
             "annotations": [
              {"id": 10, "image_id": 1, "bbox": [10, 10, 40, 40]},
              {"id": 20, "image_id": 2, "bbox": [0, 0, 50, 50]},
              {"id": 30, "image_id": 3, "bbox": [0, 0, 50, 50]}]}
            """;

    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    @Test
    void firstMeanAndBestBoxAreThreeTestsAndTheListsAreSorted() {
        Path predictions = EvalFiles.write(dir.resolve("p/0_of_1.jsonl"),
                // image 2: [0,0,20,50] has IoU 1000/2500 = 0.4 (P@1 misses), [0,0,50,50] IoU 1 (upper bound hits),
                // their mean [0,0,35,50] IoU 1750/2500 = 0.7 (mean hits)
                "{\"image_id\": 2, \"text\": \"x [0, 0, 200, 500], y [0, 0, 500, 500]\"}",
                // image 1: the box [10,10,50,50] is the target: all three hit
                "{\"image_id\": 1, \"text\": \"the cup [100, 100, 500, 500]\"}",
                // image 3: no box, so the 0-area box: all three miss
                "{\"image_id\": 3, \"text\": \"I cannot see it\"}");

        ScoreOutcome outcome = EvalScoring.refexp(predictions.getParent(), annotation(), warnings::add);

        JsonNode byMetric = outcome.metric().get("by_metric").get("refcoco");
        assertThat(byMetric.get("P@1").asDouble()).isEqualTo(1.0 / 3);
        assertThat(byMetric.get("mean").asDouble()).isEqualTo(2.0 / 3);
        assertThat(byMetric.get("upper_bound").asDouble()).isEqualTo(2.0 / 3);
        assertThat(outcome.metric().get("refcoco")).containsExactly(
                EvalFiles.json("0.3333333333333333"), EvalFiles.json("0.6666666666666666"),
                EvalFiles.json("0.6666666666666666"));
        assertThat(outcome.metric().get("refcoco+")).containsExactly(
                EvalFiles.json("0.0"), EvalFiles.json("0.0"), EvalFiles.json("0.0"));
        assertThat(outcome.referenceLines().get(0)).isEqualTo(
                " Dataset: refcoco - Precision @ 1, mean, all: [0.3333333333333333, 0.6666666666666666, 0.6666666666666666] ");
        assertThat(warnings).isEmpty();
    }

    @Test
    void aMissingLineShiftsLaterImagesAsInTheReferenceWithAWarningNamingTheLine() {
        Path predictions = EvalFiles.write(dir.resolve("p/0_of_1.jsonl"),
                "{\"image_id\": 1, \"text\": \"[100, 100, 500, 500]\"}",
                "{\"image_id\": 3, \"text\": \"[0, 0, 500, 500]\"}");

        ScoreOutcome outcome = EvalScoring.refexp(predictions.getParent(), annotation(), warnings::add);

        // image 2 is scored with image 3's answer (a hit on image 2's target); image 3 is left out
        assertThat(outcome.metric().get("by_metric").get("refcoco").get("P@1").asDouble()).isEqualTo(1.0);
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).startsWith(predictions + ":2: prediction for image_id 3 is scored against image 2");
        assertThat(warnings.get(1)).contains("1 image(s) from id 3 have no prediction");
    }

    @Test
    void aBoxOfThreeNumbersIsAnErrorNamingFileAndLine() {
        Path predictions = EvalFiles.write(dir.resolve("p/0_of_1.jsonl"),
                "{\"image_id\": 1, \"text\": \"[100, 100, 500, 500]\"}",
                "{\"image_id\": 2, \"text\": \"the dog [1, 2, 3]\"}");

        assertThatThrownBy(() -> EvalScoring.refexp(predictions.getParent(), annotation(), warnings::add))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(predictions + ":2: box [1, 2, 3] has 3 number(s), expected 4 (the reference scorer "
                        + "crashes here with IndexError)");
    }

    @Test
    void aMetricFileInThePredictionFolderIsSkippedAndNeverWrittenThere() {
        Path predictions = EvalFiles.write(dir.resolve("p/0_of_1.jsonl"),
                "{\"image_id\": 1, \"text\": \"[100, 100, 500, 500]\"}");
        Path stale = EvalFiles.write(dir.resolve("p/metric.json"), "{\"refcoco\": [1.0, 1.0, 1.0]}");

        ScoreOutcome outcome = EvalScoring.refexp(predictions.getParent(), annotation(), warnings::add);

        assertThat(outcome.metric().get("by_metric").get("refcoco").get("P@1").asDouble()).isEqualTo(1.0);
        assertThat(warnings.get(0)).isEqualTo(stale + ": not a .jsonl file, skipped (the reference scorer would "
                + "read it as predictions)");
        Path inside = dir.resolve("p/new-metric.json");
        assertThatThrownBy(() -> EvalJson.writeMetric(inside, outcome.metric(), predictions.getParent()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lies inside the predictions folder");
        assertThat(inside).doesNotExist();
    }

    private Path annotation() {
        return EvalFiles.write(dir.resolve("annotation.json"), ANNOTATION);
    }
}
