package io.ferret4j.core.weights;

import java.nio.file.Path;

/**
 * A checkpoint file is malformed, unsafe, or does not hold what a model needs. The message always
 * names the file and, where there is one, the tensor.
 */
public class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public CheckpointException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
