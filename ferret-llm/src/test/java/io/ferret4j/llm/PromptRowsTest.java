package io.ferret4j.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferret4j.llm.tokenizer.LlamaTokenizer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

final class PromptRowsTest {
    private static final int REGION = 99;
    private static final int IMAGE = LlamaTokenizer.IMAGE_TOKEN_INDEX;

    @Test
    void textRowsCompareByIdAndSplicedRowsByTheirValues() {
        int[] ids = {1, 5, IMAGE, 7, REGION, 8};                       // 3 image rows: 8 rows in all
        INDArray embeds = Nd4j.rand(8, 4);
        PromptRows rows = PromptRows.of(ids, embeds, REGION);

        INDArray otherText = embeds.dup();
        otherText.putScalar(0, 0, 42f);                                // a text row's values do not count
        assertThat(rows.length()).isEqualTo(8);
        assertThat(rows.commonPrefix(PromptRows.of(ids, otherText, REGION))).isEqualTo(8);

        INDArray otherImage = embeds.dup();
        otherImage.putScalar(3, 1, otherImage.getFloat(3, 1) + 1e-6f); // the second image row
        assertThat(rows.commonPrefix(PromptRows.of(ids, otherImage, REGION))).isEqualTo(3);

        INDArray otherRegion = embeds.dup();
        otherRegion.putScalar(6, 2, -1f);                              // the region row
        assertThat(rows.commonPrefix(PromptRows.of(ids, otherRegion, REGION))).isEqualTo(6);

        int[] otherIds = {1, 5, IMAGE, 7, REGION, 9};
        assertThat(rows.commonPrefix(PromptRows.of(otherIds, embeds, REGION))).isEqualTo(7);
    }

    @Test
    void generatedIdsExtendThePromptAsTextRows() {
        int[] ids = {1, IMAGE, 7};
        INDArray embeds = Nd4j.rand(4, 4);
        PromptRows answered = PromptRows.of(ids, embeds, REGION).followedBy(new int[] {30, 31});
        PromptRows next = PromptRows.of(new int[] {1, IMAGE, 7, 30, 32}, Nd4j.concat(0, embeds, Nd4j.rand(2, 4)),
                REGION);

        assertThat(answered.length()).isEqualTo(6);
        assertThat(answered.commonPrefix(next)).isEqualTo(5);
        assertThat(next.commonPrefix(answered)).isEqualTo(5);
    }
}
