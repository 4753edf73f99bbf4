package io.ferret4j.llm.convert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.ferret4j.core.kernels.BlockQuantized;
import io.ferret4j.core.kernels.Q4_0;
import io.ferret4j.core.kernels.Q8_0;
import io.ferret4j.core.kernels.StoredLayout;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.core.weights.Checkpoints;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.TensorSource;
import io.ferret4j.llm.convert.ShardedSafeTensorsWriter.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ferret convert --model DIR --quantize q8_0|q4_0 --out DIR}: writes a copy of a Ferret folder whose
 * language-model matrices ({@code embed_tokens}, every attention and MLP projection, {@code lm_head}) are stored in
 * the {@link Q8_0} or {@link Q4_0} layout, so loading with that {@link WeightFormat} maps them without re-quantising.
 * Everything else
 * (norms, {@code mm_projector}, the region sampler, config, tokenizer and a {@code vision_tower/} folder) is copied
 * unchanged. Tensors are quantised one at a time as they are written, and the folder appears atomically.
 */
public final class Quantize {
    private static final Logger LOG = LoggerFactory.getLogger(Quantize.class);
    /** The matrices {@code LlamaDecoder} loads through its weight format. */
    private static final Pattern LLM_MATRIX = Pattern.compile(
            "model\\.embed_tokens\\.weight|lm_head\\.weight"
                    + "|model\\.layers\\.\\d+\\.(self_attn\\.[qkvo]_proj|mlp\\.(gate|up|down)_proj)\\.weight");
    private static final long MAX_SHARD_BYTES = 4L << 30;

    private Quantize() {
    }

    /**
     * Converts {@code model} into {@code out}, its language-model matrices stored as {@code format}.
     *
     * @throws IllegalArgumentException if {@code format} is not block-quantised (Q8_0 or Q4_0), {@code out} exists
     *                                  (unless {@code overwrite}) or a matrix width is not a multiple of 32
     */
    public static List<Path> run(Path model, Path out, WeightFormat format, boolean overwrite,
                                 Consumer<Progress> progress) {
        Target target = Target.of(format);
        List<Path> extraFiles = ApplyDelta.modelFiles(model);
        try (TensorSource source = Checkpoints.open(model);
             AtomicModelFolder folder = AtomicModelFolder.create(out, overwrite)) {
            ShardedSafeTensorsWriter writer = new ShardedSafeTensorsWriter(MAX_SHARD_BYTES);
            int quantised = 0;
            for (String name : source.names()) {
                RawTensor t = source.get(name);
                if (LLM_MATRIX.matcher(name).matches()) {
                    StoredLayout layout = target.layout();
                    BlockQuantized[] last = new BlockQuantized[1];     // quants are written first, then their scales
                    writer.add(name, layout.quantsType(), layout.quantsShape(t.dim(0), t.dim(1)), () -> {
                        last[0] = target.quantizer().apply(source.get(name));
                        return last[0].quantBytes();
                    });
                    writer.add(name + layout.scalesSuffix(), DType.F16, layout.scalesShape(t.dim(0), t.dim(1)), () -> {
                        ByteBuffer scales = last[0].scaleBytes();
                        last[0] = null;                                // the writer keeps its suppliers: free the quants
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
            LOG.info("wrote {}: {} matrices quantised to {}, {} tensors in all", out, quantised, format,
                    source.names().size());
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("quantising " + model + " failed: " + e.getMessage(), e);
        }
    }

    /** The stored layout of a format and its quantiser. */
    private record Target(StoredLayout layout, Function<RawTensor, BlockQuantized> quantizer) {
        static Target of(WeightFormat format) {
            return switch (format) {
                case Q8_0 -> new Target(Q8_0.LAYOUT, Q8_0::quantize);
                case Q4_0 -> new Target(Q4_0.LAYOUT, Q4_0::quantize);
                case F32, F16 -> throw new IllegalArgumentException("a checkpoint is quantised to q8_0 or q4_0, got "
                        + format);
            };
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
