package io.ferret4j.encoder;

import static io.ferret4j.core.testing.TensorAssert.FP32_ATOL;
import static io.ferret4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.core.probe.RecordingProbe;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.testing.TensorAssert;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.encoder.ClipVisionTower.SelectFeature;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The tiny CLIP of {@code golden/clip/model} (hidden 64, 3 layers, 4 heads, 336/14) against HF's
 * {@code CLIPVisionModel} outputs in {@code golden/clip/clip_outputs.safetensors}, fed the golden
 * {@code pixel_values}.
 */
final class ClipVisionTowerGoldenTest {
    private static SafeTensors inputs;
    private static SafeTensors outputs;
    private static CompleteClipVisionModel complete;
    private static ClipVisionTower ferret;

    @BeforeAll
    static void load() {
        inputs = SafeTensors.open(Goldens.path("clip/preprocess.safetensors"));
        outputs = SafeTensors.open(Goldens.path("clip/clip_outputs.safetensors"));
        complete = CompleteClipVisionModel.load(Goldens.path("clip/model"));
        ferret = ClipVisionTower.load(Goldens.path("clip/model"), -2, SelectFeature.PATCH);
    }

    @AfterAll
    static void close() {
        inputs.close();
        outputs.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void matchesHuggingFaceEmbeddingsAndEveryHiddenState(int image) {
        INDArray pixels = pixels(image);
        INDArray expected = expected(image, "hidden_states");         // [L+1, 1, T, D]

        List<INDArray> states = complete.hiddenStates(pixels);
        RecordingProbe probe = new RecordingProbe();
        ferret.features(pixels, probe);

        assertClose(expected(image, "embeddings_before_pre_layrnorm"), probe.get("embeddings_before_pre_layrnorm"),
                FP32_ATOL, 0);
        assertThat(states).hasSize((int) expected.size(0));
        for (int i = 0; i < states.size(); i++) {
            INDArray layer = expected.get(NDArrayIndex.point(i)).reshape(states.get(i).shape());
            assertClose(layer, states.get(i), FP32_ATOL, 0);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void matchesFerretsFeatureSecondToLastLayerWithoutClass(int image) {
        INDArray hs = expected(image, "hidden_states");
        INDArray expected = hs.get(NDArrayIndex.point(hs.size(0) - 2), NDArrayIndex.all(),
                NDArrayIndex.interval(1, hs.size(2)), NDArrayIndex.all());        // [1, 576, 64]

        INDArray features = ferret.features(pixels(image));

        assertThat(features.shape()).containsExactly(1, 576, 64);
        assertClose(expected, features, FP32_ATOL, 0);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void theNd4jEngineMatchesFerretsFeatureWithFp32AndHalfWeights(int image) {
        INDArray hs = expected(image, "hidden_states");
        INDArray expected = hs.get(NDArrayIndex.point(hs.size(0) - 2), NDArrayIndex.all(),
                NDArrayIndex.interval(1, hs.size(2)), NDArrayIndex.all());        // [1, 576, 64]
        ClipVisionTower nd4j = ClipVisionTower.load(Goldens.path("clip/model"), -2, SelectFeature.PATCH,
                ExecutionPlan.Part.visionTower(Engine.ND4J, WeightFormat.F32, Precision.FP32));
        ClipVisionTower half = ClipVisionTower.load(Goldens.path("clip/model"), -2, SelectFeature.PATCH,
                ExecutionPlan.Part.visionTower(Engine.ND4J, WeightFormat.F16, Precision.FP32));

        assertClose(expected, nd4j.features(pixels(image)), FP32_ATOL, 0);
        assertThat(TensorAssert.maxAbsDiff(expected, half.features(pixels(image))))
                .as("rounded weights, fp32 activations").isPositive().isLessThan(1e-2);
    }

    @Test
    void theNd4jEngineRefusesBf16() {
        assertThatThrownBy(() -> ExecutionPlan.Part.visionTower(Engine.ND4J, WeightFormat.F32, Precision.BF16))
                .hasMessageContaining("the nd4j engine multiplies in fp32, got bf16 products");
    }

    @Test
    void bf16ProductsStayWithinBf16ErrorOfTheReferenceFeature() {
        ClipVisionTower bf16 = ClipVisionTower.load(Goldens.path("clip/model"), -2, SelectFeature.PATCH,
                ExecutionPlan.Part.visionTower(WeightFormat.F32, Precision.BF16));
        INDArray hs = expected(0, "hidden_states");
        INDArray expected = hs.get(NDArrayIndex.point(hs.size(0) - 2), NDArrayIndex.all(),
                NDArrayIndex.interval(1, hs.size(2)), NDArrayIndex.all());

        INDArray features = bf16.features(pixels(0));

        double relative = features.sub(expected).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
        assertThat(relative).isLessThan(2e-2);                       // bf16 keeps 8 bits: ~4e-3 per rounding
    }

    @Test
    void f16WeightsRoundedFromTheFp32CheckpointStayWithinHalfPrecisionOfTheReference() {
        ClipVisionTower f16 = ClipVisionTower.load(Goldens.path("clip/model"), -2, SelectFeature.PATCH,
                ExecutionPlan.Part.visionTower(WeightFormat.F16, Precision.FP32));
        INDArray hs = expected(0, "hidden_states");
        INDArray expected = hs.get(NDArrayIndex.point(hs.size(0) - 2), NDArrayIndex.all(),
                NDArrayIndex.interval(1, hs.size(2)), NDArrayIndex.all());

        INDArray features = f16.features(pixels(0));

        assertThat(TensorAssert.maxAbsDiff(ferret.features(pixels(0)), features)).as("the weights were rounded")
                .isPositive();
        double relative = features.sub(expected).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
        assertThat(relative).isLessThan(2e-3);                        // fp16 keeps 11 bits: ~2.4e-4 per weight
        assertThatThrownBy(() -> ExecutionPlan.Part.visionTower(WeightFormat.Q8_0, Precision.FP32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("f32 or f16, got q8_0");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void matchesHuggingFacePoolerOutput(int image) {
        INDArray pooled = complete.poolerOutput(pixels(image));

        assertClose(expected(image, "pooler_output"), pooled, FP32_ATOL, 0);
    }

    @Test
    void encodesABatchExactlyAsImagesOneByOne() {
        INDArray batch = Nd4j.concat(0, pixels(0), pixels(1), pixels(0));

        INDArray together = ferret.features(batch);
        INDArray first = ferret.features(pixels(0));
        INDArray second = ferret.features(pixels(1));

        assertThat(together.shape()).containsExactly(3, 576, 64);
        assertThat(TensorAssert.maxAbsDiff(first, together.get(NDArrayIndex.interval(0, 1)))).isZero();
        assertThat(TensorAssert.maxAbsDiff(second, together.get(NDArrayIndex.interval(1, 2)))).isZero();
        assertThat(TensorAssert.maxAbsDiff(first, together.get(NDArrayIndex.interval(2, 3)))).isZero();
        assertClose(expected(1, "pooler_output"), complete.poolerOutput(batch).get(NDArrayIndex.interval(1, 2)),
                FP32_ATOL, 0);
    }

    @Test
    void keepsTheClassTokenForClsPatch() {
        ClipVisionTower clsPatch = ClipVisionTower.load(Goldens.path("clip/model"), 1, SelectFeature.CLS_PATCH);
        INDArray expected = expected(0, "hidden_states").get(NDArrayIndex.point(1));    // [1, 577, 64]

        INDArray features = clsPatch.features(pixels(0));

        assertThat(features.shape()).containsExactly(1, 577, 64);
        assertClose(expected, features, FP32_ATOL, 0);
    }

    @Test
    void runsOnlyTheLayersUpToTheSelectedOne() {
        // hs[0..2] of 4: layer 2 is never run
        assertThat(CompleteClipVisionModel.hiddenStates(ferret, pixels(0))).hasSize(3);
        assertThat(complete.hiddenStates(pixels(0))).hasSize(4);
    }

    private static INDArray pixels(int image) {
        return inputs.get("image" + image + ".pixel_values").toFloatArray();
    }

    private static INDArray expected(int image, String name) {
        return outputs.get("image" + image + "." + name).toFloatArray();
    }
}
