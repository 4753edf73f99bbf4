package io.ferret4j.llm.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the boxes {@code [x1, y1, x2, y2]} and points {@code [x, y]} that Ferret writes on its 1000×1000 grid,
 * each with the phrase it belongs to. Brackets that are not two or four integers in {@code [0, 1000]}
 * (unbalanced, decimals, words, out of range) are not groundings and stay plain text; parsing never fails.
 *
 * <p>The phrase of a bracket is the text since the previous bracket or sentence punctuation ({@code .;!?}),
 * trimmed; consecutive brackets share one phrase, as in {@code "two cups [1, 2, 3, 4] [5, 6, 7, 8]"}.
 */
public final class GroundingParser {
    /** Integers separated by a comma and optional spaces, as the model writes them. */
    private static final Pattern BRACKET = Pattern.compile("\\[\\s*(\\d{1,4})\\s*,\\s*(\\d{1,4})"
            + "(?:\\s*,\\s*(\\d{1,4})\\s*,\\s*(\\d{1,4}))?\\s*]");
    /** The largest coordinate the model may write (grid values are 0..999; 1000 occurs at the far edge). */
    public static final int MAX_COORDINATE = 1000;

    private GroundingParser() {
    }

    /**
     * A bracket found in the text.
     *
     * @param phrase the text it belongs to (may be empty)
     * @param coords 2 (point) or 4 (box) grid coordinates
     * @param start index of {@code '['} in the text
     * @param end index just past {@code ']'}
     */
    public record Mention(String phrase, int[] coords, int start, int end) {
    }

    /** Every well-formed grid point or box in {@code text}, in order. */
    public static List<Mention> parse(String text) {
        List<Mention> out = new ArrayList<>();
        Matcher m = BRACKET.matcher(text);
        int phraseStart = 0;
        String phrase = "";
        int lastEnd = -1;
        while (m.find()) {
            int[] coords = coordinates(m);
            if (coords == null) {
                continue;
            }
            boolean continuesGroup = lastEnd >= 0 && text.substring(lastEnd, m.start()).isBlank();
            if (!continuesGroup) {
                phrase = text.substring(afterLastBreak(text, phraseStart, m.start()), m.start()).strip();
            }
            out.add(new Mention(phrase, coords, m.start(), m.end()));
            lastEnd = m.end();
            phraseStart = m.end();
        }
        return out;
    }

    private static int[] coordinates(Matcher m) {
        int n = m.group(3) == null ? 2 : 4;
        int[] c = new int[n];
        for (int i = 0; i < n; i++) {
            c[i] = Integer.parseInt(m.group(i + 1));
            if (c[i] > MAX_COORDINATE) {
                return null;
            }
        }
        if (n == 4 && (c[2] < c[0] || c[3] < c[1])) {
            return null;
        }
        return c;
    }

    private static int afterLastBreak(String text, int from, int to) {
        int start = from;
        for (int i = from; i < to; i++) {
            char ch = text.charAt(i);
            if (ch == '.' || ch == ';' || ch == '!' || ch == '?' || ch == '\n') {
                start = i + 1;
            }
        }
        return start;
    }
}
