package io.ferret4j.encoder;

import java.util.Locale;

import io.ferret4j.core.nd4j.Nd4jLinears;
import io.ferret4j.core.nn.F16Linear;
import io.ferret4j.core.nn.Linear;
import io.ferret4j.core.nn.Linears;
import io.ferret4j.core.nn.WeightFormat;
import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.weights.Weights;

/**
 * How the tower holds and multiplies its projection and MLP weights (all with biases).
 *
 * @param format    {@link WeightFormat#F32} (widened copies: exact fp32) or {@link WeightFormat#F16} (half the
 *                  memory: mapped where the checkpoint stores fp16, else rounded to fp16 at load as the reference's
 *                  {@code .half()} does; multiplied through fp32 tiles and sgemm, so only the weights are rounded)
 * @param precision {@link Precision#BF16} packs bf16 weights for oneDNN where the CPU supports it, whatever the
 *                  format; {@link Precision#FP32} multiplies in fp32
 * @param engine    {@link Engine#JAVA}: the above, softmax and activations split over the cores in Java;
 *                  {@link Engine#ND4J}: FLOAT or HALF ND4J arrays and ND4J ops only, fp32 products
 */
record ClipLinears(WeightFormat format, Precision precision, Engine engine) {
    ClipLinears {
        ClipVisionTower.checkWeightFormat(format);
        if (engine == Engine.ND4J && precision != Precision.FP32) {
            throw new IllegalArgumentException("the nd4j engine multiplies in fp32, got vision precision "
                    + precision.name().toLowerCase(Locale.ROOT));
        }
    }

    Linear load(Weights w, String prefix, long in, long out) {
        if (engine == Engine.ND4J) {
            return Nd4jLinears.load(w, prefix, in, out, true, format);
        }
        if (format == WeightFormat.F16 && precision == Precision.FP32) {
            return F16Linear.loadRounding(w, prefix, in, out, true);
        }
        return Linears.load(w, prefix, in, out, true, precision);
    }
}
