package io.ferret4j.examples.eval;

import java.util.Locale;

import io.ferret4j.llm.tokenizer.PythonStrings;

/**
 * The reference scorers' {@code are_phrases_similar}: lower-case, one space after each of {@code ' " , . ; ! ? | :}
 * (none before), drop every character that is neither a word character nor whitespace, collapse whitespace, and
 * compare. So {@code "the man's son"} reads {@code "the man s son"} and {@code "a t-shirt"} reads
 * {@code "a tshirt"}.
 */
final class PhraseMatch {
    private static final String SPACED_PUNCTUATION = "'\",.;!?|:";

    private PhraseMatch() {
    }

    /** Whether the two phrases are the same after normalisation. */
    static boolean similar(String phrase1, String phrase2) {
        return normalize(phrase1).equals(normalize(phrase2));
    }

    /** The normalised form both phrases are compared in. */
    static String normalize(String phrase) {
        int[] cps = phrase.toLowerCase(Locale.ROOT).codePoints().toArray();
        StringBuilder spaced = new StringBuilder();
        int i = 0;
        while (i < cps.length) {
            int j = skipSpaces(cps, i);
            if (j < cps.length && SPACED_PUNCTUATION.indexOf(cps[j]) >= 0) {
                spaced.appendCodePoint(cps[j]).append(' ');
                i = skipSpaces(cps, j + 1);
            } else {
                spaced.appendCodePoint(cps[i]);
                i++;
            }
        }
        StringBuilder kept = new StringBuilder();
        spaced.codePoints().filter(c -> PythonText.isWord(c) || PythonStrings.isSpace(c)).forEach(kept::appendCodePoint);
        return String.join(" ", PythonText.splitWhitespace(kept.toString()));
    }

    private static int skipSpaces(int[] cps, int from) {
        int j = from;
        while (j < cps.length && PythonStrings.isSpace(cps[j])) {
            j++;
        }
        return j;
    }
}
