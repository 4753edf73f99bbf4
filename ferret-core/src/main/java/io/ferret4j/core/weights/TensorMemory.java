package io.ferret4j.core.weights;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.ferret4j.core.resources.Resources;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The off-heap memory of what one load took from a checkpoint: the file mappings of tensors used in place, the
 * direct buffers of rounded or gathered copies, the FLOAT arrays widened from them, and anything else a loader
 * {@linkplain #own owns} on their behalf (a packed copy of a weight). A model holds these through its layers;
 * closing this frees at once whatever of it is still reachable, instead of at the garbage collections that would
 * otherwise free it, which a service that reloads models cannot wait for.
 *
 * <p>Everything is referenced weakly: memory a loader dropped (a tensor quantised and discarded) is left to the
 * collector as before, never kept alive by this record. Close only when nothing reads the tensors any more (the
 * model is closed): a freed mapping read afterwards crashes the JVM. Thread-safe.
 */
public final class TensorMemory implements AutoCloseable {
    private final List<Held<?>> held = new ArrayList<>();
    private boolean closed;

    /** One weakly held piece of memory and how to free it; {@code free} must not capture the piece itself. */
    private record Held<T>(WeakReference<T> piece, Consumer<? super T> free) {
        void release() {
            T p = piece.get();
            if (p != null) {
                free.accept(p);
            }
        }
    }

    /** Frees {@code array}'s buffer (and so every view of it) when this closes; returns {@code array}. */
    public INDArray track(INDArray array) {
        DataBuffer data = array.data();
        if (data != null) {                                            // empty arrays have none
            hold(data, TensorMemory::closeBuffer);
        }
        return array;
    }

    /** Unmaps or frees the buffer {@code tensor} was made over, if it owns one, when this closes. */
    RawTensor track(RawTensor tensor) {
        tensor.ownedBuffer().ifPresent(buffer -> hold(buffer, Unmapper::free));
        return tensor;
    }

    /**
     * Closes {@code part} when this closes, if it is still reachable then: for native state a loader derived from
     * the checkpoint's tensors, such as a weight packed into another layout. Returns {@code part}.
     */
    public <T extends AutoCloseable> T own(T part) {
        hold(part, TensorMemory::closePart);
        return part;
    }

    private synchronized <T> void hold(T piece, Consumer<? super T> free) {
        if (closed) {
            throw new IllegalStateException("this tensor memory is closed; the model it belonged to is gone");
        }
        held.add(new Held<>(new WeakReference<>(piece), free));
    }

    /**
     * Frees every piece still reachable; a second call does nothing. A piece that fails to free does not stop the
     * others: the first failure is thrown at the end.
     */
    @Override
    public void close() {
        List<Held<?>> toFree;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toFree = new ArrayList<>(held);
            held.clear();
        }
        Resources.closeAll(toFree.stream().<AutoCloseable>map(h -> h::release).toList());
    }

    private static void closeBuffer(DataBuffer data) {
        if (!data.wasClosed() && data.closeable()) {
            data.close();
        }
    }

    private static void closePart(AutoCloseable part) {
        try {
            part.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing " + part + " failed: " + e, e);
        }
    }
}
