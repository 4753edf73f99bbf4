package io.ferret4j.llm.generate;

/** Why a generation ended. */
public enum StopReason {
    /** The model produced {@code eos_token_id}. */
    EOS,
    /** The generated ids ended with one of {@link GenerationConfig#stopSequences()}. */
    STOP_SEQUENCE,
    /** {@link GenerationConfig#maxNewTokens()} ids were generated. */
    MAX_NEW_TOKENS,
    /** The {@link TokenListener} asked to stop. */
    CANCELLED
}
