package io.ferret4j.llm;

import java.nio.file.Path;

import io.ferret4j.core.config.ConfigJson;

/**
 * The multimodal keys of a Ferret {@code config.json} (the LLaMA keys of the same file are read by
 * {@code LlamaConfig}). Component names are the camelCase of the JSON keys.
 *
 * @param modelType {@code "ferret"}
 * @param mmVisionTower Hugging Face id of the CLIP tower, {@code "openai/clip-vit-large-patch14-336"}
 * @param mmHiddenSize width of the CLIP features (1024)
 * @param mmVisionSelectLayer index into the tower's hidden states (-2)
 * @param mmVisionSelectFeature {@code "patch"} (drop CLS) or {@code "cls_patch"}
 * @param mmUseImStartEnd must be false: the released models use no image start/end tokens
 * @param mmUseImPatchToken must be false; ml-ferret's builder treats an absent key as true and adds a token
 * @param imRegionFeaToken id of {@code <region_fea>} (32000)
 * @param regionGeoSampler must be true (the older mean-pooling region adapter is not supported)
 * @param samplerPoolerMode {@code "max"} or {@code "mean"}
 * @param useMmProj whether {@code model.mm_projector} exists (true)
 * @param tuneMmMlpAdapter must be false (a training flag that changes the splice)
 */
public record FerretConfig(
        String modelType,
        String mmVisionTower,
        int mmHiddenSize,
        int mmVisionSelectLayer,
        String mmVisionSelectFeature,
        Boolean mmUseImStartEnd,
        Boolean mmUseImPatchToken,
        Integer imRegionFeaToken,
        Boolean regionGeoSampler,
        String samplerPoolerMode,
        Boolean useMmProj,
        Boolean tuneMmMlpAdapter) {

    /** Reads and validates {@code config.json}. */
    public static FerretConfig fromJson(Path file) {
        FerretConfig c = ConfigJson.read(file, FerretConfig.class);
        c.validate(file);
        return c;
    }

    private void validate(Path file) {
        String where = file + ": ";
        if (mmVisionTower == null || mmHiddenSize <= 0) {
            throw new IllegalArgumentException(where + "not a Ferret config: mm_vision_tower " + mmVisionTower
                    + ", mm_hidden_size " + mmHiddenSize);
        }
        if (!"patch".equals(mmVisionSelectFeature) && !"cls_patch".equals(mmVisionSelectFeature)) {
            throw new IllegalArgumentException(where + "mm_vision_select_feature must be patch or cls_patch, found "
                    + mmVisionSelectFeature);
        }
        if (!Boolean.FALSE.equals(mmUseImPatchToken)) {
            throw new IllegalArgumentException(where + "mm_use_im_patch_token must be false (released Ferret models), found "
                    + mmUseImPatchToken + " (ml-ferret treats an absent key as true and adds an <im_patch> token)");
        }
        if (Boolean.TRUE.equals(mmUseImStartEnd)) {
            throw new IllegalArgumentException(where + "mm_use_im_start_end true is not supported (released models: false)");
        }
        if (!Boolean.TRUE.equals(regionGeoSampler) || imRegionFeaToken == null) {
            throw new IllegalArgumentException(where + "region_geo_sampler must be true with im_region_fea_token set, found "
                    + regionGeoSampler + " / " + imRegionFeaToken);
        }
        if (!"max".equals(samplerPoolerMode) && !"mean".equals(samplerPoolerMode)) {
            throw new IllegalArgumentException(where + "sampler_pooler_mode must be max or mean, found " + samplerPoolerMode);
        }
        if (Boolean.FALSE.equals(useMmProj) || Boolean.TRUE.equals(tuneMmMlpAdapter)) {
            throw new IllegalArgumentException(where + "use_mm_proj must be true and tune_mm_mlp_adapter false, found "
                    + useMmProj + " / " + tuneMmMlpAdapter);
        }
    }

    /** True when the CLS row is dropped from the vision features. */
    public boolean dropsClsToken() {
        return "patch".equals(mmVisionSelectFeature);
    }
}
