package io.ferret4j.core.nn;

import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link Linear} with FLOAT weights, multiplied through BLAS sgemm with {@code transB} so the
 * {@code [out, in]} weight is never transposed or copied.
 */
public final class DenseLinear implements Linear {
    private final INDArray weight;                                     // [out, in]
    private final INDArray bias;                                       // [out] or null

    public DenseLinear(INDArray weight, INDArray bias) {
        if (weight.rank() != 2 || weight.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("weight must be a FLOAT matrix, got " + weight.dataType()
                    + java.util.Arrays.toString(weight.shape()));
        }
        if (bias != null && bias.length() != weight.size(0)) {
            throw new IllegalArgumentException("bias length " + bias.length() + " != out features " + weight.size(0));
        }
        this.weight = weight.isView() || weight.ordering() != 'c' ? weight.dup('c') : weight;
        this.bias = bias == null ? null : bias.reshape(1, bias.length());
    }

    /** Loads {@code prefix.weight [out, in]} and, if {@code withBias}, {@code prefix.bias [out]}. */
    public static DenseLinear load(Weights w, String prefix, long in, long out, boolean withBias) {
        INDArray weight = w.require(prefix + ".weight", out, in);
        INDArray bias = withBias ? w.require(prefix + ".bias", out) : null;
        return new DenseLinear(weight, bias);
    }

    @Override
    public INDArray forward(INDArray x) {                              // [n, in] -> [n, out]
        return multiply(x, weight, bias);
    }

    /**
     * {@code x·weightᵀ + bias} as one sgemm with {@code transB} into a fresh array.
     *
     * @param weight FLOAT {@code [out, in]}
     * @param bias   FLOAT {@code [1, out]}, or null
     */
    public static INDArray multiply(INDArray x, INDArray weight, INDArray bias) {      // [n, in] -> [n, out]
        if (x.rank() != 2 || x.size(1) != weight.size(1)) {
            throw new IllegalArgumentException("input shape " + java.util.Arrays.toString(x.shape())
                    + " does not match in_features " + weight.size(1));
        }
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, x.size(0), weight.size(0));
        Nd4j.gemm(x, weight, out, false, true, 1.0, 0.0);
        if (bias != null) {
            out.addiRowVector(bias);                                   // in place: out is ours
        }
        return out;
    }

    @Override
    public long inFeatures() {
        return weight.size(1);
    }

    @Override
    public long outFeatures() {
        return weight.size(0);
    }

    /** The {@code [out, in]} weight (shared, do not modify). */
    public INDArray weight() {
        return weight;
    }
}
