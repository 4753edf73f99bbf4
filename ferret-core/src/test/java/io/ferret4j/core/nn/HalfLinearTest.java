package io.ferret4j.core.nn;

import static io.ferret4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

final class HalfLinearTest {

    @Test
    void multipliesInFp32ByTheRoundedWeight() {
        Nd4j.getRandom().setSeed(7);
        INDArray weight = Nd4j.randn(DataType.FLOAT, 24, 40).muli(0.1);             // [out, in]
        INDArray bias = Nd4j.randn(DataType.FLOAT, 24);
        INDArray x = Nd4j.randn(DataType.FLOAT, 5, 40);
        INDArray rounded = weight.castTo(DataType.HALF);

        INDArray actual = new HalfLinear(rounded, bias).forward(x);
        INDArray expected = new DenseLinear(rounded.castTo(DataType.FLOAT), bias).forward(x);

        assertThat(actual.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(actual).isEqualTo(expected);                      // the same sgemm on the same widened weight
        assertThat(actual).isNotEqualTo(new DenseLinear(weight, bias).forward(x));   // the weight was rounded
        assertClose(new DenseLinear(weight, bias).forward(x), actual, 2e-3, 0);
    }

    @Test
    void refusesAFloatWeightAndAMisfitBias() {
        assertThatThrownBy(() -> new HalfLinear(Nd4j.zeros(DataType.FLOAT, 2, 3), null))
                .hasMessageContaining("HALF matrix, got FLOAT");
        assertThatThrownBy(() -> new HalfLinear(Nd4j.zeros(DataType.HALF, 2, 3), Nd4j.zeros(DataType.FLOAT, 3)))
                .hasMessageContaining("length 3 does not fit 2");
    }
}
