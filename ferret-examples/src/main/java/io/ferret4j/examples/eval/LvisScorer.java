package io.ferret4j.examples.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferret4j.llm.tokenizer.PythonStrings;

/**
 * LVIS referring-classification accuracy, exactly as the reference's {@code eval_lvis.py} computes it: an answer is
 * correct if the category name or a synonym ({@code _} read as a space; {@code a_(b)} gives both {@code a} and
 * {@code b}) is a case-sensitive substring of the answer after removing every {@code "<space>not...[,.]"} and then
 * every {@code "<space>no...[,.]"} (no word boundary: {@code " nose."} goes too).
 *
 * <p>A synonym whose part is empty (such as {@code "(stuffed_toy)"}) matches every answer; it is counted as the
 * reference counts it, with a warning naming the line.
 */
final class LvisScorer {
    /** Python's {@code \s} is {@code str.isspace}, which also counts U+001C–U+001F. */
    private static final String SPACE = "[\\s\\x1c-\\x1f]";
    private static final Pattern NOT = Pattern.compile(SPACE + "+not[^,.]*[,.]", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern NO = Pattern.compile(SPACE + "+no[^,.]*[,.]", Pattern.UNICODE_CHARACTER_CLASS);

    private LvisScorer() {
    }

    /**
     * Scores the prediction lines ({@code text}, {@code name}, {@code synonyms}).
     *
     * @throws IllegalArgumentException for no lines at all, or a synonym with a {@code (} but not exactly one
     *         {@code (} and a {@code )} (the reference fails an assertion there)
     */
    static Result score(List<JsonLine> predictions, Consumer<String> warnings) {
        if (predictions.isEmpty()) {
            throw new IllegalArgumentException("no prediction lines to score");
        }
        int correct = 0;
        for (JsonLine p : predictions) {
            correct += isCorrect(p, warnings) ? 1 : 0;
        }
        return new Result(correct, predictions.size());
    }

    /** Whether one line's answer names its category, by the reference's rule. */
    static boolean isCorrect(JsonLine p, Consumer<String> warnings) {
        String name = PythonStrings.strip(p.text("name").replace('_', ' '));
        List<String> synonyms = synonyms(p, warnings);
        String text = withoutNegations(p.text("text"));
        return text.contains(name) || synonyms.stream().anyMatch(text::contains);
    }

    /** {@code remove_not_phrases_v2}. */
    static String withoutNegations(String text) {
        return NO.matcher(NOT.matcher(text).replaceAll("")).replaceAll("");
    }

    private static List<String> synonyms(JsonLine p, Consumer<String> warnings) {
        JsonNode raw = p.field("synonyms");
        if (!raw.isArray()) {
            throw new IllegalArgumentException(p.where() + ": \"synonyms\" must be a list, found " + raw);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode node : raw) {
            String synonym = node.asText();
            if (synonym.contains("(")) {
                String[] parts = synonym.split("\\(", -1);
                if (!synonym.contains(")") || parts.length != 2) {
                    throw new IllegalArgumentException(p.where() + ": synonym '" + synonym + "' must hold exactly one"
                            + " '(' and a ')' (the reference scorer fails an assertion here)");
                }
                out.add(PythonStrings.strip(parts[0].replace('_', ' ')));
                out.add(PythonStrings.strip(parts[1].replace('_', ' ').replace(")", "")));
            } else {
                out.add(PythonStrings.strip(synonym.replace('_', ' ')));
            }
        }
        if (out.contains("")) {
            warnings.accept(p.where() + ": a synonym in " + raw + " reads as the empty string, which the reference"
                    + " finds in every answer (counted correct as the reference does)");
        }
        return out;
    }

    /**
     * The accuracy in percent (as the reference prints it and the paper reports it), with its counts.
     */
    record Result(int correct, int total) {

        /** {@code correct / total * 100}, in the reference's float operations. */
        double accuracy() {
            return (double) correct / total * 100;
        }

        /** {@code {"accuracy", "correct", "total"}} (the reference writes no metric file). */
        ObjectNode metricJson() {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            root.put("accuracy", accuracy());
            root.put("correct", correct);
            root.put("total", total);
            return root;
        }

        /** The line the reference prints. */
        List<String> referenceLines() {
            return List.of("Acc:" + new BigDecimal(accuracy()).setScale(3, RoundingMode.HALF_EVEN).toPlainString() + "%");
        }
    }
}
