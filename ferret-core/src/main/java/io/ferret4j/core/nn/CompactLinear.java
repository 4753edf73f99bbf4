package io.ferret4j.core.nn;

import io.ferret4j.core.kernels.CompactMatrix;
import io.ferret4j.core.kernels.MatMul;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link Linear} over a compact {@code [out, in]} weight (F16, Q8_0 or Q4_0, usually mapped from the checkpoint):
 * the product goes through {@link MatMul} (kernels for a few rows, dequantised tiles and sgemm for many), then the
 * FLOAT bias. Up to {@link RowByRow#MAX_ROWS} rows always take the kernels, whose every row equals its product
 * alone, in one pass over the weight. Outputs equal {@link DenseLinear} on the widened weight up to fp32 summation
 * order.
 *
 * @param <M> the weight's storage
 */
public final class CompactLinear<M extends CompactMatrix> implements Linear {
    private final M weight;                                            // [out, in]
    private final INDArray bias;                                       // [1, out] or null
    private final MatMul matMul;

    /**
     * @param weight {@code [out, in]}
     * @param bias   FLOAT {@code [out]}, or null
     * @param matMul how products are computed ({@link MatMul#defaults()} normally)
     */
    public CompactLinear(M weight, INDArray bias, MatMul matMul) {
        this.weight = weight;
        this.bias = CompactBias.check(bias, weight.rows());
        this.matMul = matMul;
    }

    @Override
    public INDArray forward(INDArray x) {                              // [n, in] -> [n, out]
        INDArray product = x.size(0) <= RowByRow.MAX_ROWS ? matMul.matvec(weight, x) : matMul.multiply(weight, x);
        return CompactBias.add(product, bias);
    }

    @Override
    public long inFeatures() {
        return weight.cols();
    }

    @Override
    public long outFeatures() {
        return weight.rows();
    }

    /** The {@code [out, in]} weight. */
    public M weight() {
        return weight;
    }
}
