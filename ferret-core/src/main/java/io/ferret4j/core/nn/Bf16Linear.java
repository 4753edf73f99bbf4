package io.ferret4j.core.nn;

import io.ferret4j.core.dnnl.DnnlBf16Matmul;
import io.ferret4j.core.dnnl.DnnlSupport;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link Linear} whose weight is packed into bf16 once and multiplied by oneDNN with fp32 accumulation
 * ({@link DnnlBf16Matmul}, which holds the error bound). Only where {@link DnnlSupport#available()}. {@link #close()}
 * frees the packed weight at once; the layer must not run afterwards.
 */
public final class Bf16Linear implements Linear, AutoCloseable {
    private final DnnlBf16Matmul matmul;

    /** Packs {@code weight} [out, in] FLOAT into bf16; {@code bias} [out] FLOAT may be null. */
    public Bf16Linear(INDArray weight, INDArray bias) {
        this.matmul = new DnnlBf16Matmul(weight, bias);
    }

    @Override
    public INDArray forward(INDArray x) {                              // [n, in] -> [n, out]
        return matmul.forward(x);
    }

    @Override
    public long inFeatures() {
        return matmul.inFeatures();
    }

    @Override
    public long outFeatures() {
        return matmul.outFeatures();
    }

    @Override
    public void close() {
        matmul.close();
    }
}
