package io.ferret4j.llm;

import java.nio.file.Path;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import io.ferret4j.core.backend.Nd4jBackend;
import io.ferret4j.core.nn.RowByRow;
import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.plan.KvCacheFormat;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.llm.generate.GenerationConfig;
import io.ferret4j.sampler.MaskPointSampler;

/**
 * How {@link Ferret} loads and answers. Immutable; start from {@link #defaults()} and change what you need. How the
 * model holds and multiplies its weights is decided once, by {@link #plan()}, which also refuses the combinations
 * that cannot work.
 *
 * @param visionTower           the CLIP tower folder, if not found automatically (see {@link VisionTowerLocator})
 * @param generation            decoding settings; the default is greedy, as the reference's evaluation effectively is
 * @param deterministicSampler  {@code true}: the region sampler picks points and FPS starts deterministically
 *                              (spec's DET variant: repeat pixels cyclically, spread subsets evenly, start FPS at
 *                              point 0), so the same question always gives the same answer; {@code false}: it draws
 *                              them at random as the reference does, from a generator seeded with {@code seed}
 * @param seed                  seeds the region sampler (when not deterministic) and token sampling
 * @param weightFormat          how the language model's weights are held: {@link WeightFormat#F16} (default) maps
 *                              the released fp16 checkpoint's bytes without a copy; {@link WeightFormat#F32} widens
 *                              them (exact reference arithmetic order, 4 bytes per weight); {@link WeightFormat#Q8_0}
 *                              quantises them (or reads a Q8_0 checkpoint) at about half the size of F16, and
 *                              {@link WeightFormat#Q4_0} likewise at about a quarter (less exact: docs/weights.md)
 * @param visionWeightFormat    how the CLIP tower's weights are held: {@link WeightFormat#F32} (default: exact fp32)
 *                              or {@link WeightFormat#F16}, 0.6 instead of 1.2 GB for ViT-L, the openai fp32 checkpoint
 *                              rounded at load as the reference's {@code .half()} cast does (features then differ
 *                              from fp32 by about 2e-3)
 * @param visionPrecision       {@link Precision#FP32} (default, the reference numerics) or {@link Precision#BF16}
 *                              for the CLIP tower's products through oneDNN where the CPU has bf16 (faster, see
 *                              docs/performance.md; relative error about 2e-3 per product)
 * @param llmPrecision          {@link Precision#FP32} (default) or {@link Precision#BF16} for the language model's
 *                              products through oneDNN where the CPU has bf16: with F16, Q8_0 or Q4_0 weights the
 *                              prefill's (image and prompt rows, faster per product) while decoding token
 *                              by token stays fp32; with F32 weights every product
 * @param kvCacheFormat         how each answer's key/value cache holds keys and values: {@link KvCacheFormat#F32}
 *                              (default: exactly as computed) or {@link KvCacheFormat#F16}, rounded to fp16 as the
 *                              reference's fp16 model keeps them (half the memory, 0.38 instead of 0.77 GB for 7B
 *                              at 730 positions, and half the cache bytes each generated token reads)
 * @param engine                what computes the model: {@link Engine#JAVA} (the default on ND4J's CPU backend:
 *                              Java kernels, oneDNN, sgemm) or {@link Engine#ND4J} (the default on the CUDA backend:
 *                              ND4J ops only, so they run on the GPU; F32 or F16 weights, fp32 products)
 * @param imageCacheBytes       bound of the encoded images kept for later questions about the same image (CLIP
 *                              output and projection; 13 MB per image for 7B); 0 keeps none; default 64 MiB
 * @param prefixCacheBytes      bound of the key/value rows of earlier prompts and answers kept for prompts that
 *                              begin with the same rows (7B, 700 rows: 0.73 GB in an F32 cache, half in F16); 0 keeps
 *                              none, the default, so that a model's memory is what it was without the cache: a
 *                              service that answers follow-up questions or conversations turns it on (e.g.
 *                              {@link #DEFAULT_SERVE_PREFIX_CACHE_BYTES}, as {@code ferret serve} does)
 * @param decodeBatch           the most concurrent answers decoded together, each step one pass over the weights
 *                              for all of them (1 to {@link RowByRow#MAX_ROWS}; default {@value #DEFAULT_DECODE_BATCH}),
 *                              or 0 for every answer on its own thread with its prompt in one pass. An answer is
 *                              the same whatever runs beside it.
 * @param prefillChunkRows      with {@code decodeBatch > 0}, the prompt rows run between two decoding steps of the
 *                              answers already running (default {@value #DEFAULT_PREFILL_CHUNK_ROWS}): smaller
 *                              chunks stall them less, larger ones prefill faster
 */
