package io.ferret4j.encoder;

import io.ferret4j.core.nn.F16Linear;
import io.ferret4j.core.nn.Linear;
import io.ferret4j.core.nn.Linears;
import io.ferret4j.core.nn.WeightFormat;
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
 */
record ClipLinears(WeightFormat format, Precision precision) {
    ClipLinears {
        ClipVisionTower.checkWeightFormat(format);
    }

    Linear load(Weights w, String prefix, long in, long out) {
        if (format == WeightFormat.F16 && precision == Precision.FP32) {
            return F16Linear.loadRounding(w, prefix, in, out, true);
        }
        return Linears.load(w, prefix, in, out, true, precision);
    }
}
