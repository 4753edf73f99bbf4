package io.ferret4j.llm;

/**
 * Where the time of one answer went, measured on the wall clock.
 *
 * @param encodeNanos      preprocessing, CLIP and {@code mm_projector} for the conversation's image (done once per
 *                         conversation, reported with each of its answers), or finding it in the image cache
 * @param regionNanos      the region sampler, all regions of the prompt
 * @param prefillNanos     the prompt's input rows (token embeddings spliced with the image and region rows) and the
 *                         decoder over them, up to the first generated token; rows found in the prefix cache are
 *                         copied, not computed (see {@link Ferret#stats()})
 * @param decodeNanos      every later token, one decoder step each
 * @param promptRows       decoder input rows of the prompt (text tokens plus image rows)
 * @param generatedTokens  tokens generated
 */
public record Timings(long encodeNanos, long regionNanos, long prefillNanos, long decodeNanos, int promptRows,
                      int generatedTokens) {

    /** Prompt rows per second through the decoder's prefill, counting rows the prefix cache supplied. */
    public double prefillTokensPerSecond() {
        return promptRows / (prefillNanos / 1e9);
    }

    /** Generated tokens per second after the first (each is one decoder step); NaN if at most one was generated. */
    public double decodeTokensPerSecond() {
        return generatedTokens > 1 ? (generatedTokens - 1) / (decodeNanos / 1e9) : Double.NaN;
    }
}
