package io.ferret4j.core.nd4j;

import io.ferret4j.core.nn.DenseLinear;
import io.ferret4j.core.nn.Linear;
import io.ferret4j.core.nn.WeightFormat;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The ND4J engine's weights: {@link WeightFormat#F32} as FLOAT arrays ({@link DenseLinear}), {@link WeightFormat#F16}
 * as HALF arrays ({@link HalfLinear}; an fp32 checkpoint is rounded to the nearest fp16 at load, as the reference's
 * {@code .half()} does). Q8_0 has no ND4J op and is refused.
 */
public final class Nd4jLinears {
    private Nd4jLinears() {
    }

    /**
     * Fails unless the ND4J engine can hold weights in {@code format}.
     *
     * @throws IllegalArgumentException naming {@code format} unless it is F32 or F16
     */
    public static void checkFormat(WeightFormat format) {
        if (format != WeightFormat.F32 && format != WeightFormat.F16) {
            throw new IllegalArgumentException("the nd4j engine holds weights as f32 or f16, got " + format);
        }
    }

    /** Loads {@code prefix.weight [out, in]} in {@code format} and, if {@code withBias}, the FLOAT {@code prefix.bias}. */
    public static Linear load(Weights w, String prefix, long in, long out, boolean withBias, WeightFormat format) {
        checkFormat(format);
        INDArray bias = withBias ? w.require(prefix + ".bias", out) : null;
        INDArray weight = table(w, prefix + ".weight", out, in, format);
        return format == WeightFormat.F32 ? new DenseLinear(weight, bias) : new HalfLinear(weight, bias);
    }

    /** The tensor {@code name} of {@code shape} as a FLOAT ({@link WeightFormat#F32}) or HALF (F16) array. */
    public static INDArray table(Weights w, String name, long rows, long cols, WeightFormat format) {
        checkFormat(format);
        INDArray widened = w.require(name, rows, cols);
        if (format == WeightFormat.F32) {
            return widened;
        }
        INDArray half = widened.castTo(DataType.HALF);                 // round to nearest even, as torch's .half()
        widened.close();
        return half;
    }
}
