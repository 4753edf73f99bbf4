package io.ferret4j.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

import io.ferret4j.core.backend.CudaCapability;
import io.ferret4j.core.kernels.KernelPool;
import io.ferret4j.core.kernels.MemoryBandwidth;
import io.ferret4j.core.kernels.RowKernels;
import io.ferret4j.core.machine.MachineReport;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.core.weights.DType;
import io.ferret4j.llm.FerretOptions;
import io.ferret4j.llm.convert.Quantize;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code ferret bench}: builds a random-weight Ferret of the real shapes, then measures this machine's limits
 * (memory bandwidth, sgemm rate) and the model against them: load time, image encode, region sampler, prefill of a
 * real refer prompt (576 image rows + the text), decode, and peak RSS. The format options mean what they mean to
 * {@code ferret ask} ({@link FormatOptions}), except that {@code --weights} defaults to q8_0. Each speed is also given
 * as a fraction of its limit: decode as (weight bytes per token ÷ bandwidth) ÷ time per token, prefill and encode as
 * (FLOPs ÷ sgemm rate) ÷ time.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, defaultValueProvider = BenchCommand.Defaults.class,
        description = "Speed and memory of a 7B or 13B Ferret on this machine, on random weights of the real shapes.")
final class BenchCommand implements Callable<Integer> {
    private static final String DEFAULT_WEIGHTS = "q8_0";

    @Option(names = "--model", paramLabel = "SIZE", defaultValue = "7b", converter = ModelSize.class,
            completionCandidates = ModelSize.class, description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    private RandomCheckpoint.Shapes model;

    @Option(names = "--layers", paramLabel = "N", description = "cut the language model to N layers, for quick runs")
    private Integer layers;

    @Option(names = "--threads", paramLabel = "N",
            description = "kernel and BLAS threads; must match -D" + KernelPool.THREADS_PROPERTY + " (default: the CPUs)")
    private Integer threads;

    @Option(names = "--new-tokens", paramLabel = "N", defaultValue = "16",
            description = "tokens to decode (default: ${DEFAULT-VALUE})")
    private int newTokens;

    @Option(names = "--work", paramLabel = "DIR", defaultValue = "${sys:java.io.tmpdir}",
            description = "where to write the checkpoint (about 15 GB for 7B, 28 GB for 13B; default: ${DEFAULT-VALUE})")
    private Path work;

    @Option(names = "--json", description = "print one JSON object")
    private boolean json;

    @Mixin
    private FormatOptions formats;

    @ParentCommand
    private FerretCli cli;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintStream out = cli.out();
        RandomCheckpoint.Shapes shapes = model.withLayers(layers == null ? model.layers() : layers);
        FerretOptions options = formats.applyTo(FerretOptions.defaults());
        options.plan();                                                  // refuses impossible combinations before minutes of writing
        int threadCount = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (threadCount != KernelPool.shared().threads()) {
            throw new ParameterException(spec.commandLine(), "--threads " + threadCount + " needs the JVM started with -D"
                    + KernelPool.THREADS_PROPERTY + "=" + threadCount + " (the kernel pool has "
                    + KernelPool.shared().threads() + ")");
        }
        CudaCapability.checkVisibleGpus();                             // before ND4J loads its backend
        Nd4j.factory().blas().setMaxThreads(threadCount);
        Path dir = tempDir(work);
        try {
            Map<String, Object> r = measure(shapes, options, formats.toArgs(), threadCount, newTokens, dir,
                    json ? s -> { } : out::println);
            out.println(json ? AnswerOutput.JSON.valueToTree(r).toString() : table(r));
        } finally {
            BundledFiles.deleteTree(dir);
        }
        return 0;
    }

    /** {@code 7b}, {@code 13b} or {@code tiny}: the shapes of Ferret-7B or -13B, or the demo's, to try the command. */
    static final class ModelSize implements CommandLine.ITypeConverter<RandomCheckpoint.Shapes>, Iterable<String> {
        private static final Map<String, RandomCheckpoint.Shapes> SIZES = new LinkedHashMap<>();

        static {
            SIZES.put("7b", RandomCheckpoint.Shapes.FERRET_7B);
            SIZES.put("13b", RandomCheckpoint.Shapes.FERRET_13B);
            SIZES.put("tiny", RandomCheckpoint.Shapes.TINY);
        }

        @Override
        public RandomCheckpoint.Shapes convert(String value) {
            RandomCheckpoint.Shapes s = SIZES.get(value.toLowerCase(Locale.ROOT));
            if (s == null) {
                throw new TypeConversionException("expected 7b, 13b or tiny but was '" + value + "'");
            }
            return s;
        }

        @Override
        public Iterator<String> iterator() {
            return SIZES.keySet().iterator();
        }
    }

    /**
     * {@code --weights} defaults to {@value #DEFAULT_WEIGHTS} here (a 7B model in 24 GiB), and the prefix cache is on,
     * as a service's would be, so that the follow-up question is measured.
     */
    static final class Defaults extends OptionDefaults {
        Defaults() {
            super(Map.of("--weights", DEFAULT_WEIGHTS, "--prefix-cache-mib",
                    Long.toString(FerretOptions.DEFAULT_SERVE_PREFIX_CACHE_BYTES >> 20)));
        }
    }

    private static Map<String, Object> measure(RandomCheckpoint.Shapes s, FerretOptions options, List<String> modelFlags,
                                               int threads, int newTokens, Path dir, Consumer<String> log) {
        WeightFormat format = options.weightFormat();
        Map<String, Object> r = new LinkedHashMap<>();
        MachineReport machine = MachineReport.read();
        machine.lines().forEach(log);
        log.accept("measuring memory bandwidth and sgemm ...");
        double bandwidth = MemoryBandwidth.readGbs(MemoryBandwidth.DEFAULT_BYTES, KernelPool.shared(), RowKernels.best());
        double sgemm = MachineLimits.sgemmGflops();
        r.put("memory_bandwidth_gbs", bandwidth);
        r.put("sgemm_gflops", sgemm);
        log.accept("writing a random " + s + " checkpoint (" + format + ") to " + dir + " ...");
        Path model = dir.resolve("model");
        RandomCheckpoint.write(model, s, format == WeightFormat.F32 ? DType.F32 : DType.F16, 1);
        if (format.isBlockQuantized()) {
            Path quantised = dir.resolve("model-" + format);
            Quantize.run(model, quantised, format, false, p -> { });
            BundledFiles.deleteTree(model);
            model = quantised;
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
        r.put("machine", machine);
        return r;
    }

    private static String table(Map<String, Object> r) {
        StringBuilder sb = new StringBuilder();
        r.forEach((k, v) -> {
            if (v instanceof MachineReport m) {
                m.lines().forEach(line -> sb.append(line).append('\n'));
            } else {
                sb.append(String.format("%-28s %s%n", k, v instanceof Double d ? String.format("%.3f", d) : v));
            }
        });
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
