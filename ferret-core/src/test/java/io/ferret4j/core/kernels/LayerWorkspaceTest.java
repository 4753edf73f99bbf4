package io.ferret4j.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

final class LayerWorkspaceTest {
    @Test
    void keptStepsOutliveTheScopeAndEachFreesTheResidualItConsumed() {
        INDArray input = Nd4j.ones(DataType.FLOAT, 2, 3);
        INDArray first;
        INDArray second;
        try (LayerWorkspace workspace = LayerWorkspace.enter()) {
            INDArray residual = input;
            first = workspace.keep(residual.add(residual.mul(2)));       // 3
            assertThat(first.isAttached()).as("detached from the workspace").isFalse();
            residual = first;
            second = workspace.keep(residual.add(residual.mul(2)));      // 9
            assertThat(first.wasClosed()).as("the consumed residual is freed").isTrue();
        }
        INDArray later = LayerWorkspace.run(() -> Nd4j.ones(DataType.FLOAT, 64, 64).mul(7));  // reuses the workspace

        assertThat(second.isAttached()).isFalse();
        assertThat(second.data().asFloat()).containsOnly(9f);
        assertThat(later.getFloat(0)).isEqualTo(7f);
        assertThat(input.wasClosed()).as("the caller's input is left alone").isFalse();
    }

    @Test
    void aClosedScopeRefusesToKeep() {
        LayerWorkspace workspace = LayerWorkspace.enter();
        workspace.close();
        workspace.close();                                             // closing twice is harmless

        assertThatThrownBy(() -> workspace.keep(Nd4j.ones(1))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThat(Nd4j.getMemoryManager().getCurrentWorkspace()).as("no workspace left active").isNull();
    }
}
