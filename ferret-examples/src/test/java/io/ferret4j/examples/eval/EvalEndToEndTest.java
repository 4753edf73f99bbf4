package io.ferret4j.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.encoder.ImageFiles;
import io.ferret4j.examples.FerretCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferret eval refexp} (and {@code lvis}, whose questions carry a region) end to end with the reference's tiny checkpoint (random weights, so the answers are
 * arbitrary) on a three-image annotation file: the predictions are in {@code model_refcoco.py}'s format and
 * {@code metric.json} is what scoring them gives.
 */
final class EvalEndToEndTest {
    private static final List<String> PHOTOS = List.of("clip/images/bathroom.jpg", "clip/images/kitchen.png",
            "more-photos/waterview.jpg");
    private static final List<String> CAPTIONS = List.of("the white bathtub", "a pot, on the stove", "the boat");
    private static final List<String> DATASETS = List.of("refcoco", "refcoco+", "refcocog");

    @TempDir
    Path dir;

    @Test
    void writesTheReferencePredictionFormatAndTheMetricsThatFollowFromIt() throws IOException {
        Path images = dir.resolve("images");
        Files.createDirectories(images);
        List<BufferedImage> decoded = new ArrayList<>();
        StringBuilder imageEntries = new StringBuilder();
        StringBuilder annotationEntries = new StringBuilder();
        for (int i = 0; i < PHOTOS.size(); i++) {
            Path photo = Goldens.path(PHOTOS.get(i));
            String name = (i + 1) + "_" + photo.getFileName();
            Files.copy(photo, images.resolve(name));
            BufferedImage pixels = ImageFiles.read(photo);
            decoded.add(pixels);
            String separator = i == 0 ? "" : ", ";
            imageEntries.append(separator).append(String.format("{\"id\": %d, \"file_name\": \"%s\", \"height\": %d,"
                    + " \"width\": %d, \"caption\": \"%s\", \"dataset_name\": \"%s\"}", i + 1, name, pixels.getHeight(),
                    pixels.getWidth(), CAPTIONS.get(i), DATASETS.get(i)));
            annotationEntries.append(separator).append(String.format("{\"id\": %d, \"image_id\": %d,"
                    + " \"bbox\": [10, 20, 100, 80]}", 100 + i, i + 1));
        }
        Path annotation = EvalFiles.write(dir.resolve("finetune_refcoco_test.json"),
                "{\"images\": [" + imageEntries + "], \"annotations\": [" + annotationEntries + "]}");
        Path out = dir.resolve("out");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();

        int code = FerretCli.run(new String[] {"eval", "refexp", "--model", Goldens.path("ferret/checkpoint").toString(),
                "--annotations", annotation.toString(), "--images", images.toString(), "--out", out.toString(),
                "--max-new-tokens", "12"}, System.in, new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));

        assertThat(code).as(stderr.toString(StandardCharsets.UTF_8)).isZero();
        try (var listing = Files.list(out.resolve("predictions"))) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("0_of_1.jsonl");
        }
        List<String> raw = Files.readAllLines(out.resolve("predictions/0_of_1.jsonl"));
        List<JsonLine> lines = PredictionFiles.readJsonl(out.resolve("predictions/0_of_1.jsonl"));
        assertThat(lines).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode line = lines.get(i).json();
            List<String> fields = new ArrayList<>();
            line.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).containsExactly("image_id", "file_name", "prompt", "text", "width", "height");
            assertThat(line.get("image_id").asInt()).isEqualTo(i + 1);
            assertThat(line.get("prompt").asText()).isEqualTo("What is the location of "
                    + CAPTIONS.get(i).replace(",", "") + " in the image?");
            assertThat(line.get("width").asInt()).isEqualTo(decoded.get(i).getWidth());
            assertThat(line.get("height").asInt()).isEqualTo(decoded.get(i).getHeight());
            assertThat(raw.get(i)).startsWith("{\"image_id\": " + (i + 1) + ", \"file_name\": \"");
        }
        JsonNode metric = PredictionFiles.readJson(out.resolve("metric.json"));
        assertThat(metric).isEqualTo(RefexpScorer.score(lines, PredictionFiles.readJson(annotation), w -> { })
                .metricJson());
        for (int i = 0; i < 3; i++) {
            boolean[] hits = RefexpScorer.scoreImage(lines.get(i), PredictionFiles.readJson(annotation).get("images")
                    .get(i), PredictionFiles.readJson(annotation).get("annotations").get(i)).hits();
            JsonNode byTest = metric.get("by_metric").get(DATASETS.get(i));
            for (int t = 0; t < RefexpScorer.TESTS.size(); t++) {
                assertThat(byTest.get(RefexpScorer.TESTS.get(t)).asDouble()).isEqualTo(hits[t] ? 1.0 : 0.0);
            }
        }
        assertThat(stdout.toString(StandardCharsets.UTF_8)).startsWith(" Dataset: refcoco - Precision @ 1, mean, all: [");
    }

    @Test
    void lvisAsksAboutTheRegionAndScoresWhatItWrote() throws IOException {
        Path images = dir.resolve("images");
        Files.createDirectories(images);
        Files.copy(Goldens.path(PHOTOS.get(0)), images.resolve("000000000001.jpg"));
        BufferedImage pixels = ImageFiles.read(images.resolve("000000000001.jpg"));
        String object = String.format("{\"id\": 7, \"image_path\": \"val2017/000000000001.jpg\", \"width\": %d,"
                + " \"height\": %d, \"name\": \"bathtub\", \"neg_class\": \"dog\", \"synonyms\": [\"bath_tub\"],"
                + " \"sample_point\": [300, 200], \"bbox\": [200, 100, 200, 200], \"bbox_norm\": [0.3, 0.2, 0.6, 0.6]}",
                pixels.getWidth(), pixels.getHeight());
        Path annotation = EvalFiles.write(dir.resolve("lvis_eval.jsonl"), object);
        Path out = dir.resolve("out");

        int code = FerretCli.run(new String[] {"eval", "lvis", "--model", Goldens.path("ferret/checkpoint").toString(),
                "--annotations", annotation.toString(), "--images", images.toString(), "--out", out.toString(),
                "--region-format", "point", "--max-new-tokens", "6"}, System.in, System.out, System.err);

        assertThat(code).isZero();
        List<JsonLine> lines = PredictionFiles.readJsonl(out.resolve("predictions/0_of_1.jsonl"));
        JsonNode line = lines.get(0).json();
        List<String> fields = new ArrayList<>();
        line.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("id", "image_path", "prompt", "text", "name", "synonyms", "bbox",
                "bbox_norm", "width", "height");
        assertThat(line.get("prompt").asText()).isEqualTo("Is the object [" + 300 * 1000 / pixels.getWidth() + ", "
                + 200 * 1000 / pixels.getHeight() + "] <region_fea> of the image a bathtub or a dog?");
        assertThat(PredictionFiles.readJson(out.resolve("metric.json")))
                .isEqualTo(LvisScorer.score(lines, w -> { }).metricJson());
    }
}
