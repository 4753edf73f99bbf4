package io.ferret4j.llm.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The Python {@code str} operations the reference tokenizer code applies to prompts, with Python's exact
 * semantics where Java's differ: {@code strip} uses {@code str.isspace} (which counts U+00A0, U+2007 and U+202F,
 * unlike {@link Character#isWhitespace}), and {@code split} keeps empty trailing parts. The evaluation scorers use
 * {@link #isSpace} and {@link #strip} too, as the reference's do.
 */
public final class PythonStrings {
    private PythonStrings() {
    }

    /** Python's {@code str.isspace} for one code point (all such code points are in the BMP). */
    public static boolean isSpace(int c) {
        return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
                || c == 0x3000;
    }

    static String lstrip(String s) {
        int i = 0;
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        return s.substring(i);
    }

    static String rstrip(String s) {
        int i = s.length();
        while (i > 0 && isSpace(s.charAt(i - 1))) {
            i--;
        }
        return s.substring(0, i);
    }

    /** Python's {@code s.strip()}. */
    public static String strip(String s) {
        return lstrip(rstrip(s));
    }

    /** {@code s.split(separator)}: every part, empty ones included ({@code "a<x>".split("<x>") == ["a", ""]}). */
    static List<String> split(String s, String separator) {
        List<String> parts = new ArrayList<>();
        int from = 0;
        for (int at = s.indexOf(separator); at >= 0; at = s.indexOf(separator, from)) {
            parts.add(s.substring(from, at));
            from = at + separator.length();
        }
        parts.add(s.substring(from));
        return parts;
    }
}
