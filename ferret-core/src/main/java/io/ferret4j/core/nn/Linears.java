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
 * <p>On a CPU with avx512_bf16 the bf16 product and {@code forward} run faster than ND4J's fp32 sgemm (figures:
 * docs/performance.md, "Figures behind the code's choices"). The bf16 weight takes half the memory of the fp32
 * one. Error against fp32 on N(0,1) inputs and N(0, 0.02) weights: ‖err‖/‖y‖ = 2.3e-3, max|err| / max|y| ≤ 2.4e-3
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
