package io.ferret4j.encoder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.ferret4j.core.kernels.LayerWorkspace;
import io.ferret4j.core.nn.LayerNorm;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.probe.Probe;
import io.ferret4j.core.resources.Resources;
import io.ferret4j.core.weights.Checkpoints;
import io.ferret4j.core.weights.TensorSource;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Ferret's {@code CLIPVisionTower}: HF {@code CLIPVisionModel} (embeddings, {@code pre_layrnorm}, encoder
 * layers) read out at {@code hidden_states[mm_vision_select_layer]}, with the class token dropped for
 * {@code select_feature = "patch"}. Everything is fp32 on ND4J; every weight product is an sgemm.
 *
 * <p>{@link #load} keeps only the layers up to the selected one (Ferret's {@code -2} of 24 needs 23) and never
 * {@code post_layernorm}; the unused tensors are ignored explicitly.
 *
 * <p>Probe taps use the reference dump's names: {@code embeddings_before_pre_layrnorm} and {@code hidden_states.i}
 * ({@code [B, T, D]}, {@code i = 0} is the {@code pre_layrnorm} output).
 *
 * <p>A tower loaded from a folder owns its weights' memory and {@link #close()} frees it; one built from the
 * caller's {@link Weights} leaves that to the owner of the weights. Either way it refuses to run once closed; close
 * it only when no call is running (a {@code Ferret} waits for its calls before closing its tower).
 */
public final class ClipVisionTower implements AutoCloseable {
    /** Where the vision model's tensors sit in a CLIP checkpoint (full {@code CLIPModel} or vision-only). */
    public static final String PREFIX = "vision_model.";
    /** Tensors of a full {@code CLIPModel} checkpoint that the vision tower does not use. */
    private static final List<String> NOT_VISION = List.of("text_model.", "visual_projection.", "text_projection.",
            "logit_scale");

    /** Ferret's {@code mm_vision_select_feature}. */
    public enum SelectFeature {
        /** Patch tokens only, the class token dropped: {@code [B, N, D]}. */
        PATCH,
        /** Class token then patch tokens: {@code [B, N + 1, D]}. */
        CLS_PATCH;

        /** Parses {@code "patch"} or {@code "cls_patch"}. */
        public static SelectFeature of(String mmVisionSelectFeature) {
            try {
                return valueOf(mmVisionSelectFeature.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unexpected select feature '" + mmVisionSelectFeature
                        + "', expected 'patch' or 'cls_patch'", e);
            }
        }
    }

    private final ClipVisionConfig config;
    private final ClipVisionEmbeddings embeddings;
    private final LayerNorm preLayrnorm;
    private final List<ClipEncoderLayer> layers;                       // 0 .. selected
    private final int selectIndex;                                     // into hidden_states, 0 .. L
    private final SelectFeature selectFeature;
    private final Resources owned = new Resources();
    private volatile boolean closed;

    private ClipVisionTower(ClipVisionConfig config, ClipVisionEmbeddings embeddings, LayerNorm preLayrnorm,
                            List<ClipEncoderLayer> layers, int selectIndex, SelectFeature selectFeature) {
        this.config = config;
        this.embeddings = embeddings;
        this.preLayrnorm = preLayrnorm;
        this.layers = List.copyOf(layers);
        this.selectIndex = selectIndex;
        this.selectFeature = selectFeature;
    }

    /**
     * Loads a HF CLIP folder ({@code config.json} plus a checkpoint that {@link Checkpoints#open} reads) for
     * Ferret: the layers up to {@code hidden_states[mmVisionSelectLayer]} and nothing else.
     *
     * @param mmVisionSelectLayer index into {@code hidden_states} (length {@code L + 1}); negative counts from
     *                            the end, so Ferret's {@code -2} is the output of layer {@code L - 2}
     */
    public static ClipVisionTower load(Path folder, int mmVisionSelectLayer, SelectFeature selectFeature) {
        return load(folder, mmVisionSelectLayer, selectFeature, ExecutionPlan.Part.EXACT);
    }

    /**
     * Like {@link #load(Path, int, SelectFeature)}, holding and multiplying the projection and MLP weights as
     * {@code part} says ({@link ExecutionPlan.Part#visionTower}): F16 halves the memory (ViT-L: 0.6 instead of
     * 1.2 GB), mapped where the checkpoint stores fp16 and otherwise rounded at load, the cast the reference applies
     * to the openai fp32 checkpoint; BF16 products run through oneDNN where the CPU supports it (about twice as fast
     * here, relative error about 2e-3 per product). Activations stay fp32 either way.
     */
    public static ClipVisionTower load(Path folder, int mmVisionSelectLayer, SelectFeature selectFeature,
                                       ExecutionPlan.Part part) {
        return loadFolder(folder, mmVisionSelectLayer, selectFeature, part);
    }

    /**
     * Builds the tower from an open checkpoint whose keys start with {@link #PREFIX}, keeping the layers Ferret
     * needs; the caller checks {@link Weights#requireAllUsed()} once everything it loads from {@code w} is taken.
     */
    public static ClipVisionTower load(Weights w, ClipVisionConfig c, int mmVisionSelectLayer,
                                       SelectFeature selectFeature) {
        return build(w, c, mmVisionSelectLayer, selectFeature, ExecutionPlan.Part.EXACT);
    }

    /** Loads from a folder; the tower owns the memory of what it took, and a failed load frees it. */
    private static ClipVisionTower loadFolder(Path folder, int selectLayer, SelectFeature feature,
                                              ExecutionPlan.Part part) {
        ClipVisionConfig c = ClipVisionConfig.fromJson(folder);
        try (TensorSource source = Checkpoints.open(folder)) {
            Weights w = Weights.of(source);
            try {
                ClipVisionTower tower = build(w, c, selectLayer, feature, part);
                w.requireAllUsed();
                tower.owned.add(w.memory());
                return tower;
            } catch (RuntimeException e) {
                Resources.closeAfter(w.memory(), e);
                throw e;
            }
        }
    }

    private static ClipVisionTower build(Weights root, ClipVisionConfig c, int selectLayer, SelectFeature feature,
                                         ExecutionPlan.Part part) {
        c.validate();
        int selectIndex = hiddenStateIndex(selectLayer, c.numHiddenLayers());
        NOT_VISION.forEach(root::ignore);
        Weights w = root.at(PREFIX);
        w.ignore("embeddings.position_ids");                           // a constant 0..T-1 buffer, not a weight
        ClipVisionEmbeddings embeddings = ClipVisionEmbeddings.load(w, "embeddings.", c);
        LayerNorm pre = LayerNorm.load(w, "pre_layrnorm", c.hiddenSize(), c.layerNormEps());   // sic: HF's key
        List<ClipEncoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            if (i < selectIndex) {
                layers.add(ClipEncoderLayer.load(w, "encoder.layers." + i + ".", c, part));
            } else {
                w.ignore("encoder.layers." + i + ".");                 // past the selected layer: never run
            }
        }
        w.ignore("post_layernorm.");                                   // only pooler_output uses it, Ferret never
        return new ClipVisionTower(c, embeddings, pre, layers, selectIndex, feature);
    }

    /** {@code hidden_states} index for Ferret's {@code mm_vision_select_layer}, checked against the depth. */
    static int hiddenStateIndex(int selectLayer, int numHiddenLayers) {
        int n = numHiddenLayers + 1;
        int index = selectLayer < 0 ? n + selectLayer : selectLayer;
        if (index < 0 || index >= n) {
            throw new IllegalArgumentException("mm_vision_select_layer " + selectLayer + " is out of range for "
                    + numHiddenLayers + " layers: hidden_states has " + n + " entries (" + -n + " .. " + (n - 1) + ")");
        }
        return index;
    }

    /** The vision config the tower was built from. */
    public ClipVisionConfig config() {
        return config;
    }

    /**
     * The image features Ferret consumes: {@code hidden_states[select]} without {@code post_layernorm},
     * class token dropped for {@link SelectFeature#PATCH}.
     *
     * @param pixelValues {@code [B, 3, S, S]} from {@link ClipImageProcessor}
     * @return {@code [B, N, D]} for {@code PATCH} ({@code [B, 576, 1024]} for ViT-L/14-336), {@code [B, N+1, D]}
     *         for {@code CLS_PATCH}; each image's rows are bit-identical to encoding it alone
     */
    public INDArray features(INDArray pixelValues) {
        return features(pixelValues, Probe.NONE);
    }

    /**
     * {@link #features(INDArray)} with probe taps ({@code [B, T, D]} each).
     *
     * @throws IllegalStateException if the tower is closed
     */
    public INDArray features(INDArray pixelValues, Probe probe) {
        if (closed) {
            throw new IllegalStateException("this vision tower is closed");
        }
        INDArray selected = encode(pixelValues, probe);                               // [B, T, D]
        return selectFeature == SelectFeature.PATCH
                ? selected.get(NDArrayIndex.all(), NDArrayIndex.interval(1, selected.size(1)), NDArrayIndex.all())
                        .dup('c')
                : selected;
    }

    /**
     * Runs the layers on each image separately: an sgemm's rounding depends on its row count, so
     * stacking images into one product would make an image's features depend on its batch (by ~1e-6), and
     * at 577 rows per image sgemm is already at full speed. Probe taps are stacked to {@code [B, T, D]}.
     */
    private INDArray encode(INDArray pixelValues, Probe probe) {                      // [B, 3, S, S] -> [B, T, D]
        int batch = checkPixels(pixelValues);
        Map<String, List<INDArray>> taps = new LinkedHashMap<>();
        Probe perImage = probe == Probe.NONE ? Probe.NONE
                : (name, value) -> taps.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        INDArray[] last = new INDArray[batch];
        for (int b = 0; b < batch; b++) {
            last[b] = encodeImage(pixelValues.get(NDArrayIndex.point(b)), perImage);
        }
        taps.forEach((name, values) -> probe.accept(name, stack(values)));
        return stack(Arrays.asList(last));
    }

    private INDArray encodeImage(INDArray pixelValues, Probe probe) {                 // [3, S, S] -> [T, D]
        INDArray hiddenStates = embeddings.forward(pixelValues);
        probe.record("embeddings_before_pre_layrnorm", hiddenStates);
        hiddenStates = probe.record("hidden_states", 0, preLayrnorm.forward(hiddenStates));
        for (int i = 0; i < layers.size(); i++) {
            // temporaries in a reused workspace: fresh pages per layer cost more than the arithmetic
            ClipEncoderLayer layer = layers.get(i);
            INDArray input = hiddenStates;
            hiddenStates = LayerWorkspace.run(() -> layer.forward(input));
            probe.record("hidden_states", i + 1, hiddenStates);
        }
        return hiddenStates;
    }

    /** Frees the weights' memory if the tower was loaded from a folder; a second call does nothing. */
    @Override
    public void close() {
        closed = true;
        owned.close();
    }

    private static INDArray stack(List<INDArray> perImage) {         // B x [T, D] -> [B, T, D]
        INDArray[] rows = perImage.stream().map(x -> x.reshape(1, x.size(0), x.size(1))).toArray(INDArray[]::new);
        return rows.length == 1 ? rows[0] : Nd4j.concat(0, rows);
    }

    private int checkPixels(INDArray pixelValues) {
        long s = config.imageSize();
        long[] shape = pixelValues.shape();
        if (shape.length != 4 || shape[0] < 1 || shape[1] != config.numChannels() || shape[2] != s || shape[3] != s) {
            throw new IllegalArgumentException("pixel_values shape " + Arrays.toString(shape)
                    + " does not match the model: expected [B, " + config.numChannels() + ", " + s + ", " + s + "]");
        }
        if (pixelValues.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("pixel_values are " + pixelValues.dataType() + ", expected FLOAT");
        }
        return (int) shape[0];
    }
}
