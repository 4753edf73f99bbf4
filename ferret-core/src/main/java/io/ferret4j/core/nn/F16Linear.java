package io.ferret4j.core.nn;

import java.util.Arrays;

import io.ferret4j.core.kernels.F16Matrix;
import io.ferret4j.core.kernels.MatMul;
import io.ferret4j.core.weights.CheckpointException;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link Linear} whose F16 weight stays in the checkpoint's memory-mapped bytes (half the size of FLOAT, no copy,
 * no heap). Outputs equal {@link DenseLinear} on the widened weight up to fp32 summation order.
 */
public final class F16Linear extends CompactLinear<F16Matrix> {
    /**
     * @param weight {@code [out, in]}
     * @param bias   FLOAT {@code [out]}, or null
     * @param matMul how products are computed ({@link MatMul#defaults()} normally)
     */
    public F16Linear(F16Matrix weight, INDArray bias, MatMul matMul) {
        super(weight, bias, matMul);
    }

    /**
     * Loads {@code prefix.weight [out, in]}, which must be F16, and, if {@code withBias}, {@code prefix.bias [out]}
     * (widened to FLOAT), multiplying with {@link MatMul#defaults()}.
     *
     * @throws CheckpointException naming the key if the weight is missing, misshaped or not F16
     */
    public static F16Linear load(Weights w, String prefix, long in, long out, boolean withBias) {
        return load(w, prefix, in, out, withBias, MatMul.defaults());
    }

    /** {@link #load(Weights, String, long, long, boolean)} multiplying with {@code matMul}. */
    public static F16Linear load(Weights w, String prefix, long in, long out, boolean withBias, MatMul matMul) {
        RawTensor raw = w.requireRaw(prefix + ".weight", out, in);
        if (raw.dtype() != DType.F16) {
            throw new CheckpointException(w.source().path(), "tensor '" + w.key(prefix + ".weight") + "' is "
                    + raw.dtype() + Arrays.toString(raw.shape()) + ", F16Linear needs F16");
        }
        INDArray bias = withBias ? w.require(prefix + ".bias", out) : null;
        return new F16Linear(F16Matrix.of(raw), bias, matMul);
    }

    /**
     * Like {@link #load}, but a weight stored in another floating-point dtype is rounded to the nearest fp16 at load
     * (into off-heap memory; the fp32 file mapping is released), as the reference's {@code .half()} cast does.
     */
    public static F16Linear loadRounding(Weights w, String prefix, long in, long out, boolean withBias) {
        F16Matrix weight = F16Matrix.of(w.requireF16(prefix + ".weight", out, in));
        INDArray bias = withBias ? w.require(prefix + ".bias", out) : null;
        return new F16Linear(weight, bias, MatMul.defaults());
    }
}
