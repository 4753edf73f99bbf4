package io.ferret4j.llm.generate;

import java.util.Arrays;

/**
 * The outcome of a generation.
 *
 * @param tokenIds        the new ids only (not the prompt), including the EOS or stop-sequence ids that ended it
 * @param stopReason      why it ended
 * @param firstStepLogits the vocabulary logits after the prompt, from which the first id was chosen
 */
public record GenerationResult(int[] tokenIds, StopReason stopReason, float[] firstStepLogits) {

    /** Copies the arrays. */
    public GenerationResult {
        tokenIds = tokenIds.clone();
        firstStepLogits = firstStepLogits.clone();
    }

    /** A copy of the new ids. */
    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }

    /** A copy of the first-step logits. */
    @Override
    public float[] firstStepLogits() {
        return firstStepLogits.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationResult r && Arrays.equals(tokenIds, r.tokenIds) && stopReason == r.stopReason
                && Arrays.equals(firstStepLogits, r.firstStepLogits);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(tokenIds) + stopReason.hashCode();
    }

    @Override
    public String toString() {
        return "GenerationResult[tokenIds=" + Arrays.toString(tokenIds) + ", stopReason=" + stopReason + "]";
    }
}
