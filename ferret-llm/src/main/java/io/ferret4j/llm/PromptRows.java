package io.ferret4j.llm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import io.ferret4j.llm.tokenizer.LlamaTokenizer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What each decoder input row of a prompt carries, so that two prompts can be compared row by row: a text row is
 * its token id, and a spliced row (an image or a region row) is its placeholder id and the SHA-256 of its values.
 * Two rows are the same only if both are; a position's keys and values depend only on the rows up to it, so the
 * rows of a common prefix have the same keys and values. Immutable.
 */
final class PromptRows {
    private final int[] ids;                                           // per row
    private final byte[][] digests;                                    // per row; null for a text row

    private PromptRows(int[] ids, byte[][] digests) {
        this.ids = ids;
        this.digests = digests;
    }

    /**
     * The rows of a spliced prompt: {@code inputIds} with one image placeholder, which stands for the image rows,
     * and {@code regionTokenId} tokens, which stand for region rows; {@code inputsEmbeds} holds every row.
     */
    static PromptRows of(int[] inputIds, INDArray inputsEmbeds, int regionTokenId) {   // [T, hidden]
        int rows = (int) inputsEmbeds.size(0);
        int hidden = (int) inputsEmbeds.size(1);
        int imageRows = rows - (inputIds.length - 1);
        float[] values = inputsEmbeds.dup('c').data().asFloat();
        int[] ids = new int[rows];
        byte[][] digests = new byte[rows][];
        int row = 0;
        for (int id : inputIds) {
            int span = id == LlamaTokenizer.IMAGE_TOKEN_INDEX ? imageRows : 1;
            for (int i = 0; i < span; i++, row++) {
                ids[row] = id;
                if (id == LlamaTokenizer.IMAGE_TOKEN_INDEX || id == regionTokenId) {
                    digests[row] = digest(values, row * hidden, hidden);
                }
            }
        }
        return new PromptRows(ids, digests);
    }

    /** These rows followed by text rows of {@code tokenIds} (an answer's generated ids). */
    PromptRows followedBy(int[] tokenIds) {
        int[] moreIds = Arrays.copyOf(ids, ids.length + tokenIds.length);
        System.arraycopy(tokenIds, 0, moreIds, ids.length, tokenIds.length);
        return new PromptRows(moreIds, Arrays.copyOf(digests, moreIds.length));
    }

    /** The number of rows. */
    int length() {
        return ids.length;
    }

    /** How many leading rows this and {@code other} have in common. */
    int commonPrefix(PromptRows other) {
        int n = Math.min(ids.length, other.ids.length);
        for (int i = 0; i < n; i++) {
            if (ids[i] != other.ids[i] || !Arrays.equals(digests[i], other.digests[i])) {
                return i;
            }
        }
        return n;
    }

    private static byte[] digest(float[] values, int from, int count) {
        ByteBuffer bytes = ByteBuffer.allocate(count * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values, from, count);
        return Sha256.of(bytes.array());
    }
}
