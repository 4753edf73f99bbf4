package io.ferret4j.examples.serve;

import java.time.Duration;

/**
 * What one server accepts and how much work it takes on.
 *
 * @param maxConcurrent  answers generated at once
 * @param maxQueue       requests waiting for a generation slot; past it the answer is 503 with Retry-After
 * @param timeout        the longest a request may wait and generate
 * @param maxBodyBytes   the largest request body
 * @param maxImagePixels the largest image (width × height, read from its header before decoding)
 * @param maxRegions     the most regions in one request
 */
public record ServeLimits(int maxConcurrent, int maxQueue, Duration timeout, long maxBodyBytes, long maxImagePixels,
                          int maxRegions) {

    /** Checks every limit is positive (the queue may be empty). */
    public ServeLimits {
        positive("max-concurrent", maxConcurrent);
        if (maxQueue < 0) {
            throw new IllegalArgumentException("max-queue must be >= 0, got " + maxQueue);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        positive("max-body-bytes", maxBodyBytes);
        positive("max-image-pixels", maxImagePixels);
        positive("max-regions", maxRegions);
    }

    /** The defaults of {@code ferret serve}: one answer at a time, 16 waiting, 5 minutes, 20 MB, 40 MP, 32 regions. */
    public static ServeLimits defaults() {
        return new ServeLimits(4, 16, Duration.ofMinutes(5), 20L << 20, 40_000_000L, 32);
    }

    /** These limits with {@code n} concurrent generations and {@code queue} waiting places. */
    public ServeLimits withConcurrency(int n, int queue) {
        return new ServeLimits(n, queue, timeout, maxBodyBytes, maxImagePixels, maxRegions);
    }

    /** These limits with another timeout. */
    public ServeLimits withTimeout(Duration t) {
        return new ServeLimits(maxConcurrent, maxQueue, t, maxBodyBytes, maxImagePixels, maxRegions);
    }

    private static void positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
    }
}
