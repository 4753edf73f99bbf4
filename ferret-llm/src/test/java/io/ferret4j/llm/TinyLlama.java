package io.ferret4j.llm;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiFunction;

import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.core.weights.SafeTensorsWriter;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The tiny random LlamaForCausalLM of {@code golden/llm/} (vocab 32000, hidden 64, 4 heads, 2 layers) and its
 * goldens, plus a way to write edited copies of its checkpoint for the error-path tests.
 */
final class TinyLlama {
    static final double ATOL = 1e-4;

    private TinyLlama() {
    }

    static Path modelDir() {
        return Goldens.path("llm/model");
    }

    static LlamaConfig config() {
        return LlamaConfig.fromJson(modelDir().resolve("config.json"));
    }

    /** Loaded once per test class that asks; the decoder is immutable. */
    static LlamaDecoder decoder() {
        return Holder.DECODER;
    }

    /** The same decoder computed by the ND4J engine (FLOAT weights), loaded once. */
    static LlamaDecoder nd4jDecoder() {
        return Nd4jHolder.DECODER;
    }

    /** The tensor {@code name} of {@code llm_goldens.safetensors}. */
    static RawTensor golden(String name) {
        return Holder.GOLDENS.get(name);
    }

    static INDArray goldenArray(String name) {
        return golden(name).toFloatArray();
    }

    static int[] goldenInts(String name) {
        return golden(name).toInts();
    }

    /**
     * Writes a copy of the tiny checkpoint to {@code file} where {@code edit} maps each (name, tensor) to the
     * tensor to write instead, or to null to drop it; {@code extra} tensors are appended.
     */
    static void writeEditedCheckpoint(Path file, BiFunction<String, RawTensor, RawTensor> edit,
                                      Map<String, float[]> extra) {
        SafeTensorsWriter writer = new SafeTensorsWriter();
        try (SafeTensors source = SafeTensors.open(modelDir().resolve("model.safetensors"))) {
            for (String name : source.names()) {
                RawTensor t = edit.apply(name, source.get(name));
                if (t != null) {
                    writer.add(name, t);
                }
            }
            extra.forEach((name, values) -> writer.addF32(name, new long[] {values.length}, values));
            writer.write(file);
        }
    }

    /** A view of the tiny checkpoint, for loaders that take {@link Weights}. */
    static Weights weights() {
        return Weights.of(SafeTensors.open(modelDir().resolve("model.safetensors")));
    }

    private static final class Nd4jHolder {
        static final LlamaDecoder DECODER = loadNd4j();

        private static LlamaDecoder loadNd4j() {
            try (SafeTensors source = SafeTensors.open(modelDir().resolve("model.safetensors"))) {
                Weights w = Weights.of(source);
                LlamaDecoder decoder = LlamaDecoder.load(w, config(),
                        ExecutionPlan.Part.llm(Engine.ND4J, WeightFormat.F32, Precision.FP32));
                w.requireAllUsed();
                return decoder;
            }
        }
    }

    private static final class Holder {
        static final LlamaDecoder DECODER = LlamaDecoder.load(modelDir());
        static final SafeTensors GOLDENS = SafeTensors.open(Goldens.path("llm/llm_goldens.safetensors"));
    }
}
