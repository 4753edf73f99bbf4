package io.ferret4j.core.weights;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A checkpoint seen through a key prefix, recording which tensors a model took. Prefixes compose
 * ({@code w.at("model.").at("layers.3.")}) so a loader never spells a full key twice, every fetch checks the
 * shape, and {@link #requireAllUsed()} rejects checkpoints holding tensors no module consumed (the Java form of
 * {@code load_state_dict(strict=True)}). Every tensor it hands out, and every array widened from one, is recorded in
 * its {@link #memory()}, which the model built from them owns and closes.
 */
public final class Weights {
    private final TensorSource source;
    private final String prefix;
    private final Set<String> used;
    private final TensorMemory memory;

    private Weights(TensorSource source, String prefix, Set<String> used, TensorMemory memory) {
        this.source = source;
        this.prefix = prefix;
        this.used = used;
        this.memory = memory;
    }

    /** A view of the whole source with nothing used yet, and a new {@link TensorMemory}. */
    public static Weights of(TensorSource source) {
        return new Weights(source, "", ConcurrentHashMap.newKeySet(), new TensorMemory());
    }

    /**
     * A view whose keys are prefixed by {@code more}; it shares the record of used keys and the memory with this
     * one.
     */
    public Weights at(String more) {
        return new Weights(source, prefix + more, used, memory);
    }

    /**
     * The off-heap memory of the tensors this view and the views sharing it handed out. Whoever builds a model from
     * these weights owns it: close it when the model is closed, not before.
     */
    public TensorMemory memory() {
        return memory;
    }

    /** The full key for {@code name} under this view's prefix. */
    public String key(String name) {
        return prefix + name;
    }

    public boolean contains(String name) {
        return source.contains(key(name));
    }

    /**
     * The tensor {@code name} widened to FLOAT. Its file mapping is released at once, so the copied bytes do not
     * stay resident.
     *
     * @throws CheckpointException naming the key, the expected and the found shape
     */
    public INDArray require(String name, long... shape) {
        RawTensor t = fetch(name, shape);
        try {
            return memory.track(t.toFloatArray());
        } finally {
            t.release();                                               // the copy is all that is kept
        }
    }

    /**
     * The tensor {@code name} as F16: the stored bytes, still memory-mapped, when it is F16; otherwise (F32, BF16,
     * F64) its values rounded to the nearest binary16 in a new off-heap buffer, and its mapping released.
     *
     * @throws CheckpointException naming the key if it is missing, misshaped, or of an integer dtype
     */
    public RawTensor requireF16(String name, long... shape) {
        RawTensor t = fetch(name, shape);
        if (t.dtype() == DType.F16) {
            return memory.track(t);
        }
        if (!t.dtype().isFloatingPoint()) {
            throw new CheckpointException(source.path(), "tensor '" + key(name) + "' is " + t.dtype()
                    + ", expected a floating-point dtype to round to F16");
        }
        try {
            return memory.track(t.roundedToF16());
        } finally {
            t.release();
        }
    }

    /** The tensor {@code name} in its stored dtype (bytes stay memory-mapped), shape-checked. */
    public RawTensor requireRaw(String name, long... shape) {
        return memory.track(fetch(name, shape));
    }

    /** {@link #requireRaw} for a tensor the caller copies and releases, so {@link #memory()} need not hold it. */
    private RawTensor fetch(String name, long... shape) {
        String key = key(name);
        if (!source.contains(key)) {
            throw new CheckpointException(source.path(), "missing tensor '" + key + "' (expected shape "
                    + Arrays.toString(shape) + ")");
        }
        RawTensor t = source.get(key);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new CheckpointException(source.path(), "tensor '" + key + "' has shape "
                    + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(shape));
        }
        used.add(key);
        return t;
    }

    /** Like {@link #require} for a tensor that a checkpoint may or may not hold. */
    public Optional<INDArray> optional(String name, long... shape) {
        return contains(name) ? Optional.of(require(name, shape)) : Optional.empty();
    }

    /**
     * Marks every key under {@code keyPrefix} (relative to this view) as deliberately not used, for tensors
     * that a checkpoint carries but inference does not need ({@code text_model.*} of a full CLIP file).
     */
    public void ignore(String keyPrefix) {
        String full = key(keyPrefix);
        for (String k : source.names()) {
            if (k.startsWith(full)) {
                used.add(k);
            }
        }
    }

    /** Keys of the source that nothing required or ignored, sorted. */
    public Set<String> unusedKeys() {
        Set<String> out = new TreeSet<>(source.names());
        out.removeAll(used);
        return out;
    }

    /** Fails, listing them, if any key of the source was neither required nor ignored. */
    public void requireAllUsed() {
        Set<String> unused = unusedKeys();
        if (!unused.isEmpty()) {
            throw new CheckpointException(source.path(), unused.size() + " unexpected tensor(s) not used by the model: "
                    + String.join(", ", unused.stream().limit(20).toList())
                    + (unused.size() > 20 ? ", ..." : ""));
        }
    }

    /** The underlying source. */
    public TensorSource source() {
        return source;
    }
}
