package io.ferret4j.core.testing;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The worst-case gap between {@code y = x·Wᵀ (+ b)} computed from bf16-rounded {@code x} and {@code W} with fp32
 * accumulation, and the same product in fp32. Rounding to bf16 (8 significant bits, nearest) gives
 * {@code x̃ = x(1+δ)}, {@code w̃ = w(1+ε)} with {@code |δ|, |ε| ≤ u = 2^-8}, so each product is off by at most
 * {@code (2u + u²)|x·w|}. Both sides then sum {@code K} terms in fp32, each within {@code γ_K·Σ|x·w|},
 * {@code γ_K = K·2^-24 / (1 - K·2^-24)}, and round the bias add within {@code 2^-24} of the result. Hence, per
 * element: {@code |ỹ - y| ≤ (2u + u² + 2γ_K)·Σ_k|x_k·w_k| + 2^-23·|y|}.
 */
public final class Bf16Bound {
    private static final double U = 0x1p-8;
    private static final double FP32_U = 0x1p-24;

    private Bf16Bound() {
    }

    /**
     * Fails naming the first output of {@code actual} (bf16) farther from {@code expected} (fp32) than the bound;
     * {@code x [n, in]}, {@code weight [out, in]} (the fp32 values that were rounded), outputs {@code [n, out]}.
     */
    public static void assertWithin(INDArray x, INDArray weight, INDArray expected, INDArray actual) {
        long k = x.size(1);
        double gamma = k * FP32_U / (1 - k * FP32_U);
        double c = 2 * U + U * U + 2 * gamma;
        float[] magnitude = Nd4j.gemm(Transforms.abs(x, true), Transforms.abs(weight, true), false, true)
                .dup('c').data().asFloat();                             // Σ_k |x_k·w_k|, [n, out]
        float[] e = expected.dup('c').data().asFloat();
        float[] a = actual.dup('c').data().asFloat();
        long out = weight.size(0);
        for (int i = 0; i < e.length; i++) {
            double bound = c * magnitude[i] * (1 + 1e-6) + 2 * FP32_U * Math.abs(e[i]);
            if (!(Math.abs((double) a[i] - e[i]) <= bound)) {
                throw new AssertionError("row " + i / out + " column " + i % out + ": bf16 " + a[i] + " vs fp32 "
                        + e[i] + " differ by " + Math.abs((double) a[i] - e[i]) + " > bound " + bound);
            }
        }
    }

    /** {@code ‖actual - expected‖ / ‖expected‖} (Frobenius). */
    public static double relativeError(INDArray expected, INDArray actual) {
        return actual.sub(expected).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
    }
}
