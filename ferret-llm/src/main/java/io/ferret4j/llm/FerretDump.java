package io.ferret4j.llm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.SafeTensorsWriter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes the intermediate tensors of one answer to a safetensors file, for comparing a run with the Python
 * reference: {@code pixel_values [1,3,S,S]}, {@code image_features [P,D]}, {@code projected_image_features [P,H]},
 * {@code region_features [R,H]}, {@code inputs_embeds [T,H]} and {@code first_step_logits [V]}, all F32.
 */
public final class FerretDump {
    private FerretDump() {
    }

    static void write(Path file, FerretModel.EncodedImage image, FerretModel.Prepared prepared, float[] firstStepLogits) {
        new SafeTensorsWriter()
                .metadata("producer", "ferret4j")
                .add("pixel_values", DType.F32, image.pixelValues().shape(), bytes(image.pixelValues()))
                .add("image_features", DType.F32, image.imageFeatures().shape(), bytes(image.imageFeatures()))
                .add("projected_image_features", DType.F32, image.projected().shape(), bytes(image.projected()))
                .add("region_features", DType.F32, prepared.regionFeatures().shape(), bytes(prepared.regionFeatures()))
                .add("inputs_embeds", DType.F32, prepared.inputsEmbeds().shape(), bytes(prepared.inputsEmbeds()))
                .addF32("first_step_logits", new long[] {firstStepLogits.length}, firstStepLogits)
                .write(file);
    }

    private static ByteBuffer bytes(INDArray a) {
        float[] values = a.length() == 0 ? new float[0] : a.castTo(DataType.FLOAT).dup('c').data().asFloat();
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b;
    }
}
