package io.ferret4j.core.plan;

/** The arithmetic of a part's weight products. */
public enum Precision {
    /** fp32 throughout: the reference numerics. */
    FP32,
    /**
     * bf16 weights and inputs with fp32 accumulation through oneDNN, where the CPU supports it; else FP32. Compact
     * weights (F16, Q8_0, Q4_0) use it for batched products only (see {@link ExecutionPlan.Part}).
     */
    BF16;

    /** Parses {@code fp32} or {@code bf16} (any case). */
    public static Precision parse(String name) {
        return Names.parse(Precision.class, name, "precision");
    }
}
