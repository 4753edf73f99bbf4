package io.ferret4j.sampler;

import java.nio.file.Path;
import java.util.Arrays;

import io.ferret4j.core.config.ConfigJson;
import io.ferret4j.core.weights.CheckpointException;
import io.ferret4j.core.weights.Weights;

/**
 * Sampler configurations for the tests, read from a Ferret {@code config.json} or inferred from a checkpoint's
 * shapes; the model itself builds its configuration with {@link GeoRegionSamplerConfig#of}.
 */
final class SamplerConfigs {
    private SamplerConfigs() {
    }

    /** Reads {@code mm_hidden_size}, {@code hidden_size} and {@code sampler_pooler_mode} of a Ferret config. */
    static GeoRegionSamplerConfig fromJson(Path configJson) {
        FerretKeys k = ConfigJson.read(configJson, FerretKeys.class);
        if (!Boolean.TRUE.equals(k.regionGeoSampler())) {
            throw new IllegalArgumentException(configJson + " does not set region_geo_sampler: true (found "
                    + k.regionGeoSampler() + "), so the model has no GeoRegionSampler");
        }
        if (k.mmHiddenSize() == null || k.hiddenSize() == null) {
            throw new IllegalArgumentException(configJson + " lacks mm_hidden_size (" + k.mmHiddenSize()
                    + ") or hidden_size (" + k.hiddenSize() + ")");
        }
        return GeoRegionSamplerConfig.of(k.mmHiddenSize(), k.hiddenSize(), PoolerMode.fromConfig(k.samplerPoolerMode()));
    }

    /**
     * Reads the widths from the shapes of {@code diff_projector_list.0.weight} ({@code [D+2, D+2]}) and
     * {@code dim_projector.weight} ({@code [H, D]}) under {@code prefix}, for checkpoints without a config; point
     * counts are Ferret's. Nothing is marked as used.
     */
    static GeoRegionSamplerConfig inferFrom(Weights checkpoint, String prefix, PoolerMode poolerMode) {
        long[] diff = shape(checkpoint, prefix + "diff_projector_list.0.weight");
        long[] dim = shape(checkpoint, prefix + "dim_projector.weight");
        if (diff.length != 2 || dim.length != 2) {
            throw new CheckpointException(checkpoint.source().path(), "expected 2-D projector weights, found "
                    + Arrays.toString(diff) + " and " + Arrays.toString(dim));
        }
        return GeoRegionSamplerConfig.of(Math.toIntExact(diff[1] - 2), Math.toIntExact(dim[0]), poolerMode);
    }

    private static long[] shape(Weights w, String name) {
        if (!w.contains(name)) {
            throw new CheckpointException(w.source().path(), "missing tensor '" + w.key(name) + "'");
        }
        return w.source().get(w.key(name)).shape();
    }

    /** The {@code config.json} keys the sampler reads. */
    private record FerretKeys(Integer mmHiddenSize, Integer hiddenSize, String samplerPoolerMode,
                              Boolean regionGeoSampler) {
    }
}
