package io.ferret4j.llm.convert;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.Float16;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.SafeTensorsWriter;
import io.ferret4j.core.weights.TorchFixtures;

/**
 * Writes small Hugging Face model folders for the conversion tests: safetensors files, and {@code torch.save}
 * ZIP checkpoints whose pickle is written opcode by opcode (protocol 2, as CPython writes a state dict of
 * contiguous tensors) and whose storages are STORED records.
 */
final class ModelFolders {
    private ModelFolders() {
    }

    /** One tensor with its little-endian bytes. */
    record Tensor(String name, DType dtype, long[] shape, byte[] data) {
        Tensor {
            if (data.length != RawTensor.numel(shape) * dtype.byteSize()) {
                throw new IllegalArgumentException(name + ": " + data.length + " bytes for shape of "
                        + RawTensor.numel(shape) + " " + dtype);
            }
        }

        short[] halves() {
            short[] out = new short[data.length / 2];
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
            return out;
        }
    }

    static Tensor f16(String name, long[] shape, short... bits) {
        ByteBuffer b = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.asShortBuffer().put(bits);
        return new Tensor(name, DType.F16, shape, b.array());
    }

    static Tensor f32(String name, long[] shape, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new Tensor(name, DType.F32, shape, b.array());
    }

    static Tensor bf16(String name, long[] shape, float... values) {
        short[] bits = new short[values.length];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = Float16.floatToBf16(values[i]);
        }
        Tensor t = f16(name, shape, bits);
        return new Tensor(name, DType.BF16, shape, t.data());
    }

    /** F16 tensor of values uniform in [-2, 2), rounded to fp16. */
    static Tensor randomF16(String name, java.util.Random random, long... shape) {
        short[] bits = new short[Math.toIntExact(RawTensor.numel(shape))];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = Float16.fromFloat(random.nextFloat() * 4 - 2);
        }
        return f16(name, shape, bits);
    }

    /** {@code folder/model.safetensors}. */
    static void safetensors(Path folder, List<Tensor> tensors) throws IOException {
        Files.createDirectories(folder);
        SafeTensorsWriter w = new SafeTensorsWriter();
        for (Tensor t : tensors) {
            w.add(t.name(), t.dtype(), t.shape(), ByteBuffer.wrap(t.data()));
        }
        w.write(folder.resolve("model.safetensors"));
    }

    /** {@code folder/pytorch_model-0000K-of-0000N.bin} for each shard plus {@code pytorch_model.bin.index.json}. */
    static void binShards(Path folder, List<List<Tensor>> shards) throws IOException {
        Files.createDirectories(folder);
        StringBuilder map = new StringBuilder();
        for (int s = 0; s < shards.size(); s++) {
            String file = String.format("pytorch_model-%05d-of-%05d.bin", s + 1, shards.size());
            torchSave(folder.resolve(file), shards.get(s));
            for (Tensor t : shards.get(s)) {
                map.append(map.length() == 0 ? "" : ",").append('"').append(t.name()).append("\":\"")
                        .append(file).append('"');
            }
        }
        Files.writeString(folder.resolve("pytorch_model.bin.index.json"),
                "{\"metadata\":{\"total_size\":0},\"weight_map\":{" + map + "}}");
    }

    /** Writes text files into {@code folder}. */
    static void files(Path folder, Map<String, String> contents) throws IOException {
        Files.createDirectories(folder);
        for (Map.Entry<String, String> e : contents.entrySet()) {
            Files.writeString(folder.resolve(e.getKey()), e.getValue());
        }
    }

    /** A {@code torch.save} ZIP: {@code archive/data.pkl}, one storage record per tensor, {@code archive/version}. */
    static void torchSave(Path file, List<Tensor> tensors) throws IOException {
        List<TorchFixtures.Spec> specs = new ArrayList<>();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            specs.add(TorchFixtures.Spec.contiguous(t.name(), storageClass(t.dtype()), Integer.toString(i), t.shape()));
            storages.put(Integer.toString(i), t.data());
        }
        TorchFixtures.checkpoint(file, TorchFixtures.stateDict(specs), storages);
    }

    private static String storageClass(DType dtype) {
        return switch (dtype) {
            case F16 -> "HalfStorage";
            case BF16 -> "BFloat16Storage";
            case F32 -> "FloatStorage";
            case I64 -> "LongStorage";
            default -> throw new IllegalArgumentException(dtype.toString());
        };
    }
}
