package io.ferret4j.encoder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferret4j.core.config.ConfigJson;

/**
 * The keys of a Hugging Face CLIP {@code preprocessor_config.json}. Keys a file leaves out take the
 * {@code CLIPImageProcessor} class defaults ({@code do_rescale true}, {@code rescale_factor 1/255},
 * {@code do_convert_rgb true}, OpenAI CLIP mean and std, ...), as HF does when it loads the file.
 *
 * <p>{@code size} and {@code crop_size} are kept as JSON because HF writes them either as a number or as an
 * object ({@code {"height": 336, "width": 336}}, {@code {"shortest_edge": 336}}).
 */
public record ClipPreprocessorConfig(
        boolean doResize,
        JsonNode size,
        int resample,
        boolean doCenterCrop,
        JsonNode cropSize,
        boolean doRescale,
        double rescaleFactor,
        boolean doNormalize,
        List<Double> imageMean,
        List<Double> imageStd,
        boolean doConvertRgb) {

    /** PIL's {@code Image.BICUBIC}, the only filter CLIP uses. */
    public static final int PIL_BICUBIC = 3;

    // CLIPImageProcessor.__init__ defaults (transformers 4.31)
    private static final Map<String, Object> DEFAULTS = Map.of(
            "do_resize", true,
            "size", Map.of("shortest_edge", 224),
            "resample", PIL_BICUBIC,
            "do_center_crop", true,
            "crop_size", 224,
            "do_rescale", true,
            "rescale_factor", 1 / 255.0,
            "do_normalize", true,
            "image_mean", List.of(0.48145466, 0.4578275, 0.40821073),
            "image_std", List.of(0.26862954, 0.26130258, 0.27577711));

    /** Reads {@code preprocessor_config.json}, or that file inside the given folder, filling absent keys. */
    public static ClipPreprocessorConfig fromJson(Path fileOrFolder) {
        Path file = Files.isDirectory(fileOrFolder) ? fileOrFolder.resolve("preprocessor_config.json") : fileOrFolder;
        ObjectNode node = (ObjectNode) ConfigJson.tree(file);
        DEFAULTS.forEach((key, value) -> {
            if (!node.hasNonNull(key)) {
                node.set(key, ConfigJson.mapper().valueToTree(value));
            }
        });
        if (!node.hasNonNull("do_convert_rgb")) {
            node.put("do_convert_rgb", true);
        }
        return ConfigJson.convert(node, ClipPreprocessorConfig.class).validate();
    }

    /**
     * The side of the square that Ferret resizes every image to. Ferret calls the processor with
     * {@code size=[S, S], do_center_crop=False}: a straight squash to {@code S x S}, where {@code S} is the
     * model's input size, which CLIP's own pipeline gets from {@code crop_size} (336 for ViT-L/14-336; the
     * {@code size} key, 336 there too, is the shortest edge before the crop that Ferret skips).
     */
    public int squareSide() {
        JsonNode n = cropSize;
        if (n.isInt()) {
            return n.intValue();
        }
        if (n.has("height") && n.has("width")) {
            int h = n.get("height").intValue();
            int w = n.get("width").intValue();
            if (h != w) {
                throw new IllegalArgumentException("crop size " + h + "x" + w + " is not square");
            }
            return h;
        }
        throw new IllegalArgumentException("cannot read an image size from crop_size " + n);
    }

    /** Checks the settings this port implements, naming the offending value. */
    public ClipPreprocessorConfig validate() {
        if (resample != PIL_BICUBIC) {
            throw new IllegalArgumentException("resample " + resample + " is not supported: only "
                    + PIL_BICUBIC + " (PIL bicubic), which CLIP uses");
        }
        if (imageMean.size() != 3 || imageStd.size() != 3) {
            throw new IllegalArgumentException("image_mean has " + imageMean.size() + " and image_std "
                    + imageStd.size() + " values, expected 3 (RGB)");
        }
        if (imageStd.stream().anyMatch(s -> s == 0)) {
            throw new IllegalArgumentException("image_std " + imageStd + " contains 0");
        }
        int side = squareSide();
        if (side < 1) {
            throw new IllegalArgumentException("image size " + side + " must be positive");
        }
        return this;
    }
}
