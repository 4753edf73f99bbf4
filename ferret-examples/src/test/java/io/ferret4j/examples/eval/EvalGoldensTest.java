package io.ferret4j.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * The shared scorer goldens (test resources {@code eval/}, copied from the reference run; see the README there):
 * every metric equals what ml-ferret's unmodified scorer wrote, bit for bit, and the printed metric lines equal its
 * stdout.
 */
final class EvalGoldensTest {
    private final List<String> warnings = new ArrayList<>();

    @Test
    void refexpGivesTheReferenceMetricsAndLines() {
        Path set = EvalFiles.golden("refexp");
        JsonNode expected = EvalFiles.expected("refexp");

        ScoreOutcome outcome = EvalScoring.refexp(set.resolve("predictions"), set.resolve("annotation.json"),
                warnings::add);

        ObjectNode lists = outcome.metric().deepCopy();
        lists.remove("by_metric");
        assertThat(lists).isEqualTo(expected.get("metric_json"));
        assertThat(outcome.metric().get("by_metric")).isEqualTo(expected.get("by_k_unsorted"));
        assertThat(outcome.referenceLines()).containsExactlyElementsOf(texts(expected.get("stdout_metric_lines")));
    }

    @Test
    void refexpGivesTheReferenceFloat32IouOfEveryImage() {
        Path set = EvalFiles.golden("refexp");
        JsonNode annotation = PredictionFiles.readJson(set.resolve("annotation.json"));
        JsonNode items = EvalFiles.expected("refexp").get("items");

        for (JsonNode item : items) {
            int position = item.get("position").asInt();
            JsonLine prediction = new JsonLine(Path.of("item"), position,
                    JsonNodeFactory.instance.objectNode().put("text", item.get("prediction_text").asText()));
            RefexpScorer.ImageScore score = RefexpScorer.scoreImage(prediction, annotation.get("images").get(position),
                    annotation.get("annotations").get(position));

            float[] expectedIous = new float[item.get("iou").size()];
            for (int i = 0; i < expectedIous.length; i++) {
                expectedIous[i] = (float) item.get("iou").get(i).asDouble();
            }
            assertThat(score.ious()).as("image %s: %s", item.get("image_id"), item.get("rule")).containsExactly(expectedIous);
            assertThat(score.meanIou()).as("image %s mean", item.get("image_id"))
                    .isEqualTo((float) item.get("mean_iou").asDouble());
        }
    }

    @Test
    void flickrGivesTheReferenceMetricsAndLines() {
        Path set = EvalFiles.golden("flickr_entities");
        JsonNode expected = EvalFiles.expected("flickr_entities");

        ScoreOutcome outcome = EvalScoring.flickr(set.resolve("predictions"),
                set.resolve("final_flickr_mergedGT_test.json"), set.resolve("flickr30k"), warnings::add);

        assertThat(outcome.metric()).isEqualTo(expected.get("metric_json"));
        assertThat(fieldNames(outcome.metric())).containsExactlyElementsOf(fieldNames(expected.get("metric_json")));
        assertThat(outcome.referenceLines()).containsExactlyElementsOf(
                texts(expected.get("stdout_valid_prediction_line")));
        assertThat(warnings).isEmpty();
    }

    @Test
    void lvisGivesTheReferenceAccuracyAndEveryLinesVerdict() {
        Path set = EvalFiles.golden("lvis");
        JsonNode expected = EvalFiles.expected("lvis");

        ScoreOutcome outcome = EvalScoring.lvis(set.resolve("predictions"), warnings::add);

        assertThat(outcome.metric().get("correct").asInt()).isEqualTo(expected.get("correct").asInt());
        assertThat(outcome.metric().get("total").asInt()).isEqualTo(expected.get("total").asInt());
        assertThat(outcome.referenceLines()).containsExactly(expected.get("stdout_metric_line").asText());
        List<JsonLine> lines = PredictionFiles.read(set.resolve("predictions"), warnings::add);
        for (JsonNode item : expected.get("items")) {
            JsonLine line = lines.get(item.get("line").asInt());
            assertThat(LvisScorer.isCorrect(line, warnings::add)).as("%s: %s", line.where(), item.get("rule"))
                    .isEqualTo(item.get("correct").asBoolean());
        }
    }

    @Test
    void popeGivesTheReferenceMetricsAndLines() {
        Path set = EvalFiles.golden("pope");
        JsonNode expected = EvalFiles.expected("pope");

        ScoreOutcome outcome = EvalScoring.pope(set.resolve("predictions"), set.resolve("coco_pope_synthetic.json"),
                warnings::add);

        assertThat(outcome.metric()).isEqualTo(expected.get("metric_json"));
        List<String> lines = new ArrayList<>(List.of(expected.get("stdout_confusion").get("header").asText(),
                expected.get("stdout_confusion").get("values").asText()));
        lines.addAll(texts(expected.get("stdout_metric_lines")));
        assertThat(outcome.referenceLines()).containsExactlyElementsOf(lines);
        for (JsonNode answer : expected.get("answers")) {
            assertThat(PopeScorer.isYes(answer.get("answer").asText())).as(answer.get("answer").asText())
                    .isEqualTo(answer.get("parsed").asText().equals("yes"));
        }
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
