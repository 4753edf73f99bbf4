package io.ferret4j.examples.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import io.ferret4j.llm.tokenizer.PythonStrings;

/**
 * The boxes of a model answer as the reference's refexp and Flickr scorers read them
 * ({@code decode_bbox_from_caption}): each {@code [x1, y1, x2, y2]} on the 1000-grid, rescaled to pixels, with the
 * entity written before it.
 *
 * <p>The scan is character by character: {@code [} ends the entity (the text since the current start, stripped),
 * {@code ]} parses everything since the start as comma-separated integers, and the start then moves past the next
 * {@code . , ; ! ?}. A {@code ]} without {@code [} parses from the current start; extra numbers are ignored.
 *
 * @param entities the entity before each box
 * @param boxes    each box in pixels, {@code int(v * (size / 1000))} computed in float64 as the reference does
 */
record CaptionBoxes(List<String> entities, List<long[]> boxes) {
    private static final int VOCAB_IMAGE_SIZE = 1000;
    private static final String DELIMITERS = ".,;!?";

    /** Empty: what the scorers use when an answer has an unparsable box. */
    static CaptionBoxes none() {
        return new CaptionBoxes(List.of(), List.of());
    }

    /**
     * Decodes {@code text} for an image of {@code width}×{@code height} pixels.
     *
     * @throws UnparsableBox if a box holds something {@code int()} rejects: the reference then drops every box
     *                       of the answer
     * @throws IllegalArgumentException if a box has fewer than 4 numbers (the reference crashes there)
     */
    static CaptionBoxes decode(String text, double width, double height) {
        int[] cps = text.codePoints().toArray();
        List<String> entities = new ArrayList<>();
        List<long[]> boxes = new ArrayList<>();
        int start = 0;
        String entity = "";
        for (int i = 0; i < cps.length; i++) {
            if (cps[i] == '[') {
                entity = PythonStrings.strip(substring(cps, start, i));
                start = i + 1;
            } else if (cps[i] == ']') {
                String box = PythonStrings.strip(substring(cps, start, i));
                start = i + 1;
                boxes.add(resize(parse(box), width, height));
                entities.add(entity);
                while (start < cps.length && DELIMITERS.indexOf(cps[start]) < 0) {
                    start++;
                }
                start++;
            }
        }
        return new CaptionBoxes(List.copyOf(entities), List.copyOf(boxes));
    }

    private static String substring(int[] cps, int from, int to) {
        return from >= to ? "" : new String(cps, from, to - from);
    }

    private static long[] parse(String box) {
        List<String> parts = List.of(box.split(",", -1));
        long[] values = new long[parts.size()];
        for (int i = 0; i < values.length; i++) {
            OptionalLong v = PythonText.parseInt(parts.get(i));
            if (v.isEmpty()) {
                throw new UnparsableBox("[" + box + "]");
            }
            values[i] = v.getAsLong();
        }
        if (values.length < 4) {
            throw new IllegalArgumentException("box [" + box + "] has " + values.length
                    + " number(s), expected 4 (the reference scorer crashes here with IndexError)");
        }
        return values;
    }

    private static long[] resize(long[] box, double width, double height) {
        double ratioW = width * 1.0 / VOCAB_IMAGE_SIZE;
        double ratioH = height * 1.0 / VOCAB_IMAGE_SIZE;
        return new long[] {(long) (box[0] * ratioW), (long) (box[1] * ratioH), (long) (box[2] * ratioW),
                (long) (box[3] * ratioH)};
    }

    /** A box the reference's {@code int()} rejects ({@code [0.5, ...]}, {@code []}, {@code [abc]}). */
    static final class UnparsableBox extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnparsableBox(String box) {
            super("unparsable box " + box);
        }
    }
}
