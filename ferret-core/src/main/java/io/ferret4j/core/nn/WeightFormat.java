package io.ferret4j.core.nn;

import io.ferret4j.core.weights.Weights;

/**
 * How a model holds the weights of its {@link Linear} layers, chosen once (by configuration) and applied to every
 * layer at load time, so model code never names a {@code Linear} implementation.
 */
public enum WeightFormat {
    /** FLOAT weights multiplied by ND4J sgemm ({@link DenseLinear}); any floating checkpoint dtype, widened at load. */
    F32,
    /** binary16 weights used in place from the mapped checkpoint ({@link F16Linear}); the checkpoint must hold F16. */
    F16,
    /** llama.cpp's Q8_0 ({@link Q8Linear}): read as stored, or quantised at load from F32, F16 or BF16. */
    Q8_0;

    /** Loads {@code prefix.weight [out, in]} (and {@code prefix.bias [out]} if {@code withBias}) in this format. */
    public Linear load(Weights w, String prefix, long in, long out, boolean withBias) {
        return switch (this) {
            case F32 -> DenseLinear.load(w, prefix, in, out, withBias);
            case F16 -> F16Linear.load(w, prefix, in, out, withBias);
            case Q8_0 -> Q8Linear.load(w, prefix, in, out, withBias);
        };
    }
}
