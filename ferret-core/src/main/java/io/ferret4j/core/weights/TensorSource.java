package io.ferret4j.core.weights;

import java.nio.file.Path;
import java.util.Set;

/**
 * A read-only collection of named tensors backed by one or more checkpoint files. Implementations keep
 * the bulk data off the Java heap (memory-mapped) and are safe to read from several threads.
 */
public interface TensorSource extends AutoCloseable {

    /** The file or folder this source was opened from (used in error messages). */
    Path path();

    /** Every tensor name, in file order. */
    Set<String> names();

    /**
     * The tensor called {@code name}.
     *
     * @throws CheckpointException naming the file and the tensor if it is absent or unreadable
     */
    RawTensor get(String name);

    default boolean contains(String name) {
        return names().contains(name);
    }

    /** Releases file handles. Tensors already returned stay readable. */
    @Override
    void close();
}
