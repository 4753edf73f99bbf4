package io.ferret4j.core.plan;

import java.util.Locale;

/** What computes a part's products, norms and attention. */
public enum Engine {
    /**
     * The CPU engine: Java Vector API kernels for compact weights and decoding attention, oneDNN for bf16 products,
     * ND4J's CPU backend for fp32 sgemm and the remaining array operations.
     */
    JAVA,
    /** ND4J operations on ND4J arrays only, so any ND4J backend (CPU or CUDA) runs them. */
    ND4J;

    /** Parses {@code java} or {@code nd4j} (any case). */
    public static Engine parse(String name) {
        return Names.parse(Engine.class, name, "engine");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
