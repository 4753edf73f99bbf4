package io.ferret4j.core.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The optional FLOAT bias of the compact linears. */
final class CompactBias {
    private CompactBias() {
    }

    /** The bias as a {@code [1, out]} row, or null; fails naming both lengths if it does not fit. */
    static INDArray check(INDArray bias, int out) {
        if (bias == null) {
            return null;
        }
        if (bias.length() != out || bias.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("bias " + bias.dataType() + " of length " + bias.length()
                    + " does not fit " + out + " FLOAT out features");
        }
        return bias.reshape(1, out);
    }

    static INDArray add(INDArray y, INDArray bias) {                   // [n, out]
        return bias == null ? y : y.addiRowVector(bias);               // in place: y was just allocated
    }
}
