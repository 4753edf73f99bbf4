package io.ferret4j.examples.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Flickr30k Entities phrase-grounding recall, exactly as the reference's {@code eval_flickr_entities.py} computes it:
 * the n-th prediction line answers the annotation's n-th sentence (by position); for each phrase to evaluate, the
 * answer's boxes whose entity reads like the phrase are kept ({@link PhraseMatch}), and R@1/5/10 and the upper bound
 * hit when the best IoU (float64) over the first k kept boxes (all for the upper bound) is ≥ 0.5. Each phrase counts
 * in {@code all} and in each of its types.
 *
 * <p>When the predictions run out, the sentences left are not counted and a warning says how many (the reference
 * stops silently after one such sentence, and exits without any metric after two).
 */
final class FlickrScorer {
    private static final int[] TOP_K = {1, 5, 10, -1};
    private static final double THRESHOLD = 0.5;

    private FlickrScorer() {
    }

    /** The subset the reference scores: {@code test} when the annotation file name contains {@code _test.json}. */
    static String subset(Path annotationFile) {
        return annotationFile.getFileName().toString().contains("_test.json") ? "test" : "val";
    }

    /**
     * Scores {@code predictions} against the MDETR-style annotation and the Flickr30k Entities ground truth.
     *
     * @throws IllegalArgumentException where the reference crashes: a phrase not among the sentence's boxed
     *         phrases, a box with fewer than 4 numbers, a missing field
     */
    static Result score(List<JsonLine> predictions, JsonNode annotation, FlickrEntities entities,
                        Consumer<String> warnings) {
        JsonNode images = annotation.path("images");
        if (!images.isArray()) {
            throw new IllegalArgumentException("annotation file: no \"images\" array");
        }
        Recall recall = new Recall();
        int sentence = 0;
        for (; sentence < images.size() && sentence < predictions.size(); sentence++) {
            scoreSentence(images.get(sentence), predictions.get(sentence), entities, recall);
        }
        if (sentence < images.size()) {
            warnings.accept("predictions end after " + predictions.size() + " lines but the annotation has "
                    + images.size() + " sentences: the last " + (images.size() - sentence) + " are not counted"
                    + " (the reference stops there too, and writes no metrics when two or more are missing)");
        }
        if (predictions.size() > images.size()) {
            warnings.accept(predictions.get(images.size()).where() + ": " + (predictions.size() - images.size())
                    + " prediction line(s) beyond the annotation's " + images.size() + " sentences are ignored");
        }
        return new Result(recall.report(), recall.phrases, predictions.size());
    }

    private static void scoreSentence(JsonNode item, JsonLine prediction, FlickrEntities entities,
                                      Recall recall) {
        JsonNode positives = item.path("tokens_positive_eval");
        if (positives.isEmpty()) {
            return;
        }
        String caption = item.path("caption").asText();
        String imageId = item.path("original_img_id").asText();
        String where = "annotation sentence " + item.path("id") + " (image " + imageId + ")";
        List<FlickrEntities.Phrase> phrases = entities.phrases(imageId, item.path("sentence_id").asInt(), where);
        if (phrases == null) {
            throw new IllegalArgumentException(where + ": sentence " + item.path("sentence_id")
                    + " has no boxed phrase in the Flickr30k Entities files");
        }
        CaptionBoxes decoded = decode(prediction, item);
        for (JsonNode positive : positives) {
            String phrase = PythonText.slice(caption, positive.path(0).path(0).asInt(), positive.path(0).path(1).asInt());
            FlickrEntities.Phrase gt = phrases.stream().filter(p -> p.phrase().equals(phrase)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(where + ": phrase '" + phrase + "' is not among "
                            + "the sentence's boxed phrases " + phrases.stream().map(FlickrEntities.Phrase::phrase).toList()));
            long[] t = entities.box(imageId, gt.phraseId());
            double[] target = {t[0], t[1], t[2], t[3]};
            recall.add(keptBoxes(decoded, phrase).stream().mapToDouble(b -> BoxIou.float64(b, target)).toArray(),
                    gt.types());
        }
    }

    /** The answer's boxes whose entity reads like {@code phrase}, or the 0-area box if there is none. */
    private static List<double[]> keptBoxes(CaptionBoxes decoded, String phrase) {
        List<double[]> kept = new ArrayList<>();
        for (int i = 0; i < decoded.boxes().size(); i++) {
            if (PhraseMatch.similar(decoded.entities().get(i), phrase)) {
                long[] b = decoded.boxes().get(i);
                kept.add(new double[] {b[0], b[1], b[2], b[3]});
            }
        }
        if (kept.isEmpty()) {
            kept.add(new double[4]);
        }
        return kept;
    }

    private static CaptionBoxes decode(JsonLine prediction, JsonNode item) {
        try {
            return CaptionBoxes.decode(prediction.text("text"), item.path("width").asDouble(),
                    item.path("height").asDouble());
        } catch (CaptionBoxes.UnparsableBox e) {
            return CaptionBoxes.none();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prediction.where() + ": " + e.getMessage(), e);
        }
    }

    /** The reference's {@code RecallTracker}: hits and totals per k and category. */
    private static final class Recall {
        private final Map<Integer, Map<String, int[]>> byK = new LinkedHashMap<>();
        private int phrases;

        Recall() {
            for (int k : TOP_K) {
                byK.put(k, new LinkedHashMap<>());
            }
        }

        void add(double[] ious, List<String> types) {
            phrases++;
            for (int k : TOP_K) {
                double best = maxPropagatingNaN(ious, k == -1 ? ious.length : Math.min(k, ious.length));
                boolean hit = best >= THRESHOLD;
                count(k, "all", hit);
                types.forEach(type -> count(k, type, hit));
            }
        }

        private void count(int k, String category, boolean hit) {
            int[] c = byK.get(k).computeIfAbsent(category, x -> new int[2]);
            c[0] += hit ? 1 : 0;
            c[1]++;
        }

        /** numpy's {@code max}: NaN if any value is NaN. */
        private static double maxPropagatingNaN(double[] values, int n) {
            double best = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                best = Math.max(best, values[i]);       // Math.max, like numpy, returns NaN if either is NaN
            }
            return best;
        }

        Map<String, Double> report() {
            Map<String, Double> out = new LinkedHashMap<>();
            TreeSet<String> categories = new TreeSet<>(byK.get(TOP_K[0]).keySet());
            for (int k : TOP_K) {
                String header = k == -1 ? "Upper_bound" : "Recall@" + k;
                for (String category : categories) {
                    int[] c = byK.get(k).get(category);
                    out.put(header + "_" + category, (double) c[0] / c[1]);
                }
            }
            return out;
        }
    }

    /**
     * The recalls in the reference's {@code metric.json} keys and order ({@code Recall@1_all}, ...,
     * {@code Upper_bound_vehicles}), the number of phrases evaluated, and of prediction lines read.
     */
    record Result(Map<String, Double> recalls, int phrases, int lines) {

        /** The reference's {@code metric.json}. */
        ObjectNode metricJson() {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            recalls.forEach(root::put);
            return root;
        }

        /** The first line the reference prints after scoring. */
        List<String> referenceLines() {
            return List.of("Valid prediction " + phrases + "/" + lines);
        }
    }
}
