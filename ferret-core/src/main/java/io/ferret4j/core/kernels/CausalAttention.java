package io.ferret4j.core.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * HF's {@code eager_attention_forward} for a decoder with a key/value cache: new query rows against their own and
 * every cached position, causally, in fp32: {@code q·kᵀ}, divided by {@code sqrt(head_dim)}, masked, softmax,
 * probabilities times values. With grouped-query attention ({@code numKeyValueHeads < numHeads}) each key/value
 * head serves {@code numHeads / numKeyValueHeads} consecutive query heads, as HF's {@code repeat_kv}, without
 * copying the cache. A prompt goes through {@link PromptAttention}, a single decoding row through
 * {@link DecodeAttention}; both take the same steps.
 *
 * @param numHeads         query heads
 * @param numKeyValueHeads key/value heads, dividing {@code numHeads}
 * @param headDim          width of a head
 */
public record CausalAttention(int numHeads, int numKeyValueHeads, int headDim) {
    /**
     * Prompt rows attended together: a prompt of more is split into near-equal blocks, each scored only against the
     * positions it may see, which skips most of the causally masked upper triangle (a 714-row prompt in six blocks:
     * 58% of the attention products; timings in docs/performance.md).
     */
    public static final int QUERY_BLOCK = 128;

    /** Validates. */
    public CausalAttention {
        if (numHeads < 1 || numKeyValueHeads < 1 || headDim < 1 || numHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numHeads + " must be a positive multiple of "
                    + "num_key_value_heads " + numKeyValueHeads + ", head_dim " + headDim + " positive");
        }
    }

    /**
     * Attends {@code T} query rows at positions {@code past ... past + T - 1} to the positions {@code [0, past + T)}
     * of {@code cache}, which already holds their own keys and values.
     *
     * @param query post-RoPE queries {@code [T, heads·d]}
     * @return the heads' outputs, merged: {@code [T, heads·d]}
     */
    public INDArray forward(INDArray query, CachedKeyValues cache, int past) {
        int rows = (int) query.size(0);
        return rows == 1 ? DecodeAttention.attend(this, query, cache, past + 1)
                : PromptAttention.attend(this, query, cache, past);
    }

    /** Query heads per key/value head. */
    int groups() {
        return numHeads / numKeyValueHeads;
    }
}
