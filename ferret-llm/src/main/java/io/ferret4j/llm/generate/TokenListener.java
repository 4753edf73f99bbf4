package io.ferret4j.llm.generate;

/** Receives each generated token id as soon as it is chosen, and may cancel the generation. */
@FunctionalInterface
public interface TokenListener {

    /** Accepts every token and never cancels. */
    TokenListener NONE = tokenId -> true;

    /**
     * Called once per generated id, in order, including a final EOS or stop-sequence id.
     *
     * @return {@code true} to go on, {@code false} to end the generation after this token
     *         ({@link StopReason#CANCELLED}, unless this token also met a stop condition)
     */
    boolean onToken(int tokenId);
}
