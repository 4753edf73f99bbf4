package io.ferret4j.llm;

import static io.ferret4j.core.testing.TensorAssert.assertClose;
import static io.ferret4j.llm.TinyLlama.ATOL;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every {@link LlamaDecoderTest} on the ND4J engine (HF's hidden states, logits and cached decode steps within 1e-4,
 * the golden greedy ids), and the ND4J engine against the Java engine on the same rows.
 */
final class LlamaDecoderNd4jTest extends LlamaDecoderTest {

    @Override
    LlamaDecoder decoderUnderTest() {
        return TinyLlama.nd4jDecoder();
    }

    @Test
    void decodesTheSameLogitsAsTheJavaEngine() {
        int[] ids = TinyLlama.goldenInts("input_ids");
        LlamaDecoder java = TinyLlama.decoder();
        LlamaDecoder nd4j = TinyLlama.nd4jDecoder();
        KvCache javaCache = java.newCache(ids.length + 1);
        KvCache nd4jCache = nd4j.newCache(ids.length + 1);
        java.forward(ids, javaCache);
        nd4j.forward(ids, nd4jCache);

        INDArray javaNext = java.logits(java.forward(new int[] {ids[3]}, javaCache));
        INDArray nd4jNext = nd4j.logits(nd4j.forward(new int[] {ids[3]}, nd4jCache));

        assertClose(javaNext, nd4jNext, ATOL, 0);
        assertThat(Arrays.equals(javaNext.toFloatVector(), nd4jNext.toFloatVector()))
                .as("a single row: Java kernels against ND4J's batched attention").isFalse();
    }
}
