package io.ferret4j.core.nn;

import io.ferret4j.core.dnnl.DnnlBf16Linear;
import io.ferret4j.core.dnnl.DnnlSupport;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Chooses the {@link Linear} for a weight and a requested {@link Precision}, so a model opts into bf16 with one
 * argument. {@link Precision#BF16} gives a {@link DnnlBf16Linear} where {@link DnnlSupport#available()}, and the
 * fp32 {@link DenseLinear} everywhere else (no bf16 CPU, natives missing, {@code -Dferret4j.dnnl=off}).
 *
 * <p>Measured with {@code DnnlBenchmark} (JDK 17, idle machine, medians of 9) on this project's 2-vCPU AMD EPYC
 * (Zen 4: avx512_bf16 but no AMX, so oneDNN runs {@code brg:avx512_core_bf16}) against ND4J fp32 sgemm on 2
 * threads: the product is 2.1–2.5× faster ({@code 577×1024·1024×4096}: 14.6 against 36.0 ms, 331 against 135
 * GFLOP/s; {@code 700×4096·4096×11008}: 160 against 332 ms, 393 against 190 GFLOP/s), and {@code forward}, which
 * also pays for its fresh output, 1.8–2.1× faster. The bf16 weight takes half the memory of the fp32 one. Error
 * against fp32 on N(0,1) inputs and N(0, 0.02) weights: ‖err‖/‖y‖ = 2.3e-3, max|err| / max|y| ≤ 2.4e-3
 * (max|err| 0.008 at {@code in} 1024, 0.016 at {@code in} 4096); every output stays within
 * {@code (2u + u²)·Σ|x·w|} of fp32 (plus fp32 summation error), {@code u = 2^-8}, and measured errors reach under
 * 8 % of that bound.
 */
public final class Linears {
    private Linears() {
    }

    /** {@code weight} [out, in] FLOAT, {@code bias} [out] or null. */
    public static Linear dense(INDArray weight, INDArray bias, Precision precision) {
        return packsBf16(precision) ? new DnnlBf16Linear(weight, bias) : new DenseLinear(weight, bias);
    }

    /**
     * {@link DenseLinear#load} with a precision: {@code prefix.weight [out, in]}, and {@code prefix.bias} if asked. A
     * bf16 packed copy belongs to {@code w}'s {@link Weights#memory() memory}, as the tensors do.
     */
    public static Linear load(Weights w, String prefix, long in, long out, boolean withBias, Precision precision) {
        INDArray weight = w.require(prefix + ".weight", out, in);
        INDArray bias = withBias ? w.require(prefix + ".bias", out) : null;
        return packsBf16(precision) ? w.memory().own(new DnnlBf16Linear(weight, bias)) : new DenseLinear(weight, bias);
    }

    private static boolean packsBf16(Precision precision) {
        return precision == Precision.BF16 && DnnlSupport.available();
    }
}
