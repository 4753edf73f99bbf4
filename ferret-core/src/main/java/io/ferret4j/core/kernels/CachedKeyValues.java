package io.ferret4j.core.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One layer's cached keys and values, post-RoPE, one block of rows per key/value head, read by
 * {@link CausalAttention} either as FLOAT arrays or copied head by head into Java scratch.
 */
public interface CachedKeyValues {

    /** Keys for positions {@code [0, upTo)} in fp32: {@code [kvHeads, upTo, headDim]}. */
    INDArray keys(int upTo);

    /** Values for positions {@code [0, upTo)} in fp32: {@code [kvHeads, upTo, headDim]}. */
    INDArray values(int upTo);

    /** Copies head {@code head}'s keys for positions {@code [0, upTo)} into {@code dst [upTo · headDim]}. */
    void copyKeys(int head, int upTo, float[] dst);

    /** Copies head {@code head}'s values for positions {@code [0, upTo)} into {@code dst [upTo · headDim]}. */
    void copyValues(int head, int upTo, float[] dst);
}
