package io.ferret4j.encoder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferret4j.core.config.ConfigJson;

/**
 * The keys of HF {@code CLIPVisionConfig} that inference reads. {@link #fromJson} accepts both a
 * {@code CLIPVisionConfig} file ({@code clip_vision_model}, as in a Ferret {@code vision_tower/} folder) and a
 * full {@code CLIPConfig} ({@code openai/clip-vit-large-patch14-336}), whose {@code vision_config} (overridden
 * by a legacy {@code vision_config_dict}, as HF does) is used. Absent keys take HF's class defaults.
 */
public record ClipVisionConfig(
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numChannels,
        int imageSize,
        int patchSize,
        String hiddenAct,
        double layerNormEps) {

    // CLIPVisionConfig.__init__ defaults (transformers 4.31)
    private static final Map<String, Object> DEFAULTS = Map.of(
            "hidden_size", 768,
            "intermediate_size", 3072,
            "num_hidden_layers", 12,
            "num_attention_heads", 12,
            "num_channels", 3,
            "image_size", 224,
            "patch_size", 32,
            "hidden_act", "quick_gelu",
            "layer_norm_eps", 1e-5);

    /** Reads {@code config.json} (or that file in the given folder), validated. */
    public static ClipVisionConfig fromJson(Path fileOrFolder) {
        Path file = Files.isDirectory(fileOrFolder) ? fileOrFolder.resolve("config.json") : fileOrFolder;
        JsonNode root = ConfigJson.tree(file);
        ObjectNode vision = root.has("vision_config") ? ((ObjectNode) root.get("vision_config")).deepCopy()
                : ((ObjectNode) root).deepCopy();
        if (root.hasNonNull("vision_config_dict")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = root.get("vision_config_dict").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                vision.set(e.getKey(), e.getValue());
            }
        }
        DEFAULTS.forEach((key, value) -> {
            if (!vision.hasNonNull(key)) {
                vision.set(key, ConfigJson.mapper().valueToTree(value));
            }
        });
        return ConfigJson.convert(vision, ClipVisionConfig.class).validate();
    }

    /** Checks the sizes fit together and the activation is the one implemented; messages name the numbers. */
    public ClipVisionConfig validate() {
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("image_size", imageSize);
        positive("patch_size", patchSize);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " not divisible by num_attention_heads "
                    + numAttentionHeads);
        }
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException("image_size " + imageSize + " not divisible by patch_size " + patchSize);
        }
        if (numChannels != 3) {
            throw new IllegalArgumentException("num_channels " + numChannels + " is not supported, expected 3 (RGB)");
        }
        if (!"quick_gelu".equals(hiddenAct)) {
            throw new IllegalArgumentException("hidden_act '" + hiddenAct + "' is not supported, expected 'quick_gelu'"
                    + " (the activation of OpenAI's CLIP)");
        }
        if (!(layerNormEps > 0)) {
            throw new IllegalArgumentException("layer_norm_eps " + layerNormEps + " must be positive");
        }
        return this;
    }

    /** {@code hidden_size / num_attention_heads}. */
    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Patches per side, {@code image_size / patch_size} (24 for ViT-L/14 at 336). */
    public int patchesPerSide() {
        return imageSize / patchSize;
    }

    /** Patch tokens, {@code patchesPerSide()²} (576). */
    public int numPatches() {
        return patchesPerSide() * patchesPerSide();
    }

    /** Sequence length, the patches plus the class token (577). */
    public int numPositions() {
        return numPatches() + 1;
    }

    private static void positive(String key, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(key + " " + value + " must be positive");
        }
    }
}
