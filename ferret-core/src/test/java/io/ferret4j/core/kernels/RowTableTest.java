package io.ferret4j.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

final class RowTableTest {

    @Test
    void gathersTheRequestedRowsWidenedToFloat() {
        SplittableRandom random = new SplittableRandom(31);
        CompactMatrix[] tables = {TestMatrices.randomF16(random, 100, 40, true),
                Q8_0.quantize(TestMatrices.floats(random, 100 * 64, 1), 100, 64)};
        for (CompactMatrix table : tables) {
            INDArray rows = new RowTable(table).gather(7, 0, 99, 7);
            assertThat(rows.shape()).containsExactly(4, table.cols());
            int[] ids = {7, 0, 99, 7};
            for (int i = 0; i < ids.length; i++) {
                for (int c = 0; c < table.cols(); c++) {
                    assertThat(rows.getFloat(i, c)).isEqualTo(table.get(ids[i], c));
                }
            }
        }
    }

    @Test
    void namesAnIdOutsideTheTable() {
        RowTable table = new RowTable(TestMatrices.randomF16(new SplittableRandom(32), 10, 8, false));
        assertThatThrownBy(() -> table.gather(3, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("id 10 at position 1 outside [0, 10)");
    }
}
