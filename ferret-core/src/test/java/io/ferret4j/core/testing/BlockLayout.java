package io.ferret4j.core.testing;

import io.ferret4j.core.kernels.BlockQuantized;
import io.ferret4j.core.kernels.StoredLayout;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.SafeTensorsWriter;

/**
 * Writes a {@link BlockQuantized} weight (Q8_0, Q4_0) in the checkpoint layout its {@link StoredLayout} describes,
 * for tests that read one back.
 */
public final class BlockLayout {
    private BlockLayout() {
    }

    /** Adds the quants under {@code key} and the scales under {@code key} plus the layout's scales suffix. */
    public static void add(SafeTensorsWriter writer, String key, BlockQuantized weight) {
        StoredLayout layout = weight.layout();
        writer.add(key, layout.quantsType(), layout.quantsShape(weight.rows(), weight.cols()), weight.quantBytes());
        writer.add(key + layout.scalesSuffix(), DType.F16,
                layout.scalesShape(weight.rows(), weight.cols()), weight.scaleBytes());
    }
}
