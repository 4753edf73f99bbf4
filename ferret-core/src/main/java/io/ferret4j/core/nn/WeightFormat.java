package io.ferret4j.core.nn;

import java.util.Locale;

import io.ferret4j.core.kernels.MatMul;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.weights.Weights;

/**
 * How a model holds its big weight matrices in memory, and so which {@link Linear} multiplies by them.
 */
public enum WeightFormat {
    /** FLOAT, widened at load; exact, and 4 bytes per weight (a 7B LLM needs 27 GB). */
    F32,
    /** The checkpoint's fp16 bytes, memory-mapped without a copy; 2 bytes per weight. */
    F16,
    /** llama.cpp's Q8_0 (int8 with an fp16 scale per 32 weights), quantised at load or read as stored; 1.06 bytes. */
    Q8_0;

    /** Loads {@code prefix.weight [out, in]} (and {@code prefix.bias [out]} if asked) in this format, in fp32. */
    public Linear loadLinear(Weights w, String prefix, long in, long out, boolean withBias) {
        return loadLinear(w, prefix, in, out, withBias, Precision.FP32);
    }

    /**
     * Loads {@code prefix.weight [out, in]} (and {@code prefix.bias [out]} if asked) in this format, multiplying in
     * {@code precision} where the CPU supports bf16 ({@link io.ferret4j.core.dnnl.DnnlSupport#available()}; fp32
     * elsewhere). For F16 and Q8_0, {@link Precision#BF16} applies to batched products only
     * ({@link MatMul#gemmMinRows()} rows or more, i.e. prefill) and decoding keeps the fp32 row kernels; for F32 it
     * packs the weight into bf16 once and every product runs in bf16 ({@link Linears#dense}).
     */
    public Linear loadLinear(Weights w, String prefix, long in, long out, boolean withBias, Precision precision) {
        return switch (this) {
            case F32 -> Linears.load(w, prefix, in, out, withBias, precision);
            case F16 -> F16Linear.load(w, prefix, in, out, withBias, MatMul.defaults(precision));
            case Q8_0 -> Q8Linear.load(w, prefix, in, out, withBias, MatMul.defaults(precision));
        };
    }

    /** Parses {@code f32}, {@code f16} or {@code q8_0} (any case). */
    public static WeightFormat parse(String name) {
        for (WeightFormat f : values()) {
            if (f.name().equalsIgnoreCase(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown weight format '" + name + "'; expected f32, f16 or q8_0");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
