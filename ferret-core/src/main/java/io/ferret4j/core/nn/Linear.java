package io.ferret4j.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code y = x·Wᵀ + b} for a PyTorch {@code Linear(in, out)} whose weight is stored {@code [out, in]}. This is
 * the one seam through which models multiply by weights, so the way weights are held (fp32, fp16, int8) can
 * change without touching model code.
 */
public interface Linear {

    /** Applies the layer to a batch of rows (see {@link RowByRow} for when a row's rounding may depend on the others). */
    INDArray forward(INDArray x);                                      // [n, in] -> [n, out]

    /** {@code in}. */
    long inFeatures();

    /** {@code out}. */
    long outFeatures();
}
