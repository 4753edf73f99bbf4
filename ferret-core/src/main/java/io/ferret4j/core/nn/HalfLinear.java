package io.ferret4j.core.nn;

import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link Linear} whose {@code [out, in]} weight is an ND4J HALF array (half the memory of FLOAT, on the backend's
 * device). Each product widens the weight to FLOAT with an ND4J cast and runs one sgemm, so only the weights are
 * rounded and the arithmetic is fp32 (HALF products on ND4J's CPU backend skip BLAS and run 200–1500× slower); the
 * widened copy is freed as soon as the product is done.
 */
public final class HalfLinear implements Linear {
    private final INDArray weight;                                     // [out, in] HALF
    private final INDArray bias;                                       // [1, out] FLOAT or null

    /**
     * @param weight HALF {@code [out, in]}
     * @param bias   FLOAT {@code [out]}, or null
     */
    public HalfLinear(INDArray weight, INDArray bias) {
        if (weight.rank() != 2 || weight.dataType() != DataType.HALF) {
            throw new IllegalArgumentException("weight must be a HALF matrix, got " + weight.dataType()
                    + Arrays.toString(weight.shape()));
        }
        if (bias != null && (bias.length() != weight.size(0) || bias.dataType() != DataType.FLOAT)) {
            throw new IllegalArgumentException("bias " + bias.dataType() + " of length " + bias.length()
                    + " does not fit " + weight.size(0) + " FLOAT out features");
        }
        this.weight = weight.isView() || weight.ordering() != 'c' ? weight.dup('c') : weight;
        this.bias = bias == null ? null : bias.reshape(1, bias.length());
    }

    @Override
    public INDArray forward(INDArray x) {                              // [n, in] -> [n, out]
        INDArray widened = weight.castTo(DataType.FLOAT);              // [out, in]
        try {
            return DenseLinear.multiply(x, widened, bias);
        } finally {
            if (widened.closeable()) {                                 // inside a layer workspace it is reused
                widened.close();
            }
        }
    }

    @Override
    public long inFeatures() {
        return weight.size(1);
    }

    @Override
    public long outFeatures() {
        return weight.size(0);
    }

    /** The HALF {@code [out, in]} weight (shared, do not modify). */
    public INDArray weight() {
        return weight;
    }
}
