package io.ferret4j.core.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferret4j.core.testing.Goldens;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

final class WeightsTest {

    @Test
    void requireWithAWrongShapeNamesTheKeyTheExpectedAndTheFoundShape() {
        try (TensorSource src = Checkpoints.open(Goldens.path("ferret/checkpoint/pytorch_model.bin"))) {
            Weights w = Weights.of(src).at("model.").at("layers.1.");
            assertThatThrownBy(() -> w.require("mlp.up_proj.weight", 32, 86))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("pytorch_model.bin")
                    .hasMessageContaining("'model.layers.1.mlp.up_proj.weight'")
                    .hasMessageContaining("has shape [86, 32], expected [32, 86]");
            assertThatThrownBy(() -> w.require("mlp.nope.weight", 4))
                    .hasMessageContaining("missing tensor 'model.layers.1.mlp.nope.weight' (expected shape [4])");
            assertThat(w.unusedKeys()).as("failed requires use nothing").hasSize(41);
        }
    }

    @Test
    void requireWidensF16ToFloatWithTheCheckedShape() {
        try (TensorSource src = Checkpoints.open(Goldens.path("ferret/checkpoint/pytorch_model.bin"))) {
            Weights w = Weights.of(src);
            INDArray proj = w.require("model.mm_projector.weight", 32, 64);
            float[] raw = src.get("model.mm_projector.weight").toFloats();
            assertThat(proj.shape()).containsExactly(32, 64);
            assertThat(proj.getFloat(0, 0)).isEqualTo(raw[0]);
            assertThat(proj.getFloat(31, 63)).isEqualTo(raw[32 * 64 - 1]);
            assertThat(w.optional("model.mm_projector.nothing", 1)).isEmpty();
            assertThat(w.optional("model.norm.weight", 32)).isPresent();
        }
    }

    @Test
    void requireAllUsedListsTheUnusedKeysAndIgnoreMarksAPrefix() {
        try (TensorSource src = Checkpoints.open(Goldens.path("ferret/checkpoint/pytorch_model.bin"))) {
            Weights w = Weights.of(src);
            w.at("model.").ignore("layers.");                      // 2 x 10 tensors, inv_freq included
            w.ignore("model.region_geo_sampler.");                  // 16
            w.require("lm_head.weight", 32001, 32);
            w.require("model.embed_tokens.weight", 32001, 32);
            assertThat(w.unusedKeys()).containsExactly(
                    "model.mm_projector.bias", "model.mm_projector.weight", "model.norm.weight");
            assertThatThrownBy(w::requireAllUsed).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("pytorch_model.bin")
                    .hasMessageContaining("3 unexpected tensor(s) not used by the model: model.mm_projector.bias, "
                            + "model.mm_projector.weight, model.norm.weight");
            w.at("model.").ignore("mm_projector.");
            w.require("model.norm.weight", 32);
            w.requireAllUsed();
            assertThat(w.unusedKeys()).isEmpty();
        }
    }

    @Test
    void ignoreMatchesOnlyItsOwnPrefix() {
        try (TensorSource src = Checkpoints.open(Goldens.path("ferret/checkpoint/pytorch_model.bin"))) {
            Weights w = Weights.of(src);
            w.ignore("model.layers.1.");
            assertThat(w.unusedKeys()).hasSize(41 - 10).anyMatch(k -> k.startsWith("model.layers.0."))
                    .noneMatch(k -> k.startsWith("model.layers.1."));
            w.ignore("model.layers.9");
            assertThat(w.unusedKeys()).hasSize(31);
        }
    }

    @Test
    void requireUnmapsTheCopiedTensorAtOnceWhileRequireRawKeepsItsMapping() throws Exception {
        for (String file : new String[] {"ferret/checkpoint/pytorch_model.bin", "ferret/checkpoint/model.safetensors"}) {
            java.nio.file.Path path = Goldens.path(file).toRealPath();
            try (TensorSource src = Checkpoints.open(path)) {
                Weights w = Weights.of(src);
                long before = mappingsOf(path);
                w.require("lm_head.weight", 32001, 32);
                assertThat(mappingsOf(path)).as("%s: the widened copy leaves no mapping behind", file).isEqualTo(before);
                RawTensor kept = w.requireRaw("model.embed_tokens.weight", 32001, 32);
                assertThat(mappingsOf(path)).as("%s: a raw tensor stays mapped", file).isEqualTo(before + 1);
                assertThat(kept.toFloats()[5]).isEqualTo(src.get("model.embed_tokens.weight").toFloats()[5]);
            }
        }
    }

    @Test
    void aReleasedTensorRefusesToBeReadAgain() {
        try (TensorSource src = Checkpoints.open(Goldens.path("ferret/checkpoint/model.safetensors"))) {
            RawTensor t = src.get("model.norm.weight");
            t.release();
            assertThatThrownBy(t::toFloats).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'model.norm.weight' was released");
        }
    }

    @Test
    void requireF16RoundsF32ToNearestHalfAndKeepsF16AsStored() {
        try (TensorSource clip = Checkpoints.open(Goldens.path("clip/model"));
             TensorSource ferret = Checkpoints.open(Goldens.path("ferret/checkpoint/model.safetensors"))) {
            String name = "vision_model.encoder.layers.0.mlp.fc1.weight";
            float[] stored = clip.get(name).toFloats();
            RawTensor rounded = Weights.of(clip).requireF16(name, 128, 64);
            assertThat(rounded.dtype()).isEqualTo(DType.F16);
            float[] halves = rounded.toFloats();
            for (int i = 0; i < stored.length; i++) {
                assertThat(halves[i]).as("element %d", i).isEqualTo(Float16.round(stored[i]));
            }
            RawTensor kept = Weights.of(ferret).requireF16("lm_head.weight", 32001, 32);
            assertThat(kept.toFloats()).isEqualTo(ferret.get("lm_head.weight").toFloats());
        }
    }

    /** Lines of /proc/self/maps that map {@code file}. */
    private static long mappingsOf(java.nio.file.Path file) throws java.io.IOException {
        return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps")).stream()
                .filter(l -> l.endsWith(" " + file)).count();
    }
}
