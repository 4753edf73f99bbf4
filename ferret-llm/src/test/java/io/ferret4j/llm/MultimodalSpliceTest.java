package io.ferret4j.llm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.testing.TensorAssert;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.core.weights.TensorSource;
import io.ferret4j.core.weights.Weights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

final class MultimodalSpliceTest {
    private static final Path CHECKPOINT = Goldens.path("ferret/checkpoint");
    private static TensorSource checkpoint;
    private static SafeTensors goldens;
    private static LlamaDecoder decoder;

    @BeforeAll
    static void load() {
        checkpoint = SafeTensors.open(CHECKPOINT.resolve("model.safetensors"));
        decoder = LlamaDecoder.load(Weights.of(checkpoint), LlamaConfig.fromJson(CHECKPOINT.resolve("config.json")));
        goldens = SafeTensors.open(Goldens.path("ferret/ferret_goldens.safetensors"));
    }

    @AfterAll
    static void close() {
        checkpoint.close();
        goldens.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ground", "refer"})
    void buildsTheReferenceInputEmbeddings(String name) {
        int[] ids = goldens.get(name + ".input_ids").toInts();
        INDArray image = goldens.get(name + ".projected_image_features").toFloatArray();
        INDArray regions = name.equals("refer")
                ? goldens.get("refer.region_feature").toFloatArray().reshape(1, -1)
                : Nd4j.create(DataType.FLOAT, 0, 32);

        INDArray embeds = MultimodalSplice.inputsEmbeds(decoder, ids, image, regions, 32000);

        TensorAssert.assertClose(goldens.get(name + ".inputs_embeds").toFloatArray(), embeds, 0, 0);
    }

    @Test
    void refusesMismatchedRegionsAndMisplacedTokens() {
        INDArray image = Nd4j.zeros(DataType.FLOAT, 3, 32);
        INDArray oneRegion = Nd4j.zeros(DataType.FLOAT, 1, 32);

        assertThatThrownBy(() -> MultimodalSplice.inputsEmbeds(decoder, new int[] {1, -200, 5}, image, oneRegion, 32000))
                .hasMessageContaining("0 <region_fea> token(s) but 1 region vector(s)");
        assertThatThrownBy(() -> MultimodalSplice.inputsEmbeds(decoder, new int[] {1, 32000, -200, 5}, image, oneRegion, 32000))
                .hasMessageContaining("before the image");
        assertThatThrownBy(() -> MultimodalSplice.inputsEmbeds(decoder, new int[] {1, 5}, image, oneRegion, 32000))
                .hasMessageContaining("no image placeholder");
        assertThatThrownBy(() -> MultimodalSplice.inputsEmbeds(decoder, new int[] {1, -200, -200}, image, oneRegion, 32000))
                .hasMessageContaining("more than one image");
    }
}
