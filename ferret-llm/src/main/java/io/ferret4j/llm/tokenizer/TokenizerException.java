package io.ferret4j.llm.tokenizer;

import java.nio.file.Path;

/**
 * A tokenizer file is missing, malformed, or asks for behaviour this port does not implement. The message
 * always names the file and the problem.
 */
public class TokenizerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A problem with {@code file}, described by {@code problem}. */
    public TokenizerException(Path file, String problem) {
        super(file + ": " + problem);
    }

    /** A problem with {@code file}, described by {@code problem}, caused by {@code cause}. */
    public TokenizerException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
