package io.ferret4j.core.testing;

import io.ferret4j.core.kernels.Q8_0;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.SafeTensorsWriter;

/** Writes a {@link Q8_0} weight in the checkpoint layout {@link Q8_0} describes, for tests that read one back. */
public final class Q8Layout {
    private Q8Layout() {
    }

    /** Adds the quants under {@code key} and the scales under {@code key + Q8_0.SCALES_SUFFIX}. */
    public static void add(SafeTensorsWriter writer, String key, Q8_0 weight) {
        writer.add(key, DType.I8, new long[] {weight.rows(), weight.cols()}, weight.quantBytes());
        writer.add(key + Q8_0.SCALES_SUFFIX, DType.F16, new long[] {weight.rows(), weight.cols() / Q8_0.BLOCK},
                weight.scaleBytes());
    }
}
