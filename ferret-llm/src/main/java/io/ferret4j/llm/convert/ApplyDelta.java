package io.ferret4j.llm.convert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import io.ferret4j.core.weights.Checkpoints;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.TensorSource;
import io.ferret4j.llm.convert.DeltaPlan.Action;
import io.ferret4j.llm.convert.DeltaPlan.Step;
import io.ferret4j.llm.convert.ShardedSafeTensorsWriter.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the full Ferret weights from Vicuna v1.3 and Apple's Ferret delta, as ml-ferret's
 * {@code python -m ferret.model.apply_delta} does, without Python. For every delta tensor the target is
 * {@code h(delta + base)}, summed in fp32 and rounded once to fp16; {@code model.embed_tokens.weight} and
 * {@code lm_head.weight} sum only the base's 32000 rows and take row 32000 ({@code <region_fea>}) from the delta;
 * the multimodal tensors ({@code model.mm_projector.*}, {@code model.region_geo_sampler.*}) are copied from the
 * delta. See {@link DeltaPlan} for the exact rules and what is refused.
 *
 * <p>Inputs are Hugging Face folders of {@code .bin} shards or safetensors (F16, BF16 or F32; every value is
 * rounded to fp16 first, as the reference's {@code torch_dtype=float16} load does). The output folder holds F16
 * safetensors ({@code model.safetensors}, or shards plus {@code model.safetensors.index.json}), the delta's
 * {@code config.json}, {@code generation_config.json} and tokenizer files. It is written tensor by tensor, with
 * one tensor's data in memory at a time (off the Java heap), and appears atomically ({@link AtomicModelFolder}).
 */
public final class ApplyDelta {
    private static final Logger LOG = LoggerFactory.getLogger(ApplyDelta.class);

    /** Files every Ferret folder needs: the model config and the SentencePiece model. */
    static final List<String> REQUIRED_FILES = List.of("config.json", "tokenizer.model");
    /** Files apply_delta's {@code save_pretrained} calls write when the delta has them. */
    static final List<String> OPTIONAL_FILES = List.of("generation_config.json", "tokenizer_config.json",
            "special_tokens_map.json", "added_tokens.json", "tokenizer.json");

    /**
     * How to write the target.
     *
     * @param maxShardBytes tensor bytes per safetensors shard; everything in one {@code model.safetensors} if it fits
     * @param overwrite     replace an existing output folder (only once the new one is complete)
     * @param progress      called before each tensor is written (in addition to the SLF4J log); may throw to abort
     */
    public record Options(long maxShardBytes, boolean overwrite, Consumer<Progress> progress) {
        /** 4 GiB shards, refuse an existing output, no progress callback. */
        public static final Options DEFAULTS = new Options(4L << 30, false, p -> { });

        public Options {
            if (maxShardBytes <= 0) {
                throw new IllegalArgumentException("maxShardBytes must be positive, found " + maxShardBytes);
            }
            Objects.requireNonNull(progress, "progress");
        }

        /** These options with another shard size. */
        public Options withMaxShardBytes(long bytes) {
            return new Options(bytes, overwrite, progress);
        }

        /** These options, allowing (or refusing) to replace an existing output folder. */
        public Options withOverwrite(boolean replace) {
            return new Options(maxShardBytes, replace, progress);
        }

        /** These options with a progress callback, for example to drive a progress bar. */
        public Options withProgress(Consumer<Progress> listener) {
            return new Options(maxShardBytes, overwrite, listener);
        }
    }

    /**
     * What was written.
     *
     * @param summed  tensors that got the base added (including the two row-extended ones)
     * @param copied  delta-only tensors copied as they are
     * @param skipped {@code rotary_emb.inv_freq} buffers present on one side only, left out
     * @param files   the files in the output folder, by name
     * @param bytes   tensor bytes written
     */
    public record Summary(Path folder, int summed, int copied, List<String> skipped, List<String> files, long bytes) {
    }

    private ApplyDelta() {
    }

    /** {@link #run(Path, Path, Path, Options)} with {@link Options#DEFAULTS}. */
    public static Summary run(Path base, Path delta, Path out) {
        return run(base, delta, out, Options.DEFAULTS);
    }

    /**
     * Applies {@code delta} to {@code base} and writes the target model folder {@code out}. Everything is checked
     * (files present, names, shapes, dtypes) before the first byte is written; on any failure {@code out} is left
     * as it was and no temporary folder remains.
     *
     * @param base  the Vicuna v1.3 folder (or any checkpoint file or index that {@link Checkpoints#open} reads)
     * @param delta the Ferret delta folder: weights plus {@code config.json} and the tokenizer files
     * @param out   the folder to create; it must not exist unless {@link Options#overwrite()}
     * @throws io.ferret4j.core.weights.CheckpointException if the inputs are unreadable or do not match
     * @throws IllegalArgumentException if {@code out} exists (without overwrite) or is one of the inputs
     * @throws UncheckedIOException if writing fails
     */
    public static Summary run(Path base, Path delta, Path out, Options options) {
        List<Path> extraFiles = modelFiles(delta);
        refuseInputAsOutput(out, base, delta);
        try (TensorSource baseSource = Checkpoints.open(base); TensorSource deltaSource = Checkpoints.open(delta)) {
            DeltaPlan plan = DeltaPlan.of(baseSource, deltaSource);
            logSkipped(plan);
            try (AtomicModelFolder folder = AtomicModelFolder.create(out, options.overwrite())) {
                List<String> files = new ArrayList<>();
                long bytes = writeTensors(plan, baseSource, deltaSource, folder.path(), options, files);
                for (Path file : extraFiles) {
                    Files.copy(file, folder.path().resolve(file.getFileName()));
                    files.add(file.getFileName().toString());
                }
                folder.commit();
                Summary summary = summary(folder.target(), plan, files, bytes);
                LOG.info("wrote {}: {} tensors summed, {} copied, {} skipped, {} bytes in {}", summary.folder(),
                        summary.summed(), summary.copied(), summary.skipped().size(), bytes, files);
                return summary;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("applying " + delta + " to " + base + " failed: " + e, e);
        }
    }

    private static long writeTensors(DeltaPlan plan, TensorSource base, TensorSource delta, Path folder,
                                     Options options, List<String> files) {
        ShardedSafeTensorsWriter writer = new ShardedSafeTensorsWriter(options.maxShardBytes());
        ScratchBuffer scratch = new ScratchBuffer(plan.steps().stream().mapToLong(Step::outputBytes).max().orElse(0));
        for (Step step : plan.steps()) {
            writer.add(step.name(), DType.F16, step.shape(), () -> produce(step, base, delta, scratch));
        }
        List<Path> written = writer.write(folder, p -> {
            LOG.info("tensor {}/{} {} ({} bytes; {} of {} bytes written)", p.index() + 1, p.count(), p.name(),
                    p.tensorBytes(), p.bytesWritten(), p.totalBytes());
            options.progress().accept(p);
        });
        written.forEach(f -> files.add(f.getFileName().toString()));
        return plan.steps().stream().mapToLong(Step::outputBytes).sum();
    }

    /** The F16 bytes of one output tensor: mapped delta bytes for an F16 copy, else computed into the scratch. */
    private static ByteBuffer produce(Step step, TensorSource base, TensorSource delta, ScratchBuffer scratch) {
        RawTensor d = delta.get(step.name());
        if (step.action() == Action.COPY && d.dtype() == DType.F16) {
            return d.bytes();
        }
        RawTensor b = step.action() == Action.COPY ? null : base.get(step.name());
        return HalfSum.apply(d, b, scratch.get());
    }

    /** A model folder's config and tokenizer files, failing early if a required one is missing. */
    static List<Path> modelFiles(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException(folder + " is not a folder; its config and tokenizer files are needed "
                    + "as well as its weights");
        }
        List<Path> files = new ArrayList<>();
        for (String name : REQUIRED_FILES) {
            Path file = folder.resolve(name);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("folder " + folder + " has no " + name + "; expected "
                        + REQUIRED_FILES + " and usually " + OPTIONAL_FILES);
            }
            files.add(file);
        }
        for (String name : OPTIONAL_FILES) {
            Path file = folder.resolve(name);
            if (Files.isRegularFile(file)) {
                files.add(file);
            } else {
                LOG.info("folder {} has no {}; the target will not have one either", folder, name);
            }
        }
        return files;
    }

    private static void refuseInputAsOutput(Path out, Path base, Path delta) {
        Path target = out.toAbsolutePath().normalize();
        for (Path input : List.of(base, delta)) {
            Path in = input.toAbsolutePath().normalize();
            if (in.startsWith(target)) {
                throw new IllegalArgumentException("output " + out + " would replace the input " + input);
            }
        }
    }

    private static void logSkipped(DeltaPlan plan) {
        if (!plan.skippedBaseOnly().isEmpty()) {
            LOG.info("skipping {} rotary_emb.inv_freq buffers found only in the base (not learned; recomputed)",
                    plan.skippedBaseOnly().size());
        }
        if (!plan.skippedDeltaOnly().isEmpty()) {
            LOG.info("skipping {} rotary_emb.inv_freq buffers found only in the delta (not learned; recomputed)",
                    plan.skippedDeltaOnly().size());
        }
    }

    private static Summary summary(Path folder, DeltaPlan plan, List<String> files, long bytes) {
        int copied = (int) plan.steps().stream().filter(s -> s.action() == Action.COPY).count();
        List<String> skipped = new ArrayList<>(plan.skippedBaseOnly());
        skipped.addAll(plan.skippedDeltaOnly());
        return new Summary(folder, plan.steps().size() - copied, copied, List.copyOf(skipped), List.copyOf(files),
                bytes);
    }

    /** One direct buffer, as large as the largest output tensor, allocated on first use and reused. */
    private static final class ScratchBuffer {
        private final long capacity;
        private ByteBuffer buffer;

        ScratchBuffer(long capacity) {
            this.capacity = capacity;
        }

        ByteBuffer get() {
            if (buffer == null) {
                buffer = ByteBuffer.allocateDirect(Math.toIntExact(capacity)).order(ByteOrder.LITTLE_ENDIAN);
            }
            return buffer;
        }
    }
}
