package io.ferret4j.core.probe;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A named tap on intermediate tensors, so a forward pass can be compared layer by layer with the Python
 * reference. {@link #NONE} records nothing and costs nothing.
 */
@FunctionalInterface
public interface Probe {

    /** Discards everything. */
    Probe NONE = (name, value) -> { };

    /**
     * Receives {@code value} under {@code name}; must not modify it, and must copy what it keeps: a forward pass
     * may free an intermediate once the layers after it have run.
     */
    void accept(String name, INDArray value);

    /** Records {@code value} as {@code name} and returns it unchanged, so calls can wrap expressions. */
    default INDArray record(String name, INDArray value) {
        accept(name, value);
        return value;
    }

    /** Records {@code value} as {@code name.index} (per-layer taps). */
    default INDArray record(String name, int index, INDArray value) {
        accept(name + "." + index, value);
        return value;
    }
}
