package io.ferret4j.core.plan;

import java.util.Locale;

import io.ferret4j.core.backend.Nd4jBackend;

/** Which code computes a model's products, norms, rotary steps, attention and activations. */
public enum Engine {
    /**
     * Java Vector API kernels for compact weights and decoding, oneDNN for bf16, ND4J's BLAS for fp32 products:
     * the fastest on a CPU, but these parts run on the host whatever ND4J's backend is.
     */
    JAVA,
    /**
     * ND4J ops on ND4J arrays only ({@link io.ferret4j.core.nd4j}): FLOAT or HALF weights, fp32 activations, so the
     * same code runs on any ND4J backend, on the GPU with the CUDA backend.
     */
    ND4J;

    /**
     * The engine to use unless one is asked for: {@link #ND4J} on ND4J's CUDA backend ({@link Nd4jBackend#isCuda()}),
     * where the Java kernels would leave the GPU idle, else {@link #JAVA}.
     */
    public static Engine forBackend() {
        return Nd4jBackend.isCuda() ? ND4J : JAVA;
    }

    /** Parses {@code java} or {@code nd4j} (any case). */
    public static Engine parse(String name) {
        for (Engine e : values()) {
            if (e.name().equalsIgnoreCase(name)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown engine '" + name + "'; expected java or nd4j");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
