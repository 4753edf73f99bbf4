package io.ferret4j.examples.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * RefCOCO, RefCOCO+ and RefCOCOg box precision, exactly as the reference's {@code eval_refexp.py} computes it: the
 * predictions sorted by {@code image_id} are matched to the annotation's images <em>by position</em>; every box of an
 * answer is kept; per image, P@1 (first box), mean (IoU of the element-wise mean box) and upper bound (best box) each
 * hit at IoU ≥ 0.5 in float32. A dataset's score is hits over scored images.
 *
 * <p>Where the reference is silent, this scorer warns (naming file and line): a prediction whose {@code image_id}
 * differs from the image it is scored against (a missing line shifts every later one), and images left unscored
 * because the predictions ran out.
 */
final class RefexpScorer {
    /** The datasets, in the order the reference prints them. */
    static final List<String> DATASETS = List.of("refcoco", "refcoco+", "refcocog");
    /** The three tests, in the reference's {@code k} order. */
    static final List<String> TESTS = List.of("P@1", "mean", "upper_bound");
    private static final double THRESHOLD = 0.5;

    private RefexpScorer() {
    }

    /**
     * Scores {@code predictions} against the annotation file's content.
     *
     * @throws IllegalArgumentException where the reference crashes: an image and annotation out of step, an unknown
     *         {@code dataset_name}, a box with fewer than 4 numbers, a missing field
     */
    static Result score(List<JsonLine> predictions, JsonNode annotation, Consumer<String> warnings) {
        List<JsonLine> sorted = new ArrayList<>(predictions);
        sorted.sort(Comparator.comparingLong(p -> p.integer("image_id")));
        JsonNode images = require(annotation, "images");
        JsonNode annotations = require(annotation, "annotations");
        Map<String, int[]> hits = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        DATASETS.forEach(d -> {
            hits.put(d, new int[TESTS.size()]);
            counts.put(d, 0);
        });
        int scored = Math.min(Math.min(images.size(), annotations.size()), sorted.size());
        int shifted = 0;
        for (int i = 0; i < scored; i++) {
            JsonNode image = images.get(i);
            String dataset = checkedDataset(image, annotations.get(i), i);
            JsonLine prediction = sorted.get(i);
            if (prediction.integer("image_id") != image.path("id").asLong() && shifted++ == 0) {
                warnings.accept(prediction.where() + ": prediction for image_id " + prediction.integer("image_id")
                        + " is scored against image " + image.path("id") + " (annotation position " + i + "), as "
                        + "the reference pairs sorted predictions with images by position; a missing or extra line "
                        + "shifts every later one");
            }
            boolean[] hit = scoreImage(prediction, image, annotations.get(i)).hits();
            for (int t = 0; t < hit.length; t++) {
                hits.get(dataset)[t] += hit[t] ? 1 : 0;
            }
            counts.merge(dataset, 1, Integer::sum);
        }
        if (shifted > 1) {
            warnings.accept(shifted + " predictions in all are scored against an image with another id");
        }
        if (scored < images.size()) {
            warnings.accept((images.size() - scored) + " image(s) from id " + images.get(scored).path("id")
                    + " have no prediction and are not counted, as in the reference (" + sorted.size()
                    + " prediction lines for " + images.size() + " images)");
        }
        return new Result(precisions(hits, counts), counts);
    }

    /** The image's dataset, after the checks the reference makes (or crashes on). */
    private static String checkedDataset(JsonNode image, JsonNode annotation, int position) {
        if (!image.path("id").equals(annotation.path("image_id"))) {
            throw new IllegalArgumentException("annotation " + position + " (image_id " + annotation.path("image_id")
                    + ") is not for image " + position + " (id " + image.path("id") + "): the reference pairs them "
                    + "by position");
        }
        String dataset = image.path("dataset_name").asText();
        if (!DATASETS.contains(dataset)) {
            throw new IllegalArgumentException("image " + image.path("id") + ": dataset_name \"" + dataset
                    + "\" is not one of " + DATASETS);
        }
        return dataset;
    }

