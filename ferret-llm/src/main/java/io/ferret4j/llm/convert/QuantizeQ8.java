package io.ferret4j.llm.convert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.ferret4j.core.kernels.Q8_0;
import io.ferret4j.core.weights.Checkpoints;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.TensorSource;
import io.ferret4j.llm.convert.ShardedSafeTensorsWriter.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ferret convert --model DIR --quantize q8_0 --out DIR}: writes a copy of a Ferret folder whose language-model
 * matrices ({@code embed_tokens}, every attention and MLP projection, {@code lm_head}) are stored in the
 * {@link Q8_0} layout, so loading with {@code WeightFormat.Q8_0} maps them without re-quantising. Everything else
 * (norms, {@code mm_projector}, the region sampler, config, tokenizer and a {@code vision_tower/} folder) is copied
 * unchanged. Tensors are quantised one at a time as they are written, and the folder appears atomically.
 */
public final class QuantizeQ8 {
    private static final Logger LOG = LoggerFactory.getLogger(QuantizeQ8.class);
    /** The matrices {@code LlamaDecoder} loads through its weight format. */
    private static final Pattern LLM_MATRIX = Pattern.compile(
            "model\\.embed_tokens\\.weight|lm_head\\.weight"
                    + "|model\\.layers\\.\\d+\\.(self_attn\\.[qkvo]_proj|mlp\\.(gate|up|down)_proj)\\.weight");
    private static final long MAX_SHARD_BYTES = 4L << 30;

    private QuantizeQ8() {
    }

    /**
     * Converts {@code model} into {@code out}.
     *
     * @throws IllegalArgumentException if {@code out} exists (unless {@code overwrite}) or a matrix width is not a
     *                                  multiple of 32
     */
    public static List<Path> run(Path model, Path out, boolean overwrite, Consumer<Progress> progress) {
        List<Path> extraFiles = ApplyDelta.modelFiles(model);
        try (TensorSource source = Checkpoints.open(model);
             AtomicModelFolder folder = AtomicModelFolder.create(out, overwrite)) {
            ShardedSafeTensorsWriter writer = new ShardedSafeTensorsWriter(MAX_SHARD_BYTES);
            int quantised = 0;
            for (String name : source.names()) {
                RawTensor t = source.get(name);
                if (LLM_MATRIX.matcher(name).matches()) {
                    Q8_0[] last = new Q8_0[1];                         // quants are written first, then their scales
                    writer.add(name, DType.I8, t.shape(), () -> {
                        last[0] = Q8_0.quantize(source.get(name));
                        return last[0].quantBytes();
                    });
                    writer.add(name + Q8_0.SCALES_SUFFIX, DType.F16,
                            new long[] {t.dim(0), t.dim(1) / Q8_0.BLOCK}, () -> {
                                ByteBuffer scales = last[0].scaleBytes();
                                last[0] = null;                        // the writer keeps its suppliers: free the quants
                                return scales;
                            });
                    quantised++;
                } else {
                    writer.add(name, t.dtype(), t.shape(), t::bytes);
                }
            }
            List<Path> files = new ArrayList<>(writer.write(folder.path(), progress));
            for (Path file : extraFiles) {
                Files.copy(file, folder.path().resolve(file.getFileName()));
            }
            copyTree(model.resolve("vision_tower"), folder.path().resolve("vision_tower"));
            folder.commit();
            LOG.info("wrote {}: {} matrices quantised to Q8_0, {} tensors in all", out, quantised, source.names().size());
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("quantising " + model + " failed: " + e.getMessage(), e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path dst = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(p, dst);
                }
            }
        }
    }
}
