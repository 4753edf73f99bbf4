package io.ferret4j.encoder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.ferret4j.core.nn.LayerNorm;
import io.ferret4j.core.probe.Probe;
import io.ferret4j.core.weights.Checkpoints;
import io.ferret4j.core.weights.TensorSource;
import io.ferret4j.core.weights.Weights;
import io.ferret4j.encoder.ClipVisionTower.SelectFeature;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * HF's whole {@code CLIPVisionModel}, for the golden comparisons only: every hidden state and the
 * {@code pooler_output} through {@code post_layernorm}, neither of which Ferret uses. The tower keeps every layer
 * (select layer {@code -1}) and the class token.
 */
final class CompleteClipVisionModel {
    private final ClipVisionTower tower;
    private final LayerNorm postLayernorm;

    private CompleteClipVisionModel(ClipVisionTower tower, LayerNorm postLayernorm) {
        this.tower = tower;
        this.postLayernorm = postLayernorm;
    }

    /** Every layer of the CLIP folder, and its {@code post_layernorm}. */
    static CompleteClipVisionModel load(Path folder) {
        ClipVisionConfig c = ClipVisionConfig.fromJson(folder);
        try (TensorSource source = Checkpoints.open(folder)) {
            LayerNorm post = LayerNorm.load(Weights.of(source).at(ClipVisionTower.PREFIX), "post_layernorm",
                    c.hiddenSize(), c.layerNormEps());
            return new CompleteClipVisionModel(ClipVisionTower.load(folder, -1, SelectFeature.CLS_PATCH), post);
        }
    }

    /** {@code hidden_states[0 .. L]}, each {@code [B, T, D]}. */
    List<INDArray> hiddenStates(INDArray pixelValues) {
        return hiddenStates(tower, pixelValues);
    }

    /** HF's {@code pooler_output}: {@code post_layernorm} of the last layer's class token, {@code [B, D]}. */
    INDArray poolerOutput(INDArray pixelValues) {
        INDArray last = tower.features(pixelValues);                                 // [B, T, D]
        INDArray cls = last.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).dup('c');  // [B, D]
        return postLayernorm.forward(cls);
    }

    /**
     * The hidden states {@code tower} computes, {@code hidden_states[0 .. selected]} ({@code [B, T, D]} each): the
     * {@code pre_layrnorm} output, then the output of every layer it loaded.
     */
    static List<INDArray> hiddenStates(ClipVisionTower tower, INDArray pixelValues) {
        List<INDArray> states = new ArrayList<>();
        Probe collect = (name, value) -> {
            if (name.startsWith("hidden_states.")) {
                states.add(value);
            }
        };
        tower.features(pixelValues, collect);
        return states;
    }
}
