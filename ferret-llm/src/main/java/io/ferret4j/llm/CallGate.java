package io.ferret4j.llm;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Lets calls into a model run side by side until the model closes, and its close wait for the calls in flight: a
 * call holds the shared side of a read-write lock, {@link #close()} takes the exclusive side. Once close has begun,
 * new calls are refused with an {@link IllegalStateException}, and a running generation sees {@link Call#closing()}
 * and ends at its next token; the model's memory is freed only after every call has left.
 */
final class CallGate {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final String what;
    private volatile boolean closing;

    /** @param what the model's name in error messages, e.g. "this Ferret" */
    CallGate(String what) {
        this.what = what;
    }

    /** One call in flight; closing it lets {@link CallGate#close()} go on. */
    final class Call implements AutoCloseable {
        private Call() {
        }

        /** {@code true} once the model has begun to close: a long call should stop at its next step. */
        boolean closing() {
            return closing;
        }

        /**
         * Fails if the model began to close while this call ran (after a generation stopped for that reason).
         *
         * @throws IllegalStateException saying the model was closed during the call
         */
        void checkNotClosed() {
            if (closing) {
                throw new IllegalStateException(what + " was closed while answering; the answer is incomplete");
            }
        }

        @Override
        public void close() {
            lock.readLock().unlock();
        }
    }

    /**
     * Enters a call; close the returned {@link Call} when it ends.
     *
     * @throws IllegalStateException if the model is closed or closing
     */
    Call enter() {
        checkOpen();
        lock.readLock().lock();
        if (closing) {
            lock.readLock().unlock();
            throw closed();
        }
        return new Call();
    }

    /**
     * Fails if the model is closed or closing.
     *
     * @throws IllegalStateException naming the model
     */
    void checkOpen() {
        if (closing) {
            throw closed();
        }
    }

    /**
     * Refuses new calls, then waits until every call in flight has left; a second call returns at once, a
     * concurrent one waits too.
     *
     * @throws IllegalStateException if called from inside a call of this model (a streaming callback), which would
     *                               wait for itself
     */
    void close() {
        if (lock.getReadHoldCount() > 0) {
            throw new IllegalStateException("cannot close " + what + " from inside one of its calls (such as a "
                    + "streaming callback): the close would wait for that call to end; close it after the call");
        }
        closing = true;
        lock.writeLock().lock();
        lock.writeLock().unlock();
    }

    private IllegalStateException closed() {
        return new IllegalStateException(what + " is closed");
    }
}
