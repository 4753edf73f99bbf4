package io.ferret4j.core.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ferret4j.core.dnnl.DnnlSupport;
import io.ferret4j.core.plan.Conversion;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.testing.TensorAssert;
import io.ferret4j.core.weights.Checkpoints;
import io.ferret4j.core.weights.TensorMemory;
import io.ferret4j.core.weights.TensorSource;
import io.ferret4j.core.weights.Weights;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

final class LinearsTest {
    private final INDArray weight = Nd4j.rand(DataType.FLOAT, 8, 16);
    private final INDArray bias = Nd4j.rand(DataType.FLOAT, 8);
    private final INDArray x = Nd4j.rand(DataType.FLOAT, 3, 16);
    private final TensorMemory memory = new TensorMemory();

    @AfterEach
    void switchBackOnAndFree() {
        System.clearProperty(DnnlSupport.SWITCH_PROPERTY);
        memory.close();
    }

    @Test
    void fp32IsAlwaysDenseLinear() {
        assertThat(new WeightMatrix.Dense(weight).linear(bias, Precision.FP32, memory)).isInstanceOf(DenseLinear.class);
    }

    @Test
    void bf16UsesOneDnnWhereAvailableAndStaysCloseToFp32() {
        assumeTrue(DnnlSupport.available(), DnnlSupport.status());

        Linear linear = new WeightMatrix.Dense(weight).linear(bias, Precision.BF16, memory);

        assertThat(linear).isInstanceOf(Bf16Linear.class);
        TensorAssert.assertClose(new DenseLinear(weight, bias).forward(x), linear.forward(x), 0.05, 0.01);
    }

    @Test
    void loadReadsWeightAndBiasAndMarksThemUsed() {
        try (TensorSource src = Checkpoints.open(Goldens.path("ferret/checkpoint/pytorch_model.bin"))) {
            Weights w = Weights.of(src).at("model.");
            Linear reference = DenseLinear.load(Weights.of(src).at("model."), "mm_projector", 64, 32, true);
            INDArray hidden = Nd4j.rand(DataType.FLOAT, 5, 64);
            assertThat(w.unusedKeys()).contains("model.mm_projector.weight", "model.mm_projector.bias");

            Linear linear = Linears.load(w, "mm_projector", 64, 32, true,
                    new ExecutionPlan.Part(WeightFormat.F32, Conversion.AT_LOAD, Precision.BF16));

            assertThat(linear).isInstanceOf(DnnlSupport.available() ? Bf16Linear.class : DenseLinear.class);
            TensorAssert.assertClose(reference.forward(hidden), linear.forward(hidden), 0.05, 0.01);
            assertThat(w.unusedKeys()).doesNotContain("model.mm_projector.weight", "model.mm_projector.bias");
        }
    }

    @Test
    void bf16FallsBackToDenseLinearWhenSwitchedOff() {
        System.setProperty(DnnlSupport.SWITCH_PROPERTY, "off");

        Linear linear = new WeightMatrix.Dense(weight).linear(bias, Precision.BF16, memory);

        assertThat(linear).isInstanceOf(DenseLinear.class);
        assertThat(linear.forward(x)).isEqualTo(new DenseLinear(weight, bias).forward(x));
    }
}
