package io.ferret4j.examples.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import io.ferret4j.llm.tokenizer.PythonStrings;

/**
 * The Python {@code str} semantics the reference scorers rely on, where Java's differ, beside
 * {@link PythonStrings}' {@code str.isspace} and {@code strip}: word characters are those of {@code re}'s {@code \w}
 * (letters, numbers of every kind, {@code _}), strings are indexed by code point, and {@code int()} accepts
 * surrounding whitespace, a sign and {@code _} between digits.
 */
final class PythonText {
    private PythonText() {
    }

    /** Whether {@code re}'s {@code \w} matches the code point: {@code str.isalnum()} or {@code _}. */
    static boolean isWord(int c) {
        int type = Character.getType(c);
        return c == '_' || Character.isLetter(c) || type == Character.DECIMAL_DIGIT_NUMBER
                || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }

    /** Python's {@code s.split()}: the non-empty runs between whitespace. */
    static List<String> splitWhitespace(String s) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (PythonStrings.isSpace(c)) {
                if (!word.isEmpty()) {
                    words.add(word.toString());
                    word.setLength(0);
                }
            } else {
                word.appendCodePoint(c);
            }
        });
        if (!word.isEmpty()) {
            words.add(word.toString());
        }
        return words;
    }

    /**
     * Python's {@code s[start:end]} on code points, with its clamping and negative indices.
     */
    static String slice(String s, int start, int end) {
        int[] cps = s.codePoints().toArray();
        int from = clampIndex(start, cps.length);
        int to = clampIndex(end, cps.length);
        return to <= from ? "" : new String(cps, from, to - from);
    }

    private static int clampIndex(int index, int length) {
        int i = index < 0 ? index + length : index;
        return Math.max(0, Math.min(length, i));
    }

    /**
     * Python's {@code int(s)} for a base-10 string: surrounding whitespace, an optional sign, digits (any Unicode
     * decimal digit) with single {@code _} between them. Empty when Python would raise ValueError, or when the value
     * does not fit a {@code long} (Python's would; no box coordinate is that large).
     */
    static OptionalLong parseInt(String s) {
        int[] cps = PythonStrings.strip(s).codePoints().toArray();
        int i = 0;
        boolean negative = false;
        if (i < cps.length && (cps[i] == '+' || cps[i] == '-')) {
            negative = cps[i] == '-';
            i++;
        }
        if (i == cps.length) {
            return OptionalLong.empty();
        }
        long value = 0;
        boolean lastWasDigit = false;
        for (; i < cps.length; i++) {
            int digit = Character.getType(cps[i]) == Character.DECIMAL_DIGIT_NUMBER ? Character.digit(cps[i], 10) : -1;
            if (digit >= 0) {
                if (value > (Long.MAX_VALUE - digit) / 10) {
                    return OptionalLong.empty();
                }
                value = value * 10 + digit;
                lastWasDigit = true;
            } else if (cps[i] == '_' && lastWasDigit && i + 1 < cps.length) {
                lastWasDigit = false;
            } else {
                return OptionalLong.empty();
            }
        }
        return lastWasDigit ? OptionalLong.of(negative ? -value : value) : OptionalLong.empty();
    }
}