    /** One image's IoUs: of each decoded box (or of the 0-area fallback box), and of their mean box. */
    static ImageScore scoreImage(JsonLine prediction, JsonNode image, JsonNode annotation) {
        double width = number(image, "width");
        double height = number(image, "height");
        CaptionBoxes decoded;
        try {
            decoded = CaptionBoxes.decode(prediction.text("text"), width, height);
        } catch (CaptionBoxes.UnparsableBox e) {
            decoded = CaptionBoxes.none();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prediction.where() + ": " + e.getMessage(), e);
        }
        List<float[]> boxes = new ArrayList<>();
        decoded.boxes().forEach(b -> boxes.add(new float[] {b[0], b[1], b[2], b[3]}));
        if (boxes.isEmpty()) {
            boxes.add(new float[4]);
        }
        Target target = Target.of(annotation.path("bbox"), "image " + image.path("id"));
        float[] ious = new float[boxes.size()];
        for (int b = 0; b < ious.length; b++) {
            ious[b] = target.iou(boxes.get(b));
        }
        return new ImageScore(ious, target.iou(mean(boxes)));
    }

    /**
     * The IoUs of one image, float32 as torch computes them.
     *
     * @param ious    of each box, in answer order
     * @param meanIou of the element-wise mean box
     */
    record ImageScore(float[] ious, float meanIou) {
        /** P@1 (first box), mean and upper bound (best box: Python's {@code max()}), each at IoU ≥ 0.5. */
        boolean[] hits() {
            float best = ious[0];
            for (float iou : ious) {
                if (iou > best) {        // Python's max(): a later value replaces only if strictly greater
                    best = iou;
                }
            }
            return new boolean[] {ious[0] >= THRESHOLD, meanIou >= THRESHOLD, best >= THRESHOLD};
        }
    }

    /** torch's {@code mean(0)} on float32: the sum, then one division. */
    private static float[] mean(List<float[]> boxes) {
        float[] sum = new float[4];
        for (float[] b : boxes) {
            for (int c = 0; c < 4; c++) {
                sum[c] += b[c];
            }
        }
        for (int c = 0; c < 4; c++) {
            sum[c] /= boxes.size();
        }
        return sum;
    }

    private static Map<String, double[]> precisions(Map<String, int[]> hits, Map<String, Integer> counts) {
        Map<String, double[]> out = new LinkedHashMap<>();
        hits.forEach((dataset, h) -> {
            int n = counts.get(dataset);
            out.put(dataset, Arrays.stream(h).mapToDouble(v -> n == 0 ? 0.0 : (double) v / n).toArray());
        });
        return out;
    }

    private static JsonNode require(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray()) {
            throw new IllegalArgumentException("annotation file: no \"" + field + "\" array");
        }
        return value;
    }

    private static double number(JsonNode image, String field) {
        JsonNode value = image.get(field);
        if (value == null || !value.isNumber()) {
            throw new IllegalArgumentException("image " + image.path("id") + ": \"" + field
                    + "\" must be a number, found " + value);
        }
        return value.asDouble();
    }

    /**
     * The target box as the reference's torch tensor holds it: int64 when {@code x+w} and {@code y+h} are all
     * integer sums, float32 (of the float64 sums) otherwise.
     */
    private record Target(float[] corners, float area) {
        static Target of(JsonNode bbox, String what) {
            if (!bbox.isArray() || bbox.size() != 4 || !allNumbers(bbox)) {
                throw new IllegalArgumentException(what + ": bbox must be [x, y, w, h], found " + bbox);
            }
            boolean integers = true;
            for (JsonNode v : bbox) {
                integers &= v.isIntegralNumber();
            }
            float[] c = new float[4];
            if (integers) {
                long[] xyxy = {bbox.get(0).asLong(), bbox.get(1).asLong(), bbox.get(0).asLong() + bbox.get(2).asLong(),
                        bbox.get(1).asLong() + bbox.get(3).asLong()};
                for (int i = 0; i < 4; i++) {
                    c[i] = xyxy[i];
                }
                return new Target(c, (float) ((xyxy[2] - xyxy[0]) * (xyxy[3] - xyxy[1])));
            }
            c[0] = (float) bbox.get(0).asDouble();
            c[1] = (float) bbox.get(1).asDouble();
            c[2] = (float) sum(bbox.get(2), bbox.get(0));
            c[3] = (float) sum(bbox.get(3), bbox.get(1));
            return new Target(c, (c[2] - c[0]) * (c[3] - c[1]));
        }

        float iou(float[] box) {
            return BoxIou.float32(box, corners, area);
        }

        private static double sum(JsonNode size, JsonNode origin) {
            return origin.asDouble() + size.asDouble();
        }

        private static boolean allNumbers(JsonNode bbox) {
            for (JsonNode v : bbox) {
                if (!v.isNumber()) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * The scores: per dataset, P@1, mean and upper bound in that order, and the number of scored images.
     */
    record Result(Map<String, double[]> byDataset, Map<String, Integer> counts) {

        /**
         * The reference's {@code metric.json} ({@code "refcoco": [a, b, c]}, each list sorted ascending as the
         * reference writes it), plus {@code "by_metric"} naming each value.
         */
        ObjectNode metricJson() {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            ObjectNode named = JsonNodeFactory.instance.objectNode();
            byDataset.forEach((dataset, values) -> {
                Arrays.stream(sortedValues(values)).forEach(root.putArray(dataset)::add);
                ObjectNode byTest = named.putObject(dataset);
                for (int t = 0; t < TESTS.size(); t++) {
                    byTest.put(TESTS.get(t), values[t]);
                }
            });
            root.set("by_metric", named);
            return root;
        }

        /** The lines the reference prints for the scores. */
        List<String> referenceLines() {
            List<String> lines = new ArrayList<>();
            byDataset.forEach((dataset, values) -> {
                StringBuilder list = new StringBuilder();
                for (double v : sortedValues(values)) {
                    list.append(list.isEmpty() ? "" : ", ").append(PythonFloat.repr(v));
                }
                lines.add(" Dataset: " + dataset + " - Precision @ 1, mean, all: [" + list + "] ");
            });
            return lines;
        }

        private static double[] sortedValues(double[] values) {
            double[] copy = values.clone();
            Arrays.sort(copy);
            return copy;
        }
    }
}
