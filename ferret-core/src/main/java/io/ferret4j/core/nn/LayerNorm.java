package io.ferret4j.core.nn;

import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code torch.nn.LayerNorm} over the last dimension of a {@code [n, C]} matrix, affine. */
public final class LayerNorm {
    private final INDArray weight;                                     // [C]
    private final INDArray bias;                                       // [C]
    private final double eps;

    public LayerNorm(INDArray weight, INDArray bias, double eps) {
        this.weight = weight;
        this.bias = bias;
        this.eps = eps;
    }

    /** Loads {@code prefix.weight} and {@code prefix.bias}, both {@code [dim]}. */
    public static LayerNorm load(Weights w, String prefix, long dim, double eps) {
        return new LayerNorm(w.require(prefix + ".weight", dim), w.require(prefix + ".bias", dim), eps);
    }

    public INDArray forward(INDArray x) {                              // [n, C] -> [n, C]
        // (x - mean) / sqrt(var + eps) computed directly: ND4J's layer_norm op has no eps argument
        INDArray mean = x.mean(true, 1);                               // [n, 1]
        INDArray centered = x.subColumnVector(mean);
        INDArray var = centered.mul(centered).mean(true, 1);           // biased variance, as torch
        INDArray inv = Nd4j.math().rsqrt(var.addi(eps));
        return centered.muliColumnVector(inv).muliRowVector(weight).addiRowVector(bias);
    }

    public long dim() {
        return weight.length();
    }
}
