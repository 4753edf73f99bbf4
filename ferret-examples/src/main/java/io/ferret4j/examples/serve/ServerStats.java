package io.ferret4j.examples.serve;

import java.util.concurrent.atomic.AtomicLong;

/** What the server has done since it started, for {@code /health}, tests and the soak run. Thread-safe. */
public final class ServerStats {
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong disconnected = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong answerNanos = new AtomicLong();
    private final AtomicLong disconnectedTokens = new AtomicLong();

    void recordCompleted(long nanos) {
        completed.incrementAndGet();
        answerNanos.addAndGet(nanos);
    }

    void recordDisconnected(int tokensGenerated) {
        disconnected.incrementAndGet();
        disconnectedTokens.addAndGet(tokensGenerated);
    }

    void recordTimedOut() {
        timedOut.incrementAndGet();
    }

    void recordRejected() {
        rejected.incrementAndGet();
    }

    /** Answers generated to the end. */
    public long completed() {
        return completed.get();
    }

    /** Generations stopped because their client went away. */
    public long disconnected() {
        return disconnected.get();
    }

    /** Tokens generated, in all, by the generations whose client went away: the work wasted on them. */
    public long disconnectedTokens() {
        return disconnectedTokens.get();
    }

    /** Generations stopped by {@code --timeout}. */
    public long timedOut() {
        return timedOut.get();
    }

    /** Requests refused with 503 because the queue was full. */
    public long rejected() {
        return rejected.get();
    }

    /** Seconds a client should wait before retrying: the mean answer time, at least one second. */
    long retryAfterSeconds() {
        long n = completed.get();
        return n == 0 ? 1 : Math.max(1, Math.round(answerNanos.get() / (double) n / 1e9));
    }
}
