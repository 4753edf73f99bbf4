package io.ferret4j.examples.serve;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Who may generate now: at most {@code maxConcurrent} requests hold a slot, at most {@code maxQueue} wait for one
 * in arrival order, and any further request is refused at once with 503 and {@code Retry-After}.
 */
final class Admission {
    private final Semaphore slots;
    private final int maxConcurrent;
    private final int maxQueue;
    private final AtomicInteger waiting = new AtomicInteger();

    Admission(int maxConcurrent, int maxQueue) {
        this.slots = new Semaphore(maxConcurrent, true);
        this.maxConcurrent = maxConcurrent;
        this.maxQueue = maxQueue;
    }

    /** A held generation slot; closing it lets the next request in. */
    interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes a slot, waiting in the queue until {@code deadlineNanos} ({@link System#nanoTime()}) if all are busy.
     *
     * @param retryAfterSeconds the hint a refused request gets
     * @throws ApiException 503 when the queue is full, or when the deadline passes while waiting
     */
    Slot enter(long deadlineNanos, long retryAfterSeconds) {
        if (!slots.tryAcquire()) {
            if (waiting.incrementAndGet() > maxQueue) {
                waiting.decrementAndGet();
                throw ApiException.unavailable("overloaded", "the server is busy: " + maxConcurrent
                        + " answer(s) generating and " + maxQueue + " waiting (--max-concurrent, --max-queue); retry "
                        + "later", retryAfterSeconds);
            }
            try {
                if (!slots.tryAcquire(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    throw ApiException.timedOut("the request waited in the queue past the server's --timeout");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiException.timedOut("the server is shutting down");
            } finally {
                waiting.decrementAndGet();
            }
        }
        return slots::release;
    }

    /** Requests generating now. */
    int active() {
        return maxConcurrent - slots.availablePermits();
    }

    /** Requests waiting for a slot now. */
    int waiting() {
        return waiting.get();
    }
}
