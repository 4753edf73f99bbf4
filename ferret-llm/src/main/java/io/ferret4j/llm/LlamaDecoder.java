package io.ferret4j.llm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.function.BiFunction;

import io.ferret4j.core.nn.Linear;
import io.ferret4j.core.nn.RowByRow;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.plan.KvCacheFormat;
import io.ferret4j.core.probe.Probe;
import io.ferret4j.core.weights.Checkpoints;
import io.ferret4j.core.weights.TensorSource;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code LlamaForCausalLM}: token embeddings, {@code num_hidden_layers} decoder layers, the final RMSNorm and the
 * {@code lm_head} projection to vocabulary logits, computed in fp32. The object is immutable and may be shared
 * by threads; each sequence keeps its state in its own {@link KvCache}. A prompt is processed in one batched
 * pass (one gemm per projection for all its rows); later tokens then go through one at a time.
 *
 * <p>Probe taps, named as HF's {@code output_hidden_states}: {@code embeddings} (= hidden_states[0]),
 * {@code layer_out.i} (= hidden_states[i+1] for i &lt; L−1) and {@code norm} (= hidden_states[L], the final
 * RMSNorm output).
 */
public final class LlamaDecoder {
    private static final String EMBED_TOKENS = "model.embed_tokens";
    private static final String LAYERS = "model.layers.";
    private static final String NORM = "model.norm";
    private static final String LM_HEAD = "lm_head";

    private final LlamaConfig config;
    private final Embedding embedTokens;
    private final List<LlamaDecoderLayer> layers;
    private final RmsNorm norm;
    private final Linear lmHead;

    /** Assembles a decoder from loaded parts; {@link #load(Weights, LlamaConfig)} is the usual way. */
    public LlamaDecoder(LlamaConfig config, Embedding embedTokens, List<LlamaDecoderLayer> layers, RmsNorm norm,
                        Linear lmHead) {
        this.config = config;
        this.embedTokens = embedTokens;
        this.layers = List.copyOf(layers);
        this.norm = norm;
        this.lmHead = lmHead;
    }

    /**
     * Loads a plain LLaMA folder ({@code config.json} plus its checkpoint) and fails if the checkpoint holds any
     * tensor the decoder did not use.
     */
    public static LlamaDecoder load(Path dir) {
        LlamaConfig config = LlamaConfig.fromJson(dir.resolve("config.json"));
        try (TensorSource source = Checkpoints.open(dir)) {
            Weights weights = Weights.of(source);
            LlamaDecoder decoder = load(weights, config);
            weights.requireAllUsed();
            return decoder;
        }
    }

    /**
     * Loads the LLM tensors of a checkpoint ({@code model.embed_tokens}, {@code model.layers.*}, {@code model.norm},
     * {@code lm_head}) from a root view. Other tensors (a Ferret checkpoint's {@code model.mm_projector.*},
     * {@code model.region_geo_sampler.*}) are left for the caller, who checks {@link Weights#requireAllUsed()}.
     *
     * @throws IllegalArgumentException if {@code config} is invalid
     * @throws io.ferret4j.core.weights.CheckpointException naming a missing or misshaped tensor, or a stored
     *         {@code inv_freq} that differs from the configuration's
     */
    public static LlamaDecoder load(Weights w, LlamaConfig config) {
        return load(w, config, ExecutionPlan.Part.EXACT);
    }

