package io.ferret4j.core.kernels;

/**
 * A {@code [rows, cols]} weight matrix (PyTorch {@code [out, in]} layout) held in a compact element format and
 * read only through the kernels of this package.
 */
public sealed interface CompactMatrix permits F16Matrix, BlockQuantized {

    /** Output features. */
    int rows();

    /** Input features. */
    int cols();

    /** Bytes of weight data one full product reads (quants and scales for Q8_0 and Q4_0). */
    long byteSize();

    /** Element {@code (r, c)} widened to float (for tests and spot checks; slow). */
    float get(int r, int c);
}
