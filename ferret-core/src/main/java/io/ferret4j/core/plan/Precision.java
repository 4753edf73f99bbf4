package io.ferret4j.core.plan;

/** The arithmetic a {@link Linear} may use for its weight product. */
public enum Precision {
    /** ND4J fp32 sgemm: the reference numerics. */
    FP32,
    /**
     * bf16 weights and inputs with fp32 accumulation through oneDNN, where the CPU supports it; else FP32. Compact
     * weights (F16, Q8_0) use it for batched products only (see {@link io.ferret4j.core.kernels.MatMul}).
     */
    BF16;

    /** Parses {@code fp32} or {@code bf16} (any case). */
    public static Precision parse(String name) {
        for (Precision p : values()) {
            if (p.name().equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown precision '" + name + "'; expected fp32 or bf16");
    }
}
