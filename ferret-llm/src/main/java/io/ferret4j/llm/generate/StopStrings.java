package io.ferret4j.llm.generate;

import java.util.List;
import java.util.function.Consumer;

/**
 * Watches streamed text for stop strings (OpenAI's {@code stop}): text is passed on only once no stop string can
 * start inside it, and nothing from the first stop string on is ever passed on. One instance per answer; not
 * thread-safe.
 */
public final class StopStrings {
    private final List<String> stops;
    private final Consumer<String> downstream;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    /** Filters text on its way to {@code downstream}. */
    public StopStrings(List<String> stops, Consumer<String> downstream) {
        this.stops = List.copyOf(stops);
        this.downstream = downstream;
    }

    /** Takes the next piece of text; returns {@code false} once a stop string has been seen. */
    public boolean accept(String piece) {
        if (stopped) {
            return false;
        }
        if (stops.isEmpty()) {                                 // nothing to watch for: pass the text straight on
            if (!piece.isEmpty()) {
                downstream.accept(piece);
            }
            return true;
        }
        held.append(piece);
        int at = firstStop(held);
        if (at >= 0) {
            stopped = true;
            release(at);
            return false;
        }
        release(held.length() - longestPartialStop(held));
        return true;
    }

    /** Releases the text still held, which no stop string completed. */
    public void finish() {
        if (!stopped) {
            release(held.length());
        }
    }

    /** Whether a stop string has been seen. */
    public boolean stopped() {
        return stopped;
    }

    /** {@code text} cut before the first stop string it contains, or whole. */
    public static String cut(String text, List<String> stops) {
        int at = firstStop(text, stops);
        return at < 0 ? text : text.substring(0, at);
    }

    private int firstStop(CharSequence text) {
        return firstStop(text, stops);
    }

    private static int firstStop(CharSequence text, List<String> stops) {
        String s = text.toString();
        int first = -1;
        for (String stop : stops) {
            int at = s.indexOf(stop);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        return first;
    }

    /** The length of the longest suffix of {@code text} that is a proper prefix of a stop string. */
    private int longestPartialStop(CharSequence text) {
        int longest = 0;
        for (String stop : stops) {
            for (int n = Math.min(stop.length() - 1, text.length()); n > longest; n--) {
                if (stop.regionMatches(0, text.toString(), text.length() - n, n)) {
                    longest = n;
                    break;
                }
            }
        }
        return longest;
    }

    private void release(int length) {
        if (length > 0) {
            downstream.accept(held.substring(0, length));
            held.delete(0, length);
        }
    }
}
