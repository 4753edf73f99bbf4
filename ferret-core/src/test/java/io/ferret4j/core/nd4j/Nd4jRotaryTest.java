package io.ferret4j.core.nd4j;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

final class Nd4jRotaryTest {
    private static final int D = 6;
    private static final int POSITIONS = 10;

    @Test
    void rotatesEachHalfPairByItsRowsPositionWithTheSameRoundings() {
        float[] cos = new float[POSITIONS * D / 2];
        float[] sin = new float[POSITIONS * D / 2];
        for (int i = 0; i < cos.length; i++) {
            cos[i] = (float) Math.cos(0.37 * i);
            sin[i] = (float) Math.sin(0.37 * i);
        }
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.FLOAT, 3, 2 * D);                // 3 rows of 2 heads
        int start = 4;

        INDArray actual = new Nd4jRotary(cos, sin, D).apply(x, start);

        float[][] in = x.toFloatMatrix();
        float[][] expected = new float[3][2 * D];
        for (int t = 0; t < 3; t++) {
            for (int head = 0; head < 2 * D; head += D) {
                for (int i = 0; i < D / 2; i++) {
                    float x1 = in[t][head + i];
                    float x2 = in[t][head + D / 2 + i];
                    float c = cos[(start + t) * D / 2 + i];
                    float s = sin[(start + t) * D / 2 + i];
                    expected[t][head + i] = x1 * c - x2 * s;
                    expected[t][head + D / 2 + i] = x2 * c + x1 * s;
                }
            }
        }
        assertThat(actual.toFloatMatrix()).isEqualTo(expected);
    }
}
