package io.ferret4j.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.BinaryOperator;

import io.ferret4j.core.nn.DenseLinear;
import io.ferret4j.core.nn.Linear;
import io.ferret4j.core.nn.RowByRow;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Swish;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Decoding several sequences in one step gives each the answer it gets alone only if every operation of the step
 * computes a row of a batch exactly as that row alone: the norms, the residual sums, the products and the MLP's
 * activation of a decoder layer.
 */
final class RowIndependenceTest {

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 8, 17, RowByRow.MAX_ROWS})
    void everyRowOfABatchIsBitForBitTheRowAlone(int n) {
        Nd4j.getRandom().setSeed(n);
        int hidden = 4096;
        int intermediate = 11008;
        INDArray x = Nd4j.randn(DataType.FLOAT, n, hidden);
        INDArray residual = Nd4j.randn(DataType.FLOAT, n, hidden);
        INDArray gain = Nd4j.rand(DataType.FLOAT, hidden).addi(0.5);
        INDArray weight = Nd4j.randn(DataType.FLOAT, 64, hidden);
        INDArray gate = Nd4j.randn(DataType.FLOAT, n, intermediate).muli(4);
        INDArray up = Nd4j.randn(DataType.FLOAT, n, intermediate);
        RmsNorm norm = new RmsNorm(gain, 1e-6);

        assertRowsAlone(x, residual, (a, b) -> norm.forward(a));
        assertRowsAlone(x, residual, INDArray::add);
        Linear projection = RowByRow.independent(new DenseLinear(weight, null));
        assertRowsAlone(x, residual, (a, b) -> projection.forward(a));
        assertRowsAlone(gate, up, (a, b) -> {
            INDArray g = a.dup();
            Nd4j.exec(new Swish(g, g));
            return g.muli(b);
        });
    }

    /** {@code op(a, b)} on all rows at once equals, row by row and bit for bit, {@code op} on each pair of rows. */
    private static void assertRowsAlone(INDArray a, INDArray b, BinaryOperator<INDArray> op) {
        INDArray batch = op.apply(a, b);
        for (int i = 0; i < a.size(0); i++) {
            float[] alone = op.apply(a.getRow(i, true).dup(), b.getRow(i, true).dup()).data().asFloat();
            float[] inBatch = batch.getRow(i, true).dup().data().asFloat();
            for (int j = 0; j < alone.length; j++) {
                assertThat(Float.floatToRawIntBits(inBatch[j])).as("row %d of %d, column %d", i, a.size(0), j)
                        .isEqualTo(Float.floatToRawIntBits(alone[j]));
            }
        }
    }
}
