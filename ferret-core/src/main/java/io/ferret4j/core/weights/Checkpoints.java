package io.ferret4j.core.weights;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Opens a checkpoint file or a Hugging Face model folder as one {@link TensorSource}. In a folder the
 * first of these wins: {@code model.safetensors.index.json}, {@code model.safetensors},
 * {@code pytorch_model.bin.index.json}, {@code pytorch_model.bin}.
 */
public final class Checkpoints {
    private static final List<String> FOLDER_FILES = List.of(
            "model.safetensors.index.json", "model.safetensors",
            "pytorch_model.bin.index.json", "pytorch_model.bin");

    private Checkpoints() {
    }

    /**
     * Opens {@code path}: a {@code .safetensors} file, a PyTorch {@code .bin}/{@code .pt}/{@code .pth} ZIP
     * checkpoint ({@link PyTorchCheckpoint}), an {@code *.index.json} over shards of either, or a folder holding
     * one of those under its standard name.
     */
    public static TensorSource open(Path path) {
        if (Files.isDirectory(path)) {
            for (String name : FOLDER_FILES) {
                Path candidate = path.resolve(name);
                if (Files.isRegularFile(candidate)) {
                    return open(candidate);
                }
            }
            throw new CheckpointException(path, "no checkpoint found; expected one of " + FOLDER_FILES);
        }
        if (!Files.isRegularFile(path)) {
            throw new CheckpointException(path, "no such file");
        }
        String name = path.getFileName().toString();
        if (name.endsWith(".index.json")) {
            return ShardedTensorSource.open(path, Checkpoints::open);
        }
        if (name.endsWith(".safetensors")) {
            return SafeTensors.open(path);
        }
        if (name.endsWith(".bin") || name.endsWith(".pt") || name.endsWith(".pth")) {
            return PyTorchCheckpoint.open(path);
        }
        throw new CheckpointException(path, "unknown checkpoint format; expected .safetensors, .bin, .pt, .pth "
                + "or .index.json");
    }
}
