package io.ferret4j.llm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.ferret4j.llm.tokenizer.LlamaTokenizer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ml-ferret's {@code prepare_inputs_labels_for_multimodal} for one conversation: the single {@code -200}
 * placeholder is replaced by the projected image rows, and the k-th {@code <region_fea>} token's embedding row
 * by the k-th region vector. Everything else is the ordinary token embedding.
 */
public final class MultimodalSplice {
    private MultimodalSplice() {
    }

    /**
     * Builds the decoder input rows.
     *
     * @param inputIds      prompt ids with exactly one {@link LlamaTokenizer#IMAGE_TOKEN_INDEX}
     * @param imageRows     {@code [P, hidden]} projected image features
     * @param regionRows    {@code [R, hidden]} region vectors ({@code R} may be 0)
     * @param regionTokenId id of {@code <region_fea>}
     * @return {@code [T − 1 + P, hidden]}
     * @throws IllegalArgumentException if the image placeholder is missing or repeated, a region token precedes
     *         the image, or the number of region tokens differs from {@code R}
     */
    public static INDArray inputsEmbeds(LlamaDecoder decoder, int[] inputIds, INDArray imageRows,
                                        INDArray regionRows, int regionTokenId) {
        int image = imagePosition(inputIds);
        int[] before = Arrays.copyOfRange(inputIds, 0, image);
        int[] after = Arrays.copyOfRange(inputIds, image + 1, inputIds.length);
        checkRegions(before, after, regionRows.size(0), regionTokenId);
        List<INDArray> parts = new ArrayList<>(3);
        if (before.length > 0) {
            parts.add(decoder.embed(before));                          // [|T0|, hidden]
        }
        parts.add(imageRows);                                          // [P, hidden]
        if (after.length > 0) {
            INDArray tail = decoder.embed(after);                      // [|T1|, hidden], a fresh copy
            int k = 0;
            for (int i = 0; i < after.length; i++) {
                if (after[i] == regionTokenId) {
                    tail.putRow(i, regionRows.getRow(k++));
                }
            }
            parts.add(tail);
        }
        return Nd4j.concat(0, parts.toArray(INDArray[]::new));
    }

    private static int imagePosition(int[] ids) {
        int position = -1;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == LlamaTokenizer.IMAGE_TOKEN_INDEX) {
                if (position >= 0) {
                    throw new IllegalArgumentException("the prompt holds more than one image placeholder ("
                            + LlamaTokenizer.IMAGE_TOKEN_INDEX + ") at positions " + position + " and " + i + "; Ferret takes one image");
                }
                position = i;
            }
        }
        if (position < 0) {
            throw new IllegalArgumentException("the prompt has no image placeholder (" + LlamaTokenizer.IMAGE_TOKEN_INDEX + ")");
        }
        return position;
    }

    private static void checkRegions(int[] before, int[] after, long regions, int regionTokenId) {
        if (Arrays.stream(before).anyMatch(id -> id == regionTokenId)) {
            throw new IllegalArgumentException("a <region_fea> token comes before the image; regions must follow it");
        }
        long tokens = Arrays.stream(after).filter(id -> id == regionTokenId).count();
        if (tokens != regions) {
            throw new IllegalArgumentException("the prompt has " + tokens + " <region_fea> token(s) but " + regions
                    + " region vector(s) were given");
        }
    }
}
