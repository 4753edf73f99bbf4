package io.ferret4j.core.nd4j;

import static io.ferret4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Against attention written out with loops in double precision. */
final class Nd4jAttentionTest {
    private static final int HEADS = 4;
    private static final int KV_HEADS = 2;
    private static final int D = 8;

    @Test
    void causalGroupedQueryAttentionMatchesTheDefinition() {
        Nd4j.getRandom().setSeed(3);
        int rows = 3;
        int past = 2;
        int seen = past + rows;
        INDArray query = Nd4j.randn(DataType.FLOAT, rows, HEADS * D);
        INDArray keys = Nd4j.randn(DataType.FLOAT, KV_HEADS, seen, D);
        INDArray values = Nd4j.randn(DataType.FLOAT, KV_HEADS, seen, D);

        INDArray actual = Nd4jAttention.attend(query, keys, values, Nd4jAttention.causalMask(rows, past, seen),
                HEADS, Math.sqrt(D));

        assertClose(reference(query, keys, values, past, Math.sqrt(D)), actual, 1e-5, 0);
    }

    @Test
    void withoutAMaskEveryRowSeesEveryKey() {
        Nd4j.getRandom().setSeed(4);
        INDArray query = Nd4j.randn(DataType.FLOAT, 5, HEADS * D);
        INDArray keys = Nd4jAttention.heads(Nd4j.randn(DataType.FLOAT, 5, HEADS * D), HEADS);
        INDArray values = Nd4jAttention.heads(Nd4j.randn(DataType.FLOAT, 5, HEADS * D), HEADS);

        INDArray actual = Nd4jAttention.attend(query, keys, values, null, HEADS, 1.0);

        assertClose(reference(query, keys, values, Integer.MAX_VALUE / 2, 1.0), actual, 1e-5, 0);
    }

    @Test
    void theCausalMaskHidesExactlyTheLaterPositions() {
        INDArray mask = Nd4jAttention.causalMask(2, 1, 4);
        assertThat(mask.toFloatMatrix()).isEqualTo(new float[][] {
                {0, 0, -Float.MAX_VALUE, -Float.MAX_VALUE},
                {0, 0, 0, -Float.MAX_VALUE}});
    }

    /** Row {@code t} (position {@code first + t}) attends to positions {@code <= first + t}. */
    private static INDArray reference(INDArray query, INDArray keys, INDArray values, int first, double divisor) {
        int rows = (int) query.size(0);
        int seen = (int) keys.size(1);
        int groups = HEADS / (int) keys.size(0);
        double[][] out = new double[rows][HEADS * D];
        for (int t = 0; t < rows; t++) {
            for (int h = 0; h < HEADS; h++) {
                int kv = h / groups;
                int visible = Math.min(seen, first + t + 1);
                double[] p = new double[visible];
                double max = Double.NEGATIVE_INFINITY;
                for (int s = 0; s < visible; s++) {
                    for (int i = 0; i < D; i++) {
                        p[s] += query.getDouble(t, h * D + i) * keys.getDouble(kv, s, i);
                    }
                    p[s] /= divisor;
                    max = Math.max(max, p[s]);
                }
                double sum = 0;
                for (int s = 0; s < visible; s++) {
                    p[s] = Math.exp(p[s] - max);
                    sum += p[s];
                }
                for (int s = 0; s < visible; s++) {
                    for (int i = 0; i < D; i++) {
                        out[t][h * D + i] += p[s] / sum * values.getDouble(kv, s, i);
                    }
                }
            }
        }
        return Nd4j.create(out).castTo(DataType.FLOAT);
    }
}
