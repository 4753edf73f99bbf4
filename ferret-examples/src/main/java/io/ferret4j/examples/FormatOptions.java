package io.ferret4j.examples;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.plan.KvCacheFormat;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.llm.FerretOptions;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * Options choosing how a model holds and multiplies its weights and keeps its key/value cache, which engine computes
 * it, and how much its caches keep: {@code --weights}, {@code --vision-weights}, {@code --vision-precision},
 * {@code --llm-precision}, {@code --kv-cache}, {@code --engine} and the cache bounds {@code --image-cache-mib},
 * {@code --prefix-cache-mib}, and how concurrent answers share the model: {@code --decode-batch},
 * {@code --prefill-chunk-rows} (a picocli mixin; the defaults are {@link FerretOptions#defaults()}'s).
 */
final class FormatOptions {
    @Option(names = "--weights", paramLabel = "FORMAT", defaultValue = "f16",
            description = "how the language model's weights are held: ${COMPLETION-CANDIDATES} "
                    + "(default: ${DEFAULT-VALUE})")
    private WeightFormat weights;

    @Option(names = "--vision-weights", paramLabel = "FORMAT", defaultValue = "f32", converter = F32OrF16.class,
            completionCandidates = F32OrF16.class,
            description = "how the CLIP tower's weights are held: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    private WeightFormat visionWeights;

    @Option(names = "--vision-precision", paramLabel = "PRECISION", defaultValue = "fp32",
            description = "the CLIP tower's products: fp32 or bf16 (oneDNN, where the CPU has bf16; default: fp32)")
    private Precision visionPrecision;

    @Option(names = "--llm-precision", paramLabel = "PRECISION", defaultValue = "fp32",
            description = "the language model's batched products: fp32 or bf16 (default: fp32)")
    private Precision llmPrecision;

    @Option(names = "--kv-cache", paramLabel = "FORMAT", defaultValue = "f32", converter = CacheFormat.class,
            completionCandidates = CacheFormat.class,
            description = "how the key/value cache holds keys and values: ${COMPLETION-CANDIDATES} "
                    + "(default: ${DEFAULT-VALUE})")
    private KvCacheFormat kvCache;

    @Option(names = "--engine", paramLabel = "ENGINE",
            description = "what computes the model: java (CPU kernels) or nd4j (ND4J ops only, on any ND4J backend); "
                    + "default: nd4j on ND4J's CUDA backend, else java")
    private Engine engine;

    @Option(names = "--image-cache-mib", paramLabel = "MIB", defaultValue = "64",
            description = "keep up to MIB of encoded images for later questions about the same image; 0 = off "
                    + "(default: ${DEFAULT-VALUE})")
    private long imageCacheMib;

    @Option(names = "--prefix-cache-mib", paramLabel = "MIB", defaultValue = "0",
            description = "keep up to MIB of earlier prompts' key/value rows, so a follow-up question or the next turn "
                    + "prefills only its own rows; 0 = off (default: ${DEFAULT-VALUE})")
    private long prefixCacheMib;

    @Option(names = "--decode-batch", paramLabel = "N", defaultValue = "" + FerretOptions.DEFAULT_DECODE_BATCH,
            description = "decode up to N concurrent answers together, one pass over the weights per step for all; "
                    + "0 = each answer alone (default: ${DEFAULT-VALUE})")
    private int decodeBatch;

    @Option(names = "--prefill-chunk-rows", paramLabel = "ROWS",
            defaultValue = "" + FerretOptions.DEFAULT_PREFILL_CHUNK_ROWS,
            description = "with --decode-batch, prompt rows run between two decoding steps of the running answers "
                    + "(default: ${DEFAULT-VALUE})")
    private int prefillChunkRows;

    /** Parses {@code args}, which may hold only these options (as {@link #toArgs()} writes them). */
    static FormatOptions parse(List<String> args) {
        FormatOptions options = new FormatOptions();
        FerretCli.configure(new CommandLine(options)).parseArgs(args.toArray(String[]::new));
        return options;
    }

    /** The language model's weight format. */
    WeightFormat weights() {
        return weights;
    }

    /** {@code options} with these formats, precisions and cache bounds, and the engine if one was given. */
    FerretOptions applyTo(FerretOptions options) {
        FerretOptions formats = options.withWeightFormat(weights).withVisionWeightFormat(visionWeights)
                .withVisionPrecision(visionPrecision).withLlmPrecision(llmPrecision).withKvCacheFormat(kvCache)
                .withImageCacheBytes(mib(imageCacheMib, "--image-cache-mib"))
                .withPrefixCacheBytes(mib(prefixCacheMib, "--prefix-cache-mib"))
                .withDecodeBatch(decodeBatch).withPrefillChunkRows(prefillChunkRows);
        return engine == null ? formats : formats.withEngine(engine);
    }

    /** These options as command-line arguments, for {@link #parse} in another JVM. */
    List<String> toArgs() {
        List<String> args = new ArrayList<>();
        args.addAll(List.of("--weights", weights.toString(), "--vision-weights", visionWeights.toString()));
        args.addAll(List.of("--vision-precision", visionPrecision.toString()));
        args.addAll(List.of("--llm-precision", llmPrecision.toString()));
        args.addAll(List.of("--kv-cache", kvCache.toString()));
        args.addAll(List.of("--image-cache-mib", Long.toString(imageCacheMib)));
        args.addAll(List.of("--prefix-cache-mib", Long.toString(prefixCacheMib)));
        args.addAll(List.of("--decode-batch", Integer.toString(decodeBatch)));
        args.addAll(List.of("--prefill-chunk-rows", Integer.toString(prefillChunkRows)));
        if (engine != null) {
            args.addAll(List.of("--engine", engine.toString()));
        }
        return args;
    }

    private static long mib(long mib, String option) {
        if (mib < 0 || mib > Long.MAX_VALUE >> 20) {
            throw new IllegalArgumentException(option + " must be 0 (off) or a positive number of MiB, got " + mib);
        }
        return mib << 20;
    }

    /** {@code f32} or {@code f16} (any case): the formats the CLIP tower can use. */
    static final class F32OrF16 implements CommandLine.ITypeConverter<WeightFormat>, Iterable<String> {
        private static final List<WeightFormat> ALLOWED = List.of(WeightFormat.F32, WeightFormat.F16);

        @Override
        public WeightFormat convert(String value) {
            return ALLOWED.stream().filter(f -> f.name().equalsIgnoreCase(value)).findFirst()
                    .orElseThrow(() -> new TypeConversionException("expected f32 or f16 but was '" + value + "'"));
        }

        @Override
        public Iterator<String> iterator() {
            return ALLOWED.stream().map(WeightFormat::toString).iterator();
        }
    }

    /** {@code f32} or {@code f16} (any case): the key/value cache's formats. */
    static final class CacheFormat implements CommandLine.ITypeConverter<KvCacheFormat>, Iterable<String> {
        @Override
        public KvCacheFormat convert(String value) {
            try {
                return KvCacheFormat.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("expected f32 or f16 but was '" + value + "'");
            }
        }

        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(KvCacheFormat.values()).map(KvCacheFormat::toString).iterator();
        }
    }
}
