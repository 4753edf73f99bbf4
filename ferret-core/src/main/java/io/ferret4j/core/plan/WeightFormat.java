package io.ferret4j.core.plan;

import java.util.Locale;

/**
 * How a part of the model holds its weight matrices in memory. Whether a checkpoint stored in another type is
 * converted at load or refused is the part's {@link Conversion}, in its {@link ExecutionPlan.Part}.
 */
public enum WeightFormat {
    /** FLOAT, widened at load; exact, and 4 bytes per weight (a 7B LLM needs 27 GB). */
    F32,
    /** IEEE fp16, 2 bytes per weight: the checkpoint's bytes memory-mapped without a copy where it stores fp16. */
    F16,
    /** llama.cpp's Q8_0 (int8 with an fp16 scale per 32 weights), 1.06 bytes per weight. */
    Q8_0,
    /**
     * llama.cpp's Q4_0 (4-bit quants with an fp16 scale per 32 weights), 0.56 bytes per weight: the smallest, and
     * the least exact.
     */
    Q4_0;

    /** Parses {@code f32}, {@code f16}, {@code q8_0} or {@code q4_0} (any case). */
    public static WeightFormat parse(String name) {
        return Names.parse(WeightFormat.class, name, "weight format");
    }

    /** True for the block-quantised formats, Q8_0 and Q4_0, which only the Java engine's kernels read. */
    public boolean isBlockQuantized() {
        return this == Q8_0 || this == Q4_0;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
