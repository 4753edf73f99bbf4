package io.ferret4j.sampler;

import java.util.List;

/**
 * The arguments of {@code GeoRegionSampler.__init__}. Ferret builds them from {@code config.json}
 * ({@code input_dim = mm_hidden_size}, {@code output_dim = hidden_size}, {@code pooler_mode =
 * sampler_pooler_mode}) plus hard-coded point counts, which are the defaults here.
 *
 * @param inputDim     CLIP feature width {@code D} (1024 for ViT-L)
 * @param outputDim    language-model width {@code H}
 * @param numInitPoint points sampled per mask (512)
 * @param numSubPoint  anchors kept by farthest-point sampling per stage ([128, 32])
 * @param numNeighbor  neighbours grouped per anchor per stage ([24, 24])
 * @param poolerMode   how neighbours are pooled
 */
public record GeoRegionSamplerConfig(int inputDim, int outputDim, int numInitPoint, List<Integer> numSubPoint,
                                     List<Integer> numNeighbor, PoolerMode poolerMode) {
    /** {@code FERRETMetaModel.max_sample_point}. */
    public static final int NUM_INIT_POINT = 512;
    /** Hard-coded in {@code FERRETMetaModel.__init__}. */
    public static final List<Integer> NUM_SUB_POINT = List.of(128, 32);
    /** Hard-coded in {@code FERRETMetaModel.__init__}. */
    public static final List<Integer> NUM_NEIGHBOR = List.of(24, 24);

    public GeoRegionSamplerConfig {
        numSubPoint = List.copyOf(numSubPoint);
        numNeighbor = List.copyOf(numNeighbor);
        validate(inputDim, outputDim, numInitPoint, numSubPoint, numNeighbor, poolerMode);
    }

    /** Ferret's point counts for the given widths and pooler. */
    public static GeoRegionSamplerConfig of(int inputDim, int outputDim, PoolerMode poolerMode) {
        return new GeoRegionSamplerConfig(inputDim, outputDim, NUM_INIT_POINT, NUM_SUB_POINT, NUM_NEIGHBOR,
                poolerMode);
    }

    /** Number of FPS/kNN stages. */
    public int numStages() {
        return numSubPoint.size();
    }

    /** Points entering stage {@code s}: {@code numInitPoint} for stage 0, else the previous stage's anchors. */
    public int pointsInto(int stage) {
        return stage == 0 ? numInitPoint : numSubPoint.get(stage - 1);
    }

    private static void validate(int inputDim, int outputDim, int numInitPoint, List<Integer> numSubPoint,
                                 List<Integer> numNeighbor, PoolerMode poolerMode) {
        if (inputDim < 1 || outputDim < 1 || numInitPoint < 1) {
            throw new IllegalArgumentException("input_dim " + inputDim + ", output_dim " + outputDim
                    + " and num_init_point " + numInitPoint + " must be positive");
        }
        if (numSubPoint.isEmpty() || numSubPoint.size() != numNeighbor.size()) {
            throw new IllegalArgumentException("num_sub_point " + numSubPoint + " and num_neighbor " + numNeighbor
                    + " must be non-empty and of equal length");
        }
        if (poolerMode == null) {
            throw new IllegalArgumentException("pooler mode is missing");
        }
        int available = numInitPoint;
        for (int s = 0; s < numSubPoint.size(); s++) {
            int anchors = numSubPoint.get(s);
            int k = numNeighbor.get(s);
            if (anchors < 1 || anchors > available || k < 1 || k > available) {
                throw new IllegalArgumentException("stage " + s + " has " + available + " points, so num_sub_point "
                        + anchors + " and num_neighbor " + k + " must lie in [1, " + available + "]");
            }
            available = anchors;
        }
    }
}
