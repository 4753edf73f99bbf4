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
 * <p>Measured with {@code DnnlBenchmark} on this project's 2-vCPU AMD EPYC (Zen 4: avx512_bf16, no AMX; oneDNN
 * dispatches {@code brg:avx512_core_bf16}), against ND4J fp32 sgemm with 2 BLAS threads: MEASUREMENTS.
 * Error against fp32 on random N(0,1) inputs and N(0,0.02) weights: ERRORS. Each output stays within
 * {@code (2u + u²)·Σ|x·w|} of fp32 (plus fp32 summation error), {@code u = 2^-8}. Worth it for the batched
 * products (image encode, prompt prefill); decode (one row) is memory-bound and keeps its own path.
 */
public final class Linears {
    private Linears() {
    }

    /** {@code weight} [out, in] FLOAT, {@code bias} [out] or null. */
    public static Linear dense(INDArray weight, INDArray bias, Precision precision) {
        if (precision == Precision.BF16 && DnnlSupport.available()) {
            return new DnnlBf16Linear(weight, bias);
        }
        return new DenseLinear(weight, bias);
    }

    /** {@link DenseLinear#load} with a precision: {@code prefix.weight [out, in]}, and {@code prefix.bias} if asked. */
    public static Linear load(Weights w, String prefix, long in, long out, boolean withBias, Precision precision) {
        INDArray weight = w.require(prefix + ".weight", out, in);
        INDArray bias = withBias ? w.require(prefix + ".bias", out) : null;
        return dense(weight, bias, precision);
    }
}