    /**
     * Like {@link #load(Weights, LlamaConfig)}, holding the embedding table and every weight matrix as {@code part}
     * says ({@link ExecutionPlan.Part#llm}: F16 needs an fp16 checkpoint and maps its bytes without a copy; Q8_0
     * and Q4_0 quantise at load unless the checkpoint stores that format) and multiplying as it says: with bf16
     * products on a CPU with bf16, F16, Q8_0 and Q4_0 weights run prompt-sized products (32 rows or more: the image and prompt prefill) in
     * bf16 with fp32 accumulation, faster (docs/performance.md), while decoding one token at a time stays on the fp32
     * row kernels; F32 weights are packed into bf16 and run every product in bf16. On the ND4J engine
     * ({@link ExecutionPlan.Part#engine()}) every product, rotary step and attention is an ND4J op on FLOAT or HALF
     * arrays instead.
     */
    public static LlamaDecoder load(Weights w, LlamaConfig config, ExecutionPlan.Part part) {
        config.validate();
        RotaryEmbedding rope = RotaryEmbedding.of(config, part.engine());
        Embedding embedTokens = Embedding.load(w, EMBED_TOKENS, config.vocabSize(), config.hiddenSize(), part);
        List<LlamaDecoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(LlamaDecoderLayer.load(w.at(LAYERS + i + "."), i, config, rope, part));
        }
        RmsNorm norm = RmsNorm.load(w, NORM, config.hiddenSize(), config.rmsNormEps());
        Linear lmHead;
        if (config.tieWordEmbeddings()) {
            // HF ties lm_head to the embedding table and overwrites any lm_head.weight a checkpoint carries
            w.ignore(LM_HEAD + ".weight");
            lmHead = RowByRow.independent(embedTokens.tiedProjection(part.products(), w.memory()));
        } else {
            lmHead = DecoderLinears.load(w, LM_HEAD, config.hiddenSize(), config.vocabSize(), part);
        }
        return new LlamaDecoder(config, embedTokens, layers, norm, lmHead);
    }

    /** {@link #newCache(int, KvCacheFormat)} holding fp32 keys and values. */
    public KvCache newCache(int capacity) {
        return newCache(capacity, KvCacheFormat.F32);
    }

    /**
     * A fresh cache for one sequence of up to {@code capacity} positions, holding keys and values in {@code format}.
     *
     * @throws IllegalArgumentException if {@code capacity} is not in {@code [1, max_position_embeddings]}
     */
    public KvCache newCache(int capacity, KvCacheFormat format) {
        if (capacity < 1 || capacity > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("cache capacity " + capacity + " must be in [1, "
                    + config.maxPositionEmbeddings() + "] (max_position_embeddings)");
        }
        return new KvCache(layers.size(), config.numKeyValueHeads(), config.headDim(), capacity, format);
    }

    /**
     * The embedding rows of {@code ids} ({@code embed_tokens}).
     *
     * @throws IllegalArgumentException if {@code ids} is empty or holds an id outside the vocabulary
     */
    public INDArray embed(int[] ids) {                                 // [T] -> [T, hidden]
        return embedTokens.forward(ids);
    }

    /** {@link #forward(INDArray, KvCache, Probe)} on the embeddings of {@code ids}. */
    public INDArray forward(int[] ids, KvCache cache) {                // [T] -> [T, hidden]
        return forward(embed(ids), cache, Probe.NONE);
    }

    /**
     * Runs {@code T} new rows at positions {@code cache.length() ... + T - 1}, attending to everything cached, and
     * appends them to {@code cache}. The rows are token embeddings or any other {@code [T, hidden]} rows (image
     * features, region features) fed as HF's {@code inputs_embeds}.
     *
     * @return the final RMSNorm output, to be projected by {@link #logits(INDArray)}
     * @throws IllegalArgumentException if the rows are not {@code [T ≥ 1, hidden]} or do not fit in the cache
     */
    public INDArray forward(INDArray inputsEmbeds, KvCache cache, Probe probe) {      // [T, hidden] -> [T, hidden]
        checkRows(inputsEmbeds);
        int rows = (int) inputsEmbeds.size(0);
        cache.checkRoom(rows);
        INDArray normed = forward(inputsEmbeds, probe, (layer, hiddenStates) -> layer.forward(hiddenStates, cache));
        cache.advance(rows);
        return normed;
    }

    /**
     * One decoding step of several sequences: {@code ids[i]} at the next position of {@code caches.get(i)}, each
     * cache then one longer. Each projection is one pass over its weights for all rows, and row {@code i} of the
     * result is exactly what {@link #forward(int[], KvCache)} gives for {@code ids[i]} alone.
     *
     * @return the final RMSNorm output {@code [n, hidden]}, to be projected by {@link #logits(INDArray)}
     * @throws IllegalArgumentException if the ids and caches differ in number, are more than
     *         {@link RowByRow#MAX_ROWS}, a cache appears twice or is full, or an id is outside the vocabulary
     */
    public INDArray forward(int[] ids, List<KvCache> caches) {        // [n] -> [n, hidden]
        if (ids.length != caches.size() || ids.length < 1 || ids.length > RowByRow.MAX_ROWS
                || new HashSet<>(caches).size() != caches.size()) {
            throw new IllegalArgumentException("a decoding step needs one id per distinct cache, 1 to "
                    + RowByRow.MAX_ROWS + " of them, got " + ids.length + " ids and " + caches.size() + " caches ("
                    + new HashSet<>(caches).size() + " distinct)");
        }
        caches.forEach(cache -> cache.checkRoom(1));
        INDArray normed = forward(embed(ids), Probe.NONE, (layer, hiddenStates) -> layer.forward(hiddenStates, caches));
        caches.forEach(cache -> cache.advance(1));
        return normed;
    }

    /** The layers, each through {@code layerForward}, then the final norm. */
    private INDArray forward(INDArray inputsEmbeds, Probe probe,
                             BiFunction<LlamaDecoderLayer, INDArray, INDArray> layerForward) {
        INDArray hiddenStates = probe.record("embeddings", inputsEmbeds);
        for (int i = 0; i < layers.size(); i++) {
            INDArray input = hiddenStates;
            hiddenStates = probe.record("layer_out", i, layerForward.apply(layers.get(i), input));
            closeLayerOutput(input, inputsEmbeds);
        }
        INDArray normed = probe.record("norm", norm.forward(hiddenStates));
        closeLayerOutput(hiddenStates, inputsEmbeds);
        return normed;
    }

    /**
     * Frees a layer's output once the next step has read it, instead of when the garbage collector reclaims it
     * (a 714-row 7B prompt: 12 MB per layer); the caller's own rows are left alone.
     */
    private static void closeLayerOutput(INDArray hiddenStates, INDArray inputsEmbeds) {
        if (hiddenStates != inputsEmbeds) {
            hiddenStates.close();
        }
    }

    /** Vocabulary logits of the given normed hidden rows ({@code lm_head}). */
    public INDArray logits(INDArray hiddenStates) {                    // [n, hidden] -> [n, vocab]
        return lmHead.forward(hiddenStates);
    }

    /** The configuration it was loaded with. */
    public LlamaConfig config() {
        return config;
    }

    private void checkRows(INDArray rows) {
        if (rows.rank() != 2 || rows.size(0) < 1 || rows.size(1) != config.hiddenSize()
                || rows.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("inputs_embeds must be FLOAT [T >= 1, " + config.hiddenSize()
                    + "], got " + rows.dataType() + Arrays.toString(rows.shape()));
        }
    }
}
