package io.ferret4j.e2e;

import static io.ferret4j.core.testing.TensorAssert.FP32_ATOL;
import static io.ferret4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.plan.KvCacheFormat;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.core.region.Region;
import io.ferret4j.core.testing.TensorAssert;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.llm.Ferret;
import io.ferret4j.llm.FerretAnswer;
import io.ferret4j.llm.FerretOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The assembled model against the reference run of ml-ferret on the tiny golden checkpoint: prompt and ids exactly,
 * every intermediate within 1e-4, the 12 greedy tokens exactly — for both cases and both checkpoint formats.
 */
final class FerretEndToEndTest {
    private static final int NEW_TOKENS = 12;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"model.safetensors", "pytorch_model.bin"})
    void groundsAsTheReferenceDoes(String weights) {
        try (Ferret ferret = load(weights)) {
            Path dump = dir.resolve("ground.safetensors");
            FerretAnswer answer = ferret.conversation(FerretGoldens.image())
                    .ask("What is the location of the white bathtub in the image?", List.of(), t -> { }, Optional.of(dump));

            assertThat(ferret.ground(FerretGoldens.image(), "the white bathtub").prompt()).isEqualTo(answer.prompt());
            assertMatchesReference("ground", answer, dump);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"model.safetensors", "pytorch_model.bin"})
    void refersAsTheReferenceDoes(String weights) {
        try (Ferret ferret = load(weights)) {
            Path dump = dir.resolve("refer.safetensors");
            FerretAnswer answer = ferret.conversation(FerretGoldens.image()).ask(
                    "Is the object <region> of the image a sink or a mirror?", List.of(FerretGoldens.referMask()),
                    t -> { }, Optional.of(dump));

            assertMatchesReference("refer", answer, dump);
            try (SafeTensors expected = FerretGoldens.tensors(); SafeTensors actual = SafeTensors.open(dump)) {
                assertClose(expected.get("refer.region_feature").toFloatArray().reshape(1, -1),
                        actual.get("region_features").toFloatArray(), FP32_ATOL, 0);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"model.safetensors"})
    void keepsALiteralRegionTokenAsWritten(String weights) {
        try (Ferret ferret = load(weights)) {
            FerretAnswer answer = ferret.ask(FerretGoldens.image(),
                    "Is the object [538, 132, 970, 719] <region_fea> of the image a sink or a mirror?",
                    List.<Region>of(FerretGoldens.referMask()));

            assertThat(answer.prompt()).isEqualTo(FerretGoldens.CASES.get("refer").get("prompt").asText());
            assertThat(answer.outputIds()).containsExactly(ints(FerretGoldens.CASES.get("refer").get("greedy_new_ids")));
        }
    }

    /** The ND4J engine (HALF weights as the checkpoint stores them, ND4J ops only): the same checks for both cases. */
    @Test
    void theNd4jEngineGroundsAndRefersAsTheReferenceDoes() {
        Path folder = FerretGoldens.checkpointWith("model.safetensors", dir.resolve("model"));
        try (Ferret ferret = Ferret.load(folder, options().withEngine(Engine.ND4J))) {
            Path groundDump = dir.resolve("ground.safetensors");
            FerretAnswer ground = ferret.conversation(FerretGoldens.image()).ask(
                    "What is the location of the white bathtub in the image?", List.of(), t -> { },
                    Optional.of(groundDump));
            Path referDump = dir.resolve("refer.safetensors");
            FerretAnswer refer = ferret.conversation(FerretGoldens.image()).ask(
                    "Is the object <region> of the image a sink or a mirror?", List.of(FerretGoldens.referMask()),
                    t -> { }, Optional.of(referDump));

            assertMatchesReference("ground", ground, groundDump);
            assertMatchesReference("refer", refer, referDump);
        }
        assertThatThrownBy(() -> options().withEngine(Engine.ND4J).withWeightFormat(WeightFormat.Q8_0).plan())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("f32 or f16, got q8_0");
    }

    @Test
    void widenedFp32WeightsGiveTheSameAnswers() {
        Path folder = FerretGoldens.checkpointWith("model.safetensors", dir.resolve("model"));
        try (Ferret ferret = Ferret.load(folder, options().withWeightFormat(WeightFormat.F32))) {
            Path dump = dir.resolve("ground.safetensors");
            FerretAnswer answer = ferret.conversation(FerretGoldens.image())
                    .ask("What is the location of the white bathtub in the image?", List.of(), t -> { }, Optional.of(dump));

            assertMatchesReference("ground", answer, dump);
        }
    }

    @Test
    void f16VisionWeightsStayWithinHalfPrecisionOfTheReferenceFeatures() {
        Path folder = FerretGoldens.checkpointWith("model.safetensors", dir.resolve("model"));
        try (Ferret ferret = Ferret.load(folder, options().withVisionWeightFormat(WeightFormat.F16))) {
            Path dump = dir.resolve("ground.safetensors");
            ferret.conversation(FerretGoldens.image())
                    .ask("What is the location of the white bathtub in the image?", List.of(), t -> { }, Optional.of(dump));
            try (SafeTensors expected = FerretGoldens.tensors(); SafeTensors actual = SafeTensors.open(dump)) {
                double diff = TensorAssert.maxAbsDiff(expected.get("ground.image_features").toFloatArray(),
                        actual.get("image_features").toFloatArray());
                assertThat(diff).as("rounded weights, fp32 activations").isPositive().isLessThan(1e-2);
            }
        }
        assertThatThrownBy(() -> options().withVisionWeightFormat(WeightFormat.Q8_0).plan())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("f32 or f16, got q8_0");
    }

    @Test
    void anF16KeyValueCacheGivesTheReferenceAnswers() {
        Path folder = FerretGoldens.checkpointWith("model.safetensors", dir.resolve("model"));
        try (Ferret ferret = Ferret.load(folder, options().withKvCacheFormat(KvCacheFormat.F16))) {
            FerretAnswer refer = ferret.conversation(FerretGoldens.image()).ask(
                    "Is the object <region> of the image a sink or a mirror?", List.of(FerretGoldens.referMask()));
            FerretAnswer ground = ferret.conversation(FerretGoldens.image())
                    .ask("What is the location of the white bathtub in the image?", List.of());

            assertThat(refer.outputIds()).containsExactly(ints(FerretGoldens.CASES.get("refer").get("greedy_new_ids")));
            assertThat(ground.outputIds()).containsExactly(ints(FerretGoldens.CASES.get("ground").get("greedy_new_ids")));
        }
    }

    private Ferret load(String weights) {
        Path folder = FerretGoldens.checkpointWith(weights, dir.resolve("model"));
        return Ferret.load(folder, options());
    }

    private static FerretOptions options() {
        return FerretOptions.defaults().withMaxNewTokens(NEW_TOKENS).withDeterministicSampler(true);
    }

    private static void assertMatchesReference(String name, FerretAnswer answer, Path dump) {
        JsonNode meta = FerretGoldens.CASES.get(name);
        assertThat(answer.prompt()).isEqualTo(meta.get("prompt").asText());
        assertThat(answer.inputIds()).containsExactly(ints(meta.get("input_ids")));
        assertThat(answer.outputIds()).containsExactly(ints(meta.get("greedy_new_ids")));
        assertThat(answer.text()).isEqualTo(meta.get("greedy_decoded").asText());
        try (SafeTensors expected = FerretGoldens.tensors(); SafeTensors actual = SafeTensors.open(dump)) {
            assertClose(expected.get(name + ".image_features").toFloatArray(),
                    actual.get("image_features").toFloatArray(), FP32_ATOL, 0);
            assertClose(expected.get(name + ".projected_image_features").toFloatArray(),
                    actual.get("projected_image_features").toFloatArray(), FP32_ATOL, 0);
            assertClose(expected.get(name + ".inputs_embeds").toFloatArray(),
                    actual.get("inputs_embeds").toFloatArray(), FP32_ATOL, 0);
            assertClose(expected.get(name + ".last_logits").toFloatArray(),
                    actual.get("first_step_logits").toFloatArray(), FP32_ATOL, 0);
        }
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
