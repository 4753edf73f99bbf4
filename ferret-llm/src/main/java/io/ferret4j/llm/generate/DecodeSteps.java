package io.ferret4j.llm.generate;

/**
 * The decoding steps that advanced the same number of answers at once, and the time they took.
 *
 * @param steps how many such steps ran
 * @param nanos their time in all, from the first layer to the logits
 */
public record DecodeSteps(long steps, long nanos) {

    /** Tokens per second, summed over the {@code answers} each of these steps advanced. */
    public double tokensPerSecond(int answers) {
        return answers * steps / (nanos / 1e9);
    }

    DecodeSteps plus(long stepNanos) {
        return new DecodeSteps(steps + 1, nanos + stepNanos);
    }
}
