package io.ferret4j.core.resources;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * The parts an object owns, closed together in the reverse of the order they were added (what was built last,
 * and so may use what came before, goes first), exactly once. A model adds each part as it loads it; if the load
 * fails half way, closing the {@code Resources} releases what was already loaded. Thread-safe.
 */
public final class Resources implements AutoCloseable {
    private final Deque<AutoCloseable> parts = new ArrayDeque<>();
    private boolean closed;

    /**
     * Takes {@code part} to be closed with the others, and returns it.
     *
     * @throws IllegalStateException if these resources are already closed
     */
    public synchronized <T extends AutoCloseable> T add(T part) {
        Objects.requireNonNull(part, "part");
        if (closed) {
            throw new IllegalStateException("these resources are closed; cannot take " + part);
        }
        parts.push(part);
        return part;
    }

    /**
     * Closes every part, the last added first; a second call does nothing. A part that fails to close does not stop
     * the others: the first failure is thrown once all have been tried, later ones attached as suppressed.
     */
    @Override
    public void close() {
        List<AutoCloseable> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(parts);
            parts.clear();
        }
        closeAll(toClose);
    }

    /**
     * Closes each of {@code parts} in order. One that fails to close does not stop the others: the first failure is
     * thrown once all have been tried, later ones attached to it as suppressed (checked ones wrapped).
     */
    public static void closeAll(Iterable<? extends AutoCloseable> parts) {
        RuntimeException failure = null;
        for (AutoCloseable part : parts) {
            try {
                part.close();
            } catch (Exception e) {
                RuntimeException wrapped = e instanceof RuntimeException re ? re
                        : new IllegalStateException("closing " + part + " failed: " + e, e);
                if (failure == null) {
                    failure = wrapped;
                } else {
                    failure.addSuppressed(wrapped);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Closes {@code resource} after {@code failure} happened (a failed load), attaching any failure to close to it. */
    public static void closeAfter(AutoCloseable resource, Throwable failure) {
        try {
            resource.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }
}
