package io.ferret4j.examples.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * POPE yes/no metrics, exactly as the reference's {@code eval_pope.py} computes them: an answer is "no" if, in its
 * first sentence with commas deleted and split on single spaces, a word is exactly {@code No}, {@code not} or
 * {@code no}; anything else is "yes". The i-th answer pairs with the i-th annotation line, whose label is negative
 * only if it is exactly {@code "no"}; the yes ratio counts every answer, paired or not.
 *
 * <p>Where the reference pairs silently, this scorer warns: answers and labels of different counts, and chunk files
 * whose name order (which the reference uses, so {@code 10_of_11} reads before {@code 2_of_11}) is not their chunk
 * order. Where the reference divides by zero, this scorer says which metric is undefined.
 */
final class PopeScorer {
    private static final Set<String> NEGATIVE_WORDS = Set.of("No", "not", "no");

    private PopeScorer() {
    }

    /** Scores the answers against the annotation lines ({@code label}). */
    static Result score(List<JsonLine> answers, List<JsonLine> annotations, Consumer<String> warnings) {
        if (answers.isEmpty()) {
            throw new IllegalArgumentException("no answers to score");
        }
        List<Boolean> labels = new ArrayList<>();
        for (JsonLine a : annotations) {
            JsonNode label = a.field("label");
            labels.add(!(label.isTextual() && label.asText().equals("no")));
        }
        if (answers.size() != labels.size()) {
            warnings.accept(answers.size() + " answers for " + labels.size() + " annotation lines: only the first "
                    + Math.min(answers.size(), labels.size()) + " are paired (by position) and scored, as in the"
                    + " reference; the yes ratio counts all answers");
        }
        int tp = 0;
        int fp = 0;
        int tn = 0;
        int fn = 0;
        int yes = 0;
        for (int i = 0; i < answers.size(); i++) {
            boolean saidYes = isYes(answers.get(i).text("answer"));
            yes += saidYes ? 1 : 0;
            if (i < labels.size()) {
                boolean positive = labels.get(i);
                tp += saidYes && positive ? 1 : 0;
                fp += saidYes && !positive ? 1 : 0;
                tn += !saidYes && !positive ? 1 : 0;
                fn += !saidYes && positive ? 1 : 0;
            }
        }
        return new Result(tp, fp, tn, fn, yes, answers.size());
    }

    /** The reference's parsing of one answer. */
    static boolean isYes(String answer) {
        int dot = answer.indexOf('.');
        String firstSentence = dot >= 0 ? answer.substring(0, dot) : answer;
        for (String word : firstSentence.replace(",", "").split(" ", -1)) {
            if (NEGATIVE_WORDS.contains(word)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The confusion counts (yes is positive), the number of yes answers and of all answers.
     */
    record Result(int tp, int fp, int tn, int fn, int yes, int answers) {

        /** TP / (TP + FP). */
        double precision() {
            return divide(tp, tp + fp, "precision: no paired answer is yes (TP + FP = 0)");
        }

        /** TP / (TP + FN). */
        double recall() {
            return divide(tp, tp + fn, "recall: no paired label is positive (TP + FN = 0)");
        }

        /** 2PR / (P + R). */
        double f1() {
            double p = precision();
            double r = recall();
            if (p + r == 0) {
                throw new IllegalArgumentException("F1 score: precision and recall are both 0 (TP = 0)");
            }
            return 2 * p * r / (p + r);
        }

        /** (TP + TN) / all paired answers. */
        double accuracy() {
            return divide(tp + tn, tp + tn + fp + fn, "accuracy: no answer is paired with a label");
        }

        /** Yes answers over all answers. */
        double yesRatio() {
            return (double) yes / answers;
        }

        private static double divide(int a, int b, String undefined) {
            if (b == 0) {
                throw new IllegalArgumentException("undefined " + undefined + "; the reference scorer divides by zero");
            }
            return (double) a / b;
        }

        /** The reference's {@code metric.json}: its five keys. */
        ObjectNode metricJson() {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            root.put("Accuracy", accuracy());
            root.put("Precision", precision());
            root.put("Recall", recall());
            root.put("F1 score", f1());
            root.put("Yes ratio", yesRatio());
            return root;
        }

        /** The lines the reference prints. */
        List<String> referenceLines() {
            return List.of("TP\tFP\tTN\tFN\t", tp + "\t" + fp + "\t" + tn + "\t" + fn,
                    "Accuracy: " + PythonFloat.repr(accuracy()), "Precision: " + PythonFloat.repr(precision()),
                    "Recall: " + PythonFloat.repr(recall()), "F1 score: " + PythonFloat.repr(f1()),
                    "Yes ratio: " + PythonFloat.repr(yesRatio()));
        }
    }
}
