package io.ferret4j.core.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.testing.ProcSelf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

final class TensorMemoryTest {
    private static final Path CHECKPOINT = Goldens.path("ferret/checkpoint");

    @TempDir
    Path dir;

    @Test
    void closingUnmapsTheTensorsKeptInPlaceAndFreesTheWidenedArrays() throws IOException {
        assumeThat(ProcSelf.available()).as("needs Linux /proc").isTrue();
        for (String file : new String[] {"model.safetensors", "pytorch_model.bin"}) {
            Path own = Files.createDirectory(dir.resolve(file + ".d"));   // no other test maps this copy
            Files.copy(CHECKPOINT.resolve(file), own.resolve(file));
            TensorMemory memory;
            RawTensor kept;
            INDArray widened;
            INDArray view;
            try (TensorSource source = Checkpoints.open(own.resolve(file))) {
                Weights w = Weights.of(source);
                memory = w.memory();
                kept = w.requireRaw("model.layers.0.mlp.up_proj.weight", 86, 32);
                widened = w.require("model.mm_projector.bias", 32);
                view = widened.reshape(1, 32);
            }
            assertThat(kept.bytes().getShort(0)).as(file + ": still readable after the source closed").isNotNull();
            assertThat(ProcSelf.mappingsUnder(own)).as(file + ": the kept tensor is mapped").isPositive();

            memory.close();
            memory.close();

            assertThat(ProcSelf.mappingsUnder(own)).as(file + ": unmapped").isZero();
            assertThat(widened.data().wasClosed()).as(file).isTrue();
            assertThat(view.data().wasClosed()).as(file + ": a view shares the freed buffer").isTrue();
        }
    }

    @Test
    void closesWhatALoaderOwnsThroughItAndRefusesMoreOnceClosed() {
        try (TensorSource source = Checkpoints.open(CHECKPOINT)) {
            TensorMemory memory = Weights.of(source).memory();
            boolean[] closed = {false};
            AutoCloseable packed = () -> closed[0] = true;
            memory.own(packed);

            memory.close();

            assertThat(closed[0]).isTrue();
            assertThatThrownBy(() -> memory.own(packed)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
    }
}