public record FerretOptions(Optional<Path> visionTower, GenerationConfig generation, boolean deterministicSampler,
                            long seed, WeightFormat weightFormat, WeightFormat visionWeightFormat,
                            Precision visionPrecision, Precision llmPrecision,
                            KvCacheFormat kvCacheFormat, Engine engine, long imageCacheBytes,
                            long prefixCacheBytes, int decodeBatch, int prefillChunkRows) {
    /** The demo worker's default answer length. */
    public static final int DEFAULT_MAX_NEW_TOKENS = 512;
    /** The default bound of the image cache: 64 MiB. */
    public static final long DEFAULT_IMAGE_CACHE_BYTES = 64L << 20;
    /** The default bound of the prefix cache: none (off). */
    public static final long DEFAULT_PREFIX_CACHE_BYTES = 0;
    /** A prefix-cache bound for services that answer follow-up questions: 1 GiB (a 7B prompt of 700 rows in F32). */
    public static final long DEFAULT_SERVE_PREFIX_CACHE_BYTES = 1L << 30;
    /** The default bound of answers decoded together. */
    public static final int DEFAULT_DECODE_BATCH = 8;
    /** The default prompt rows run between two decoding steps. */
    public static final int DEFAULT_PREFILL_CHUNK_ROWS = 128;

    /** Validates. */
    public FerretOptions {
        if (visionTower == null || generation == null || weightFormat == null || visionWeightFormat == null
                || visionPrecision == null || llmPrecision == null || kvCacheFormat == null || engine == null) {
            throw new IllegalArgumentException("visionTower, generation, weightFormat, visionWeightFormat, "
                    + "visionPrecision, llmPrecision, kvCacheFormat and engine must not be null");
        }
        if (imageCacheBytes < 0 || prefixCacheBytes < 0) {
            throw new IllegalArgumentException("cache bounds must be 0 (off) or positive bytes, got imageCacheBytes "
                    + imageCacheBytes + " and prefixCacheBytes " + prefixCacheBytes);
        }
        if (decodeBatch < 0 || decodeBatch > RowByRow.MAX_ROWS || prefillChunkRows < 1) {
            throw new IllegalArgumentException("decodeBatch must be 0 (off) to " + RowByRow.MAX_ROWS
                    + " and prefillChunkRows at least 1, got " + decodeBatch + " and " + prefillChunkRows);
        }
    }

    /**
     * Greedy decoding of up to 512 new tokens, region sampling as the reference does it (seed 0), fp16 weights, fp32
     * arithmetic and key/value cache, the tower found automatically, the engine that suits ND4J's backend
     * ({@link Nd4jBackend#defaultEngine()}), 64 MiB of encoded images kept, no prefix cache, and up to 8 concurrent
     * answers decoded together with prompts run 128 rows at a time.
     */
    public static FerretOptions defaults() {
        return new FerretOptions(Optional.empty(), GenerationConfig.greedy(DEFAULT_MAX_NEW_TOKENS), false, 0,
                WeightFormat.F16, WeightFormat.F32, Precision.FP32, Precision.FP32, KvCacheFormat.F32,
                Nd4jBackend.defaultEngine(), DEFAULT_IMAGE_CACHE_BYTES, DEFAULT_PREFIX_CACHE_BYTES,
                DEFAULT_DECODE_BATCH, DEFAULT_PREFILL_CHUNK_ROWS);
    }

    /**
     * How each part of the model holds and multiplies its weights under these options.
     *
     * @throws IllegalArgumentException naming a combination that cannot work (a Q8_0 or Q4_0 vision tower; Q8_0 or
     *         Q4_0 weights or bf16 products on the ND4J engine)
     */
    public ExecutionPlan plan() {
        return ExecutionPlan.of(engine, weightFormat, llmPrecision, visionWeightFormat, visionPrecision,
                kvCacheFormat);
    }

    /**
     * A fresh point sampler for one answer's regions: {@link MaskPointSampler#deterministic()} or one drawing from a
     * generator seeded with {@link #seed()}.
     */
    public MaskPointSampler pointSampler() {
        return deterministicSampler ? MaskPointSampler.deterministic()
                : MaskPointSampler.random(new SplittableRandom(seed));
    }

    /** These options with the CLIP tower read from {@code folder}. */
    public FerretOptions withVisionTower(Path folder) {
        return with(b -> b.visionTower = Optional.of(folder));
    }

    /** These options with other decoding settings. */
    public FerretOptions withGeneration(GenerationConfig config) {
        return with(b -> b.generation = config);
    }

    /** These options with at most {@code n} new tokens per answer. */
    public FerretOptions withMaxNewTokens(int n) {
        GenerationConfig g = generation;
        return withGeneration(new GenerationConfig(n, g.temperature(), g.topK(), g.topP(), g.seed(), g.stopSequences(),
                g.useCache()));
    }

    /** These options with deterministic ({@code true}) or seeded random region sampling. */
    public FerretOptions withDeterministicSampler(boolean deterministic) {
        return with(b -> b.deterministicSampler = deterministic);
    }

    /** These options with the language model's weights held in {@code format}. */
    public FerretOptions withWeightFormat(WeightFormat format) {
        return with(b -> b.weightFormat = format);
    }

    /** These options with the CLIP tower's weights held in {@code format} (F32 or F16; see {@link #plan()}). */
    public FerretOptions withVisionWeightFormat(WeightFormat format) {
        return with(b -> b.visionWeightFormat = format);
    }

    /** These options with the CLIP tower multiplying in {@code precision}. */
    public FerretOptions withVisionPrecision(Precision precision) {
        return with(b -> b.visionPrecision = precision);
    }

    /** These options with the language model multiplying in {@code precision}. */
    public FerretOptions withLlmPrecision(Precision precision) {
        return with(b -> b.llmPrecision = precision);
    }

    /** These options with each answer's key/value cache held in {@code format}. */
    public FerretOptions withKvCacheFormat(KvCacheFormat format) {
        return with(b -> b.kvCacheFormat = format);
    }

    /** These options computed by {@code other}. */
    public FerretOptions withEngine(Engine other) {
        return with(b -> b.engine = other);
    }

    /** These options keeping up to {@code bytes} of encoded images (0: none). */
    public FerretOptions withImageCacheBytes(long bytes) {
        return with(b -> b.imageCacheBytes = bytes);
    }

    /** These options keeping up to {@code bytes} of earlier prompts' key/value rows (0: none). */
    public FerretOptions withPrefixCacheBytes(long bytes) {
        return with(b -> b.prefixCacheBytes = bytes);
    }

    /** These options with up to {@code answers} concurrent answers decoded together, or 0 for none. */
    public FerretOptions withDecodeBatch(int answers) {
        return with(b -> b.decodeBatch = answers);
    }

    /** These options with {@code rows} prompt rows run between two decoding steps. */
    public FerretOptions withPrefillChunkRows(int rows) {
        return with(b -> b.prefillChunkRows = rows);
    }

    /** These options with another seed for the region sampler. */
    public FerretOptions withSeed(long newSeed) {
        return with(b -> b.seed = newSeed);
    }

    /** A copy with {@code change} applied to its components, validated as any new options are. */
    private FerretOptions with(Consumer<Components> change) {
        Components c = new Components(this);
        change.accept(c);
        return new FerretOptions(c.visionTower, c.generation, c.deterministicSampler, c.seed, c.weightFormat,
                c.visionWeightFormat, c.visionPrecision, c.llmPrecision, c.kvCacheFormat, c.engine, c.imageCacheBytes,
                c.prefixCacheBytes, c.decodeBatch, c.prefillChunkRows);
    }

    /** The components of a copy being made, one wither changing one of them. */
    private static final class Components {
        private Optional<Path> visionTower;
        private GenerationConfig generation;
        private boolean deterministicSampler;
        private long seed;
        private WeightFormat weightFormat;
        private WeightFormat visionWeightFormat;
        private Precision visionPrecision;
        private Precision llmPrecision;
        private KvCacheFormat kvCacheFormat;
        private Engine engine;
        private long imageCacheBytes;
        private long prefixCacheBytes;
        private int decodeBatch;
        private int prefillChunkRows;

        private Components(FerretOptions o) {
            visionTower = o.visionTower;
            generation = o.generation;
            deterministicSampler = o.deterministicSampler;
            seed = o.seed;
            weightFormat = o.weightFormat;
            visionWeightFormat = o.visionWeightFormat;
            visionPrecision = o.visionPrecision;
            llmPrecision = o.llmPrecision;
            kvCacheFormat = o.kvCacheFormat;
            engine = o.engine;
            imageCacheBytes = o.imageCacheBytes;
            prefixCacheBytes = o.prefixCacheBytes;
            decodeBatch = o.decodeBatch;
            prefillChunkRows = o.prefillChunkRows;
        }
    }
}
