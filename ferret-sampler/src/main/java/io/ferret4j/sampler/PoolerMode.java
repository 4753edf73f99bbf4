package io.ferret4j.sampler;

/**
 * How a sampler stage pools the aggregated features of an anchor's neighbours ({@code sampler_pooler_mode}):
 * {@code max} ({@code AdaptiveMaxPool1d(1)}, the released models) or {@code mean} ({@code AvgPool1d(k)}).
 */
public enum PoolerMode {
    MAX,
    MEAN;

    /** The mode for a {@code sampler_pooler_mode} config value. */
    public static PoolerMode fromConfig(String value) {
        return switch (String.valueOf(value)) {
            case "max" -> MAX;
            case "mean" -> MEAN;
            default -> throw new IllegalArgumentException("sampler_pooler_mode must be 'max' or 'mean', got '"
                    + value + "'");
        };
    }
}
