package io.ferret4j.encoder;

import static io.ferret4j.core.testing.TensorAssert.FP32_ATOL;
import static io.ferret4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.weights.CheckpointException;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.core.weights.SafeTensorsWriter;
import io.ferret4j.encoder.ClipVisionTower.SelectFeature;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Loading rules of {@link ClipVisionTower}: which tensors it takes, ignores or refuses, and its input checks. */
final class ClipVisionTowerTest {
    private static final Path MODEL = Goldens.path("clip/model");
    private static INDArray pixels;
    private static ClipVisionTower golden;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        try (SafeTensors st = SafeTensors.open(Goldens.path("clip/preprocess.safetensors"))) {
            pixels = st.get("image0.pixel_values").toFloatArray();
        }
        golden = ClipVisionTower.load(MODEL, -2, SelectFeature.PATCH);
    }

    @Test
    void loadsAFullClipModelCheckpointIgnoringTheTextSideExplicitly() throws IOException {
        SafeTensorsWriter w = copyOfGoldenModel();
        w.addF32("text_model.embeddings.token_embedding.weight", new long[] {10, 8}, new float[80]);
        w.addF32("text_model.final_layer_norm.weight", new long[] {8}, new float[8]);
        w.addF32("visual_projection.weight", new long[] {4, 64}, new float[256]);
        w.addF32("text_projection.weight", new long[] {4, 8}, new float[32]);
        w.addF32("logit_scale", new long[0], new float[] {4.6f});
        w.add("vision_model.embeddings.position_ids", DType.I64, new long[] {1, 577}, positionIds(577));
        w.write(dir.resolve("model.safetensors"));
        String vision = Files.readString(MODEL.resolve("config.json"));
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"CLIPModel\"], \"model_type\": \"clip\","
                + " \"projection_dim\": 4, \"text_config\": {\"hidden_size\": 8}, \"vision_config\": " + vision + "}");

        ClipVisionTower full = ClipVisionTower.load(dir, -2, SelectFeature.PATCH);

        assertThat(full.config()).isEqualTo(golden.config());
        assertClose(golden.features(pixels), full.features(pixels), 0, 0);
    }

    @Test
    void refusesTensorsNothingUses() throws IOException {
        SafeTensorsWriter w = copyOfGoldenModel();
        w.addF32("vision_model.encoder.layers.3.layer_norm1.weight", new long[] {64}, new float[64]);
        w.write(dir.resolve("model.safetensors"));
        Files.copy(MODEL.resolve("config.json"), dir.resolve("config.json"));

        assertThatThrownBy(() -> ClipVisionTower.load(dir, -2, SelectFeature.PATCH))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("vision_model.encoder.layers.3.layer_norm1.weight");
    }

    @Test
    void refusesMisshapedTensorsNamingKeyAndShapes() throws IOException {
        Files.copy(MODEL.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("config.json"), Files.readString(MODEL.resolve("config.json"))
                .replace("\"intermediate_size\": 128", "\"intermediate_size\": 256"));

        assertThatThrownBy(() -> ClipVisionTower.load(dir, -2, SelectFeature.PATCH))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("vision_model.encoder.layers.0.mlp.fc1.weight")
                .hasMessageContaining("[128, 64]").hasMessageContaining("[256, 64]");
    }

    @Test
    void selectsAnyHiddenStateByPositiveOrNegativeIndex() {
        assertThat(ClipVisionTower.hiddenStateIndex(-2, 24)).isEqualTo(23);
        assertThat(ClipVisionTower.hiddenStateIndex(-25, 24)).isZero();
        assertThat(ClipVisionTower.hiddenStateIndex(24, 24)).isEqualTo(24);
        assertThatThrownBy(() -> ClipVisionTower.hiddenStateIndex(-26, 24)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-26").hasMessageContaining("24 layers");
        assertThatThrownBy(() -> ClipVisionTower.hiddenStateIndex(25, 24)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("25");
    }

    @Test
    void selectLayerZeroIsThePreLayrnormOutput() {
        ClipVisionTower zero = ClipVisionTower.load(MODEL, 0, SelectFeature.CLS_PATCH);

        assertThat(CompleteClipVisionModel.hiddenStates(zero, pixels)).hasSize(1);
        assertClose(CompleteClipVisionModel.load(MODEL).hiddenStates(pixels).get(0), zero.features(pixels), 0, 0);
    }

    @Test
    void parsesFerretsSelectFeature() {
        assertThat(SelectFeature.of("patch")).isEqualTo(SelectFeature.PATCH);
        assertThat(SelectFeature.of("cls_patch")).isEqualTo(SelectFeature.CLS_PATCH);
        assertThatThrownBy(() -> SelectFeature.of("cls")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'cls'");
    }

    @Test
    void refusesPixelValuesOfAnotherSize() {
        INDArray wrong = Nd4j.zeros(DataType.FLOAT, 1, 3, 224, 224);

        assertThatThrownBy(() -> golden.features(wrong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[1, 3, 224, 224]").hasMessageContaining("[B, 3, 336, 336]");
    }

    @Test
    void aClosedTowerRefusesToRunAndClosesOnce() {
        ClipVisionTower tower = ClipVisionTower.load(MODEL, -2, SelectFeature.PATCH,
                ExecutionPlan.Part.visionTower(WeightFormat.F16, Precision.FP32));
        tower.features(pixels);

        tower.close();
        tower.close();

        assertThatThrownBy(() -> tower.features(pixels)).isInstanceOf(IllegalStateException.class)
                .hasMessage("this vision tower is closed");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void quickGeluIsTheSigmoidApproximation(Engine engine) {
        float[] z = {-6f, -1.5f, -0.25f, 0f, 0.3f, 1f, 2.5f, 8f};

        INDArray out = ClipMlp.quickGelu(Nd4j.create(z), engine);

        for (int i = 0; i < z.length; i++) {
            double expected = z[i] / (1 + Math.exp(-1.702 * z[i]));
            assertThat((double) out.getFloat(i)).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void loadsFerretsVisionTowerFolderFromPyTorchBin() {
        Path folder = Goldens.path("ferret/checkpoint/vision_tower");

        ClipVisionTower tower = ClipVisionTower.load(folder, -2, SelectFeature.PATCH);

        try (SafeTensors expected = SafeTensors.open(Goldens.path("ferret/ferret_goldens.safetensors"))) {
            INDArray features = tower.features(pixels);
            assertClose(expected.get("ground.image_features").toFloatArray().reshape(features.shape()), features,
                    FP32_ATOL, 0);
        }
    }

    private static SafeTensorsWriter copyOfGoldenModel() {
        SafeTensorsWriter w = new SafeTensorsWriter();
        try (SafeTensors st = SafeTensors.open(MODEL.resolve("model.safetensors"))) {
            for (String name : st.names()) {
                RawTensor t = st.get(name);
                w.add(name, t.dtype(), t.shape(), copy(t.bytes()));
            }
        }
        return w;
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer out = ByteBuffer.allocate(b.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        return out.put(b).flip();
    }

    private static ByteBuffer positionIds(int n) {
        ByteBuffer b = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putLong(i);
        }
        return b.flip();
    }
}
