package io.ferret4j.core.nn;

import io.ferret4j.core.kernels.MatMul;
import io.ferret4j.core.kernels.Q8_0;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link Linear} whose weight is held in llama.cpp's Q8_0 format (1.06 bytes per weight): quantised at load from
 * an F32/F16/BF16 checkpoint, or read memory-mapped from a checkpoint already stored in the {@link Q8_0} layout.
 * Outputs equal {@link DenseLinear} on the dequantised weight up to fp32 summation order.
 */
public final class Q8Linear extends CompactLinear<Q8_0> {
    /**
     * @param weight {@code [out, in]}
     * @param bias   FLOAT {@code [out]}, or null
     * @param matMul how products are computed ({@link MatMul#defaults()} normally)
     */
    public Q8Linear(Q8_0 weight, INDArray bias, MatMul matMul) {
        super(weight, bias, matMul);
    }

    /**
     * Loads {@code prefix.weight [out, in]}: read as stored if the checkpoint holds it in the Q8_0 layout
     * ({@code prefix.weight.q8_0_scales} present), else quantised from F32/F16/BF16; and, if {@code withBias},
     * {@code prefix.bias [out]} widened to FLOAT. Multiplies with {@link MatMul#defaults()}.
     *
     * @throws io.ferret4j.core.weights.CheckpointException naming the key if a tensor is missing or misshaped
     * @throws IllegalArgumentException if {@code in} is not a multiple of 32 or the dtype cannot be quantised
     */
    public static Q8Linear load(Weights w, String prefix, long in, long out, boolean withBias) {
        return load(w, prefix, in, out, withBias, MatMul.defaults());
    }

    /** {@link #load(Weights, String, long, long, boolean)} multiplying with {@code matMul}. */
    public static Q8Linear load(Weights w, String prefix, long in, long out, boolean withBias, MatMul matMul) {
        String key = prefix + ".weight";
        Q8_0 weight = Q8_0.isStored(w, key) ? Q8_0.read(w, key, out, in) : Q8_0.quantize(w.requireRaw(key, out, in));
        INDArray bias = withBias ? w.require(prefix + ".bias", out) : null;
        return new Q8Linear(weight, bias, matMul);
    }
}
