package io.ferret4j.llm;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.ferret4j.core.nn.Linear;
import io.ferret4j.core.nn.Linears;
import io.ferret4j.core.nn.Nd4jRuntime;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.plan.KvCacheFormat;
import io.ferret4j.core.probe.Probe;
import io.ferret4j.core.region.Region;
import io.ferret4j.core.resources.Resources;
import io.ferret4j.core.weights.Checkpoints;
import io.ferret4j.core.weights.TensorSource;
import io.ferret4j.core.weights.Weights;
import io.ferret4j.encoder.ClipImageProcessor;
import io.ferret4j.encoder.ClipVisionTower;
import io.ferret4j.llm.generate.DecodeBatcher;
import io.ferret4j.llm.generate.DecodeSteps;
import io.ferret4j.llm.generate.GenerationConfig;
import io.ferret4j.llm.generate.GenerationResult;
import io.ferret4j.llm.generate.PrefixReuse;
import io.ferret4j.llm.generate.Generator;
import io.ferret4j.llm.generate.TokenListener;
import io.ferret4j.llm.tokenizer.LlamaTokenizer;
import io.ferret4j.llm.tokenizer.StreamingDecoder;
import io.ferret4j.sampler.GeoRegionSampler;
import io.ferret4j.sampler.GeoRegionSamplerConfig;
import io.ferret4j.sampler.MaskPointSampler;
import io.ferret4j.sampler.PoolerMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ml-ferret's {@code FERRETLlamaForCausalLM} for inference: the CLIP tower and {@code mm_projector} for the image,
 * the {@code GeoRegionSampler} for regions, the LLaMA decoder and the tokenizer. Immutable and shared by threads.
 *
 * <p>It owns the memory of its weights: {@link #close()} waits for the calls in flight (a generation ends at its
 * next token), then frees the Ferret checkpoint's tensors and the tower's, mapped or copied. Calls after that, or
 * begun while it closes, fail with an {@link IllegalStateException}.
 */
