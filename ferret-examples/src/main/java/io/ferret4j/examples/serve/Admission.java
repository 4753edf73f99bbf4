package io.ferret4j.examples.serve;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Who may generate now, and on which thread. At most {@code maxConcurrent} requests hold a slot, at most
 * {@code maxQueue} wait for one in arrival order, and any further request is refused at once with 503 and
 * {@code Retry-After}. Admitted work runs on one of {@code maxConcurrent} long-lived worker threads rather than on
 * the HTTP thread: ND4J keeps a workspace per thread, so memory stays bounded by the workers, not by how many
 * threads the HTTP server has ever used.
 */
final class Admission implements AutoCloseable {
    private final Semaphore slots;
    private final int maxConcurrent;
    private final int maxQueue;
    private final AtomicInteger waiting = new AtomicInteger();
    private final ExecutorService workers;

    Admission(int maxConcurrent, int maxQueue) {
        this.slots = new Semaphore(maxConcurrent, true);
        this.maxConcurrent = maxConcurrent;
        this.maxQueue = maxQueue;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(maxConcurrent, r -> {
            Thread t = new Thread(r, "ferret-generate-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Takes a slot, waiting in the queue until {@code deadlineNanos} ({@link System#nanoTime()}) if all are busy,
     * then runs {@code work} on a worker thread and returns its result (or throws its exception).
     *
     * @param retryAfterSeconds the hint a refused request gets
     * @throws ApiException 503 when the queue is full, or when the deadline passes while waiting
     */
    <T> T run(long deadlineNanos, long retryAfterSeconds, Supplier<T> work) {
        enter(deadlineNanos, retryAfterSeconds);
        try {
            Future<T> result = workers.submit(work::get);
            try {
                return result.get();
            } catch (InterruptedException e) {
                result.cancel(true);
                Thread.currentThread().interrupt();
                throw ApiException.timedOut("the server is shutting down");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(e.getCause());
            }
        } finally {
            slots.release();
        }
    }

    private void enter(long deadlineNanos, long retryAfterSeconds) {
        if (slots.tryAcquire()) {
            return;
        }
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

    /** Requests generating now. */
    int active() {
        return maxConcurrent - slots.availablePermits();
    }

    /** Requests waiting for a slot now. */
    int waiting() {
        return waiting.get();
    }

    /** Stops the worker threads. */
    @Override
    public void close() {
        workers.shutdownNow();
    }
}
