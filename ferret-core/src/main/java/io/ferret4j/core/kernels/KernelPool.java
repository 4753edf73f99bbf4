package io.ferret4j.core.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed set of daemon threads that split a range of rows into contiguous chunks, one per thread, the caller
 * running one chunk itself. Each row is computed by exactly one thread with the same code, so results do not
 * depend on the thread count. The {@linkplain #shared() shared} pool has {@code availableProcessors()} threads
 * unless the system property {@value #THREADS_PROPERTY} says otherwise.
 */
public final class KernelPool implements AutoCloseable {
    /** System property overriding the shared pool's thread count. */
    public static final String THREADS_PROPERTY = "ferret4j.kernel.threads";

    /** Work on the half-open range {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeTask {
        /** Processes indices {@code start} (inclusive) to {@code end} (exclusive). */
        void run(int start, int end);
    }

    private static final class Shared {
        static final KernelPool INSTANCE = new KernelPool(Integer.getInteger(THREADS_PROPERTY,
                Runtime.getRuntime().availableProcessors()), true);
    }

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final int threads;
    private final boolean shared;
    private final ExecutorService executor;                           // null when threads == 1

    /** A pool of {@code threads} threads; close it when done (the shared pool needs no closing). */
    public KernelPool(int threads) {
        this(threads, false);
    }

    private KernelPool(int threads, boolean shared) {
        if (threads < 1) {
            throw new IllegalArgumentException("kernel threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.shared = shared;
        int id = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.executor = threads == 1 ? null : Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Worker(this, r, "ferret4j-kernel-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The process-wide pool used by default. */
    public static KernelPool shared() {
        return Shared.INSTANCE;
    }

    /** Threads that share a range: the pool's size (the caller runs one chunk, so at most this many chunks). */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code task} over {@code [0, count)} split into at most {@link #threads()} contiguous chunks of at least
     * {@code minChunk} items, and returns when all are done. A call from one of this pool's own threads runs
     * inline, so nested use cannot deadlock.
     */
    public void forEachRange(int count, int minChunk, RangeTask task) {
        int chunks = Math.min(threads, Math.max(1, count / Math.max(1, minChunk)));
        if (chunks == 1 || executor == null || isOwnThread()) {
            task.run(0, count);
            return;
        }
        List<Future<?>> pending = new ArrayList<>(chunks - 1);
        for (int c = 1; c < chunks; c++) {
            int start = (int) ((long) count * c / chunks);
            int end = (int) ((long) count * (c + 1) / chunks);
            pending.add(executor.submit(() -> task.run(start, end)));
        }
        RuntimeException failure = null;
        try {
            task.run(0, (int) ((long) count / chunks));
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<?> f : pending) {
            failure = await(f, failure);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Waits for one chunk even when interrupted: the chunk reads the caller's arrays and weights, which the caller
     * may free (or a model close may unmap) as soon as this returns; an interrupt is reported once the chunk ended,
     * and the thread's interrupt status is kept.
     */
    private static RuntimeException await(Future<?> f, RuntimeException failure) {
        InterruptedException interrupted = null;
        try {
            while (true) {
                try {
                    f.get();
                    return interrupted == null ? failure : first(failure,
                            new IllegalStateException("interrupted while waiting for kernel threads", interrupted));
                } catch (InterruptedException e) {
                    interrupted = e;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    return first(failure, cause instanceof RuntimeException re ? re : new IllegalStateException(cause));
                }
            }
        } finally {
            if (interrupted != null) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static RuntimeException first(RuntimeException earlier, RuntimeException later) {
        if (earlier == null) {
            return later;
        }
        earlier.addSuppressed(later);
        return earlier;
    }

    private boolean isOwnThread() {
        return Thread.currentThread() instanceof Worker w && w.pool == this;
    }

    /** Stops the threads of a pool created with the constructor; closing the shared pool is refused. */
    @Override
    public void close() {
        if (shared) {
            throw new IllegalStateException("the shared kernel pool cannot be closed");
        }
        if (executor != null) {
            executor.shutdown();
        }
    }

    @Override
    public String toString() {
        return "KernelPool[" + threads + " threads]";
    }

    private static final class Worker extends Thread {
        final KernelPool pool;

        Worker(KernelPool pool, Runnable r, String name) {
            super(r, name);
            this.pool = pool;
        }
    }
}
