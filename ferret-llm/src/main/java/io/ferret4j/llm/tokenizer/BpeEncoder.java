package io.ferret4j.llm.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.stream.IntStream;

/**
 * sentencepiece's encoder for a BPE model with the identity normalizer ({@code sp.encode(text)}, no BOS/EOS):
 * prepend the dummy-prefix {@code ▁}, turn every space into {@code ▁}, split into code points, then repeatedly
 * merge the adjacent pair whose concatenation is a piece with the highest score (leftmost pair on ties) until
 * no pair is a piece. A remaining symbol that is not a piece becomes its UTF-8 bytes as {@code <0xNN>} pieces.
 * This follows {@code bpe_model.cc}: a doubly linked list of symbols and a priority queue of candidate pairs,
 * with stale pairs skipped when popped, so encoding is O(n log n). Stateless; safe to share between threads.
 */
final class BpeEncoder {
    private static final char SPACE_SYMBOL = SentencePieceModel.SPACE_SYMBOL.charAt(0);

    /** Highest score first; on equal scores the leftmost pair, as sentencepiece's {@code SymbolPairComparator}. */
    private static final Comparator<Pair> AGENDA_ORDER = (a, b) ->
            a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left);

    private final SentencePieceModel model;

    BpeEncoder(SentencePieceModel model) {
        this.model = model;
    }

    /**
     * The piece ids of one chunk of text.
     *
     * @throws IllegalArgumentException if the text holds an unpaired surrogate (it has no UTF-8 form)
     */
    int[] encode(String text) {
        if (text.isEmpty()) {
            return new int[0];
        }
        requireWellFormed(text);
        String escaped = text.replace(' ', SPACE_SYMBOL);
        String normalized = model.addDummyPrefix() ? SPACE_SYMBOL + escaped : escaped;
        return new Merge(normalized).run();
    }

    private static void requireWellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(String.format(
                        "text has an unpaired surrogate U+%04X at index %d; it cannot be encoded as UTF-8", (int) c, i));
            }
        }
    }

    /** A candidate merge of symbols {@code left} and {@code right}, whose concatenation is {@code length} chars. */
    private record Pair(int left, int right, float score, int length) {
    }

    /** The state of one encode call: symbols are char ranges of {@code text} linked left to right. */
    private final class Merge {
        private final String text;
        private final int[] start;
        private final int[] end;
        private final int[] prev;
        private final int[] next;
        private final boolean[] frozen;
        private final PriorityQueue<Pair> agenda = new PriorityQueue<>(AGENDA_ORDER);
        /** For merges into UNUSED pieces: the two halves, to split such a piece back ({@code rev_merge}). */
        private final Map<String, String[]> reverseMerges = new HashMap<>();

        Merge(String text) {
            this.text = text;
            int n = text.length();
            start = new int[n];
            end = new int[n];
            prev = new int[n];
            next = new int[n];
            frozen = new boolean[n];
            int count = 0;
            for (int i = 0; i < n; count++) {
                int userDefined = model.userDefinedPrefixLength(text, i);
                int length = userDefined > 0 ? userDefined : Character.charCount(text.codePointAt(i));
                start[count] = i;
                end[count] = i + length;
                frozen[count] = userDefined > 0;
                prev[count] = count - 1;
                i += length;
                next[count] = i < n ? count + 1 : -1;
            }
            for (int s = 1; s < count; s++) {
                maybeAddPair(s - 1, s);
            }
        }

        int[] run() {
            while (!agenda.isEmpty()) {
                Pair top = agenda.poll();
                int leftLength = end[top.left] - start[top.left];
                int rightLength = end[top.right] - start[top.right];
                // Skip pairs made stale by an earlier merge of either symbol.
                if (leftLength == 0 || rightLength == 0 || leftLength + rightLength != top.length) {
                    continue;
                }
                end[top.left] = end[top.right];
                next[top.left] = next[top.right];
                if (next[top.right] >= 0) {
                    prev[next[top.right]] = top.left;
                }
                start[top.right] = end[top.right];
                maybeAddPair(prev[top.left], top.left);
                maybeAddPair(top.left, next[top.left]);
            }
            IntStream.Builder ids = IntStream.builder();
            for (int s = 0; s != -1; s = next[s]) {
                emit(text.substring(start[s], end[s]), ids);
            }
            return ids.build().toArray();
        }

        private void maybeAddPair(int left, int right) {
            if (left < 0 || right < 0 || frozen[left] || frozen[right]) {
                return;
            }
            String piece = text.substring(start[left], end[right]);
            int id = model.mergeableId(piece);
            if (id < 0) {
                return;
            }
            agenda.add(new Pair(left, right, model.score(id), piece.length()));
            if (model.type(id) == SentencePieceModel.PieceType.UNUSED) {
                reverseMerges.put(piece, new String[] {text.substring(start[left], end[left]),
                        text.substring(start[right], end[right])});
            }
        }

        /** Appends the id(s) of a final symbol: UNUSED pieces are split back, unknown ones become bytes. */
        private void emit(String symbol, IntStream.Builder ids) {
            int id = model.pieceToId(symbol);
            String[] halves = reverseMerges.get(symbol);
            if (model.type(id) == SentencePieceModel.PieceType.UNUSED && halves != null) {
                emit(halves[0], ids);
                emit(halves[1], ids);
            } else if (id == model.unkId()) {
                for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
                    ids.add(model.byteId(b & 0xFF));
                }
            } else {
                ids.add(id);
            }
        }
    }
}
