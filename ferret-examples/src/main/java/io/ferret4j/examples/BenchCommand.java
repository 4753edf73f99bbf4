package io.ferret4j.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import io.ferret4j.core.backend.CudaCapability;
import io.ferret4j.core.kernels.KernelPool;
import io.ferret4j.core.kernels.MemoryBandwidth;
import io.ferret4j.core.kernels.RowKernels;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.core.weights.DType;
import io.ferret4j.llm.FerretOptions;
import io.ferret4j.llm.convert.QuantizeQ8;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code ferret bench --model 7b|13b|tiny --weights f32|f16|q8_0 [--layers N] [--threads N] [--new-tokens N]
 * [--vision-weights f32|f16] [--vision-precision fp32|bf16] [--llm-precision fp32|bf16] [--kv-cache f32|f16]
 * [--engine java|nd4j] [--work DIR] [--json]}: builds a random-weight Ferret of the real shapes (or the demo's tiny
 * ones, to try the command quickly), then measures this machine's limits
 * (memory bandwidth, sgemm rate) and the model against them: load time, image encode, region sampler, prefill of a
 * real refer prompt (576 image rows + the text), decode, and peak RSS. The model options mean what they mean to
 * {@code ferret ask} (parsed by {@link AskCommand#options}), except that {@code --weights} defaults to q8_0. Each speed is also given as a fraction of its limit:
 * decode as (weight bytes per token ÷ bandwidth) ÷ time per token, prefill and encode as (FLOPs ÷ sgemm rate) ÷ time.
 */
final class BenchCommand {
    private BenchCommand() {
    }

    /** The options that choose how the model is held and multiplied, handed to the measuring JVM as given. */
    static final Set<String> MODEL_OPTIONS = Set.of("--weights", "--vision-weights", "--vision-precision",
            "--llm-precision", "--kv-cache", "--engine");

    static void run(List<String> rawArgs, PrintStream out) {
        Set<String> valueOptions = new HashSet<>(MODEL_OPTIONS);
        valueOptions.addAll(Set.of("--model", "--layers", "--threads", "--new-tokens", "--work"));
        CliArgs args = CliArgs.parse(rawArgs, valueOptions, Set.of("--json"));
        RandomCheckpoint.Shapes full = switch (args.get("--model").orElse("7b")) {
            case "7b" -> RandomCheckpoint.Shapes.FERRET_7B;
            case "13b" -> RandomCheckpoint.Shapes.FERRET_13B;
            case "tiny" -> RandomCheckpoint.Shapes.TINY;
            default -> throw new CliArgs.UsageException("--model must be 7b, 13b or tiny");
        };
        RandomCheckpoint.Shapes shapes = full.withLayers(args.intValue("--layers", full.layers()));
        List<String> modelFlags = modelFlags(args.has("--weights") ? args : args.with("--weights", "q8_0"));
        FerretOptions options = BenchRun.options(modelFlags);
        options.plan();                                                  // refuses impossible combinations before minutes of writing
        int threads = args.intValue("--threads", Runtime.getRuntime().availableProcessors());
        if (threads != KernelPool.shared().threads()) {
            throw new CliArgs.UsageException("--threads " + threads + " needs the JVM started with -D"
                    + KernelPool.THREADS_PROPERTY + "=" + threads + " (the kernel pool has " + KernelPool.shared().threads() + ")");
        }
        CudaCapability.checkVisibleGpus();                             // before ND4J loads its backend
        Nd4j.factory().blas().setMaxThreads(threads);
        int newTokens = args.intValue("--new-tokens", 16);
        Path work = Path.of(args.get("--work").orElse(System.getProperty("java.io.tmpdir")));
        boolean json = args.has("--json");
        Path dir = tempDir(work);
        try {
            Map<String, Object> r = measure(shapes, options, modelFlags, threads, newTokens, dir,
                    json ? s -> { } : out::println);
            out.println(json ? AnswerOutput.JSON.valueToTree(r).toString() : table(r));
        } finally {
            BundledFiles.deleteTree(dir);
        }
    }

    /** The model options of {@code args} as command-line flags, in the order given. */
    private static List<String> modelFlags(CliArgs args) {
        List<String> flags = new ArrayList<>();
        for (Map.Entry<String, String> e : args.inOrder(MODEL_OPTIONS)) {
            flags.add(e.getKey());
            flags.add(e.getValue());
        }
        return flags;
    }

    private static Map<String, Object> measure(RandomCheckpoint.Shapes s, FerretOptions options, List<String> modelFlags,
                                               int threads, int newTokens, Path dir, Consumer<String> log) {
        WeightFormat format = options.weightFormat();
        Map<String, Object> r = new LinkedHashMap<>();
        log.accept("measuring memory bandwidth and sgemm ...");
        double bandwidth = MemoryBandwidth.readGbs(MemoryBandwidth.DEFAULT_BYTES, KernelPool.shared(), RowKernels.best());
        double sgemm = MachineLimits.sgemmGflops();
        r.put("memory_bandwidth_gbs", bandwidth);
        r.put("sgemm_gflops", sgemm);
        log.accept("writing a random " + s + " checkpoint (" + format + ") to " + dir + " ...");
        Path model = dir.resolve("model");
        RandomCheckpoint.write(model, s, format == WeightFormat.F32 ? DType.F32 : DType.F16, 1);
        if (format == WeightFormat.Q8_0) {
            Path q8 = dir.resolve("model-q8_0");
            QuantizeQ8.run(model, q8, false, p -> { });
            BundledFiles.deleteTree(model);
            model = q8;
        }
        Path photo = dir.resolve(BundledFiles.PHOTO);
        BundledFiles.copy(BundledFiles.PHOTO, photo);
        log.accept("loading and answering twice in a fresh JVM (the first answer pages the weights in) ...");
        Map<String, Object> run = BenchRun.inChildJvm(new BenchRun.Request(model, threads, newTokens, photo,
                dir.resolve("result.json"), modelFlags));
        r.putAll(run);
        int rows = ((Number) run.get("prompt_rows")).intValue();
        double decode = ((Number) run.get("decode_tokens_per_s")).doubleValue();
        double prefillSeconds = rows / ((Number) run.get("prefill_tokens_per_s")).doubleValue();
        double encodeSeconds = ((Number) run.get("encode_ms")).doubleValue() / 1e3;
        r.put("decode_fraction_of_limit", s.llmMatrixBytes(format) / (bandwidth * 1e9) * decode);
        r.put("prefill_fraction_of_limit", s.prefillFlops(rows) / (sgemm * 1e9) / prefillSeconds);
        r.put("encode_fraction_of_limit", s.encodeFlops() / (sgemm * 1e9) / encodeSeconds);
        r.put("model", s.toString());
        r.put("weights", format.toString());
        r.put("vision_weights", options.visionWeightFormat().toString());
        r.put("vision_precision", options.visionPrecision().toString());
        r.put("llm_precision", options.llmPrecision().toString());
        r.put("kv_cache", options.kvCacheFormat().toString());
        r.put("engine", options.engine().toString());
        r.put("threads", threads);
        r.put("java", Runtime.version().toString());
        return r;
    }

    private static String table(Map<String, Object> r) {
        StringBuilder sb = new StringBuilder();
        r.forEach((k, v) -> sb.append(String.format("%-28s %s%n", k, v instanceof Double d ? String.format("%.3f", d) : v)));
        return sb.toString();
    }

    private static Path tempDir(Path work) {
        try {
            Files.createDirectories(work);
            return Files.createTempDirectory(work, "ferret-bench");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder under " + work, e);
        }
    }
}
