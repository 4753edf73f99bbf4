package io.ferret4j.core.probe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A {@link Probe} that keeps a copy of every tensor it sees, in arrival order. */
public final class RecordingProbe implements Probe {
    private final Map<String, INDArray> recorded = Collections.synchronizedMap(new LinkedHashMap<>());

    @Override
    public void accept(String name, INDArray value) {
        recorded.put(name, value.dup());
    }

    /** The tensor recorded as {@code name}, or an exception listing what was recorded. */
    public INDArray get(String name) {
        INDArray v = recorded.get(name);
        if (v == null) {
            throw new IllegalArgumentException("nothing recorded as '" + name + "'; recorded: " + recorded.keySet());
        }
        return v;
    }

    /** Everything recorded, in order. */
    public Map<String, INDArray> all() {
        synchronized (recorded) {
            return new LinkedHashMap<>(recorded);
        }
    }
}