final class FerretModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FerretModel.class);
    private static final String MM_PROJECTOR = "model.mm_projector";

    final FerretConfig config;
    final LlamaTokenizer tokenizer;
    private final ClipImageProcessor processor;
    private final ClipVisionTower tower;
    private final Linear mmProjector;
    private final GeoRegionSampler sampler;
    private final LlamaDecoder decoder;
    private final Generator generator;
    private final DecodeBatcher batcher;                               // null when each answer decodes alone
    private final Resources owned;
    private final CallGate gate = new CallGate("this Ferret");

    private FerretModel(FerretConfig config, LlamaTokenizer tokenizer, ClipImageProcessor processor,
                        ClipVisionTower tower, Linear mmProjector, GeoRegionSampler sampler, LlamaDecoder decoder,
                        KvCacheFormat kvCacheFormat, FerretOptions options, Resources owned) {
        this.config = config;
        this.tokenizer = tokenizer;
        this.processor = processor;
        this.tower = tower;
        this.mmProjector = mmProjector;
        this.sampler = sampler;
        this.decoder = decoder;
        this.batcher = options.decodeBatch() == 0 ? null
                : new DecodeBatcher(decoder, options.decodeBatch(), options.prefillChunkRows());
        this.generator = batcher == null ? new Generator(decoder, kvCacheFormat)
                : new Generator(decoder, kvCacheFormat, batcher);
        this.owned = owned;
    }

    /**
     * Loads a Ferret folder and its CLIP tower, failing on any missing, misshaped or unused tensor; a failed load
     * frees what it had loaded.
     */
    static FerretModel load(Path dir, FerretOptions options) {
        Resources owned = new Resources();
        try {
            return load(dir, options, owned);
        } catch (RuntimeException e) {
            Resources.closeAfter(owned, e);
            throw e;
        }
    }

    private static FerretModel load(Path dir, FerretOptions options, Resources owned) {
        long t0 = System.nanoTime();
        ExecutionPlan plan = options.plan();
        LOG.info("Execution plan: {}", plan);
        Nd4jRuntime.configure();
        FerretConfig config = FerretConfig.fromJson(dir.resolve("config.json"));
        LlamaConfig llm = LlamaConfig.fromJson(dir.resolve("config.json"));
        LlamaTokenizer tokenizer = LlamaTokenizer.load(dir);
        checkRegionToken(config, tokenizer);
        Path towerDir = VisionTowerLocator.locate(options.visionTower(), dir, config.mmVisionTower(),
                VisionTowerLocator.defaultCacheRoots());
        LOG.info("Loading CLIP vision tower from {}", towerDir);
        ClipImageProcessor processor = ClipImageProcessor.load(towerDir);
        ClipVisionTower tower = owned.add(ClipVisionTower.load(towerDir, config.mmVisionSelectLayer(),
                ClipVisionTower.SelectFeature.of(config.mmVisionSelectFeature()), plan.visionTower()));
        if (tower.config().hiddenSize() != config.mmHiddenSize()) {
            throw new IllegalArgumentException("the vision tower at " + towerDir + " has hidden_size "
                    + tower.config().hiddenSize() + " but the Ferret config expects mm_hidden_size " + config.mmHiddenSize());
        }
        LOG.info("Loading Ferret weights from {}", dir);
        try (TensorSource source = Checkpoints.open(dir)) {
            Weights w = Weights.of(source);
            owned.add(w.memory());
            Linear projector = Linears.load(w, MM_PROJECTOR, config.mmHiddenSize(), llm.hiddenSize(), true,
                    plan.samplerAndProjector());
            LOG.info("Loading the region sampler");
            GeoRegionSampler sampler = GeoRegionSampler.load(w, GeoRegionSamplerConfig.of(config.mmHiddenSize(),
                    llm.hiddenSize(), PoolerMode.fromConfig(config.samplerPoolerMode())));
            LOG.info("Loading the language model ({} layers, hidden {}, {})", llm.numHiddenLayers(),
                    llm.hiddenSize(), plan.llm());
            LlamaDecoder decoder = LlamaDecoder.load(w, llm, plan.llm());
            w.requireAllUsed();
            LOG.info("Ferret ready in {} ms", (System.nanoTime() - t0) / 1_000_000);
            return new FerretModel(config, tokenizer, processor, tower, projector, sampler, decoder, plan.kvCache(),
                    options, owned);
        }
    }

    private static void checkRegionToken(FerretConfig config, LlamaTokenizer tokenizer) {
        int id = tokenizer.tokenId(LlamaTokenizer.REGION_FEA_TOKEN);
        if (id != config.imRegionFeaToken()) {
            throw new IllegalArgumentException("the tokenizer maps " + LlamaTokenizer.REGION_FEA_TOKEN + " to " + id
                    + " but config.json says im_region_fea_token " + config.imRegionFeaToken());
        }
    }

    /** One image, encoded once and reused by every turn of a conversation (and the image cache). */
    record EncodedImage(int width, int height, INDArray pixelValues, INDArray imageFeatures, INDArray projected) {
        /** The bytes of its arrays. */
        long bytes() {
            return Stream.of(pixelValues, imageFeatures, projected).mapToLong(a -> a.length() * a.dataType().width())
                    .sum();
        }

        /** Frees its arrays now; it cannot be used afterwards. */
        void close() {
            Stream.of(pixelValues, imageFeatures, projected).filter(INDArray::closeable).forEach(INDArray::close);
        }
    }

    /** §2, §3 and §8.1: preprocessing, the tower's selected features and their projection. */
    EncodedImage encode(BufferedImage image) {
        try (CallGate.Call call = gate.enter()) {
            INDArray pixels = processor.preprocess(image);                          // [1, 3, S, S]
            INDArray features = tower.features(pixels);                             // [1, P, D]
            INDArray patches = features.reshape(features.size(1), features.size(2)); // [P, D]
            return new EncodedImage(image.getWidth(), image.getHeight(), pixels, patches,
                    mmProjector.forward(patches));
        }
    }

    /**
     * Everything fed to the decoder for one prompt, and how long the region sampler ({@code regionNanos}) and the
     * splice of text, image and region rows ({@code spliceNanos}) took.
     */
    record Prepared(int[] inputIds, INDArray regionFeatures, INDArray inputsEmbeds, long regionNanos,
                    long spliceNanos) {
    }

    /** §4.4, §7 and §8: ids with the image placeholder, region vectors, and the spliced embeddings. */
    Prepared prepare(EncodedImage image, String prompt, List<Region> regions, MaskPointSampler points) {
        try (CallGate.Call call = gate.enter()) {
            return prepareOpen(image, prompt, regions, points);
        }
    }

    private Prepared prepareOpen(EncodedImage image, String prompt, List<Region> regions, MaskPointSampler points) {
        int[] ids = tokenizer.encodeWithImage(prompt);
        long t0 = System.nanoTime();
        INDArray regionRows = regions.isEmpty()
                ? Nd4j.create(DataType.FLOAT, 0, decoder.config().hiddenSize())
                : sampler.forward(image.imageFeatures(), regions, image.width(), image.height(), points,
                Probe.NONE);                              // [R, H]
        long t1 = System.nanoTime();
        INDArray embeds = MultimodalSplice.inputsEmbeds(decoder, ids, image.projected(), regionRows,
                config.imRegionFeaToken());
        return new Prepared(ids, regionRows, embeds, t1 - t0, System.nanoTime() - t1);
    }

    /** A decoder of generated ids into text as it streams (see {@link LlamaTokenizer#newStreamingDecoder}). */
    StreamingDecoder newStreamingDecoder() {
        return tokenizer.newStreamingDecoder(true);
    }

    /** The text of a whole answer's ids (see {@link LlamaTokenizer#decodeAnswer}). */
    String decodeAnswer(int[] outputIds) {
        return tokenizer.decodeAnswer(outputIds);
    }

    /**
     * Decodes after the spliced prompt, from the rows {@code reuse} restores.
     *
     * @throws IllegalStateException if the model is closed, or began to close during the generation
     */
    GenerationResult generate(Prepared prepared, GenerationConfig generation, PrefixReuse reuse,
                              TokenListener listener) {
        try (CallGate.Call call = gate.enter()) {
            GenerationResult result = generator.generate(prepared.inputsEmbeds(), generation, reuse,
                    id -> listener.onToken(id) && !call.closing());
            call.checkNotClosed();
            return result;
        }
    }

    /** Decoding steps run so far by their number of answers (empty when each answer decodes alone). */
    Map<Integer, DecodeSteps> decodeSteps() {
        return batcher == null ? Map.of() : batcher.steps();
    }

    /**
     * Fails if the model is closed or closing.
     *
     * @throws IllegalStateException saying so
     */
    void checkOpen() {
        gate.checkOpen();
    }

    /**
     * Refuses new calls, waits for those in flight (a generation stops at its next token and fails), then frees the
     * weights (the Ferret checkpoint's, then the tower's); a second call does nothing.
     *
     * @throws IllegalStateException if called from inside a call, such as a streaming callback
     */
    @Override
    public void close() {
        gate.close();
        owned.close();
    }
}
