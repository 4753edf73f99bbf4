package io.ferret4j.llm;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import io.ferret4j.core.kernels.KernelPool;
import io.ferret4j.core.kernels.RowKernels;
import io.ferret4j.core.nd4j.Nd4jAttention;
import io.ferret4j.core.nn.Linear;
import io.ferret4j.core.nn.WeightFormat;
import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code LlamaAttention}: causal multi-head self-attention with rotary positions and a key/value cache. With
 * grouped-query attention ({@code num_key_value_heads < num_attention_heads}) each key/value head serves
 * {@code groups} consecutive query heads, as HF's {@code repeat_kv}, without copying the cache.
 */
public final class LlamaAttention {
    /** Per thread: one head's cached keys and values and its probabilities, reused by every decoding step. */
    private static final ThreadLocal<float[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0]});

    /**
     * Prompt rows attended together: a prompt of more is split into near-equal blocks, each scored only against the
     * positions it may see, which skips most of the causally masked upper triangle (a 714-row prompt in six blocks:
     * 58% of the attention products; a 4-layer 7B bf16 prefill ran 4–13% faster).
     */
    static final int QUERY_BLOCK = 128;

    private final int layerIndex;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear oProj;
    private final RotaryEmbedding rotaryEmb;
    private final int numHeads;
    private final int numKeyValueHeads;
    private final int headDim;
    private final Engine engine;

    /**
     * Assembles the layer; {@code layerIndex} selects its slot in a {@link KvCache}. {@link Engine#JAVA} attends a
     * single new row with the Java kernels, {@link Engine#ND4J} every row count with ND4J ops.
     */
    public LlamaAttention(int layerIndex, Linear qProj, Linear kProj, Linear vProj, Linear oProj,
                          RotaryEmbedding rotaryEmb, int numHeads, int numKeyValueHeads, Engine engine) {
        this.layerIndex = layerIndex;
        this.qProj = qProj;
        this.kProj = kProj;
        this.vProj = vProj;
        this.oProj = oProj;
        this.rotaryEmb = rotaryEmb;
        this.numHeads = numHeads;
        this.numKeyValueHeads = numKeyValueHeads;
        this.headDim = rotaryEmb.headDim();
        this.engine = engine;
    }

    /**
     * Loads {@code prefix.{q,k,v,o}_proj.weight} (no biases), held in {@code format} and multiplied in
     * {@code precision} by {@code engine}, and checks {@code prefix.rotary_emb.inv_freq} if the checkpoint holds it.
     */
    public static LlamaAttention load(Weights w, String prefix, int layerIndex, LlamaConfig c, RotaryEmbedding rope,
                                     WeightFormat format, Precision precision, Engine engine) {
        long hidden = c.hiddenSize();
        long kvWidth = (long) c.numKeyValueHeads() * c.headDim();
        if (w.contains(prefix + ".rotary_emb.inv_freq")) {
            rope.checkStoredInvFreq(w, prefix + ".rotary_emb.inv_freq");
        }
        return new LlamaAttention(layerIndex,
                LlamaLinears.load(w, prefix + ".q_proj", hidden, hidden, format, precision, engine),
                LlamaLinears.load(w, prefix + ".k_proj", hidden, kvWidth, format, precision, engine),
                LlamaLinears.load(w, prefix + ".v_proj", hidden, kvWidth, format, precision, engine),
                LlamaLinears.load(w, prefix + ".o_proj", hidden, hidden, format, precision, engine),
                rope, c.numAttentionHeads(), c.numKeyValueHeads(), engine);
    }

    /**
     * Attends {@code T} new rows, at positions {@code cache.length() ...}, to themselves (causally) and to every
     * cached position, after storing their keys and values in {@code cache}.
     */
    public INDArray forward(INDArray hiddenStates, KvCache cache) {    // [T, hidden] -> [T, hidden]
        int rows = (int) hiddenStates.size(0);
        int past = cache.length();
        int total = past + rows;
        INDArray query = rotaryEmb.forward(qProj.forward(hiddenStates), past);           // [T, heads*d]
        INDArray key = rotaryEmb.forward(kProj.forward(hiddenStates), past);             // [T, kvHeads*d]
        cache.put(layerIndex, key, vProj.forward(hiddenStates));
        if (rows == 1 && engine == Engine.JAVA) {
            return oProj.forward(attendOneRow(query, cache, total));
        }

        INDArray keys = cache.keys(layerIndex, total);                                   // [kvHeads, S, d]
        INDArray values = cache.values(layerIndex, total);                               // [kvHeads, S, d]
        INDArray merged = Nd4j.createUninitialized(DataType.FLOAT, rows, (long) numHeads * headDim);
        int blocks = (rows + QUERY_BLOCK - 1) / QUERY_BLOCK;
        for (int b = 0; b < blocks; b++) {
            int t0 = (int) ((long) rows * b / blocks);
            int t1 = (int) ((long) rows * (b + 1) / blocks);
            merged.get(interval(t0, t1), all()).assign(attendBlock(query, t0, t1, past, keys, values));
        }
        return oProj.forward(merged);
    }

    /**
     * Query rows {@code [t0, t1)} (positions {@code past + t0 ...}) against the keys and values they may see,
     * positions {@code [0, past + t1)}: the causal mask hides the rest of that range, and positions after it are
     * not computed at all. Same steps as HF: {@code q·kᵀ} in fp32, divided by {@code sqrt(head_dim)}, masked with
     * fp32 min, fp32 softmax, probabilities times values.
     */
    private INDArray attendBlock(INDArray query, int t0, int t1, int past, INDArray keys,    // -> [n, heads*d]
                                 INDArray values) {
        int seen = past + t1;
        return Nd4jAttention.attend(query.get(interval(t0, t1), all()), Nd4jAttention.positions(keys, 0, seen),
                Nd4jAttention.positions(values, 0, seen), Nd4jAttention.causalMask(t1 - t0, past + t0, seen),
                numHeads, Math.sqrt(headDim));
    }

    /**
     * One new row's attention (decoding) in Java over each key/value head's cached rows, heads split over the kernel
     * pool: ND4J's batched matmul of one query row against the strided cache views (and one gemm per head, tried
     * instead) cost ~6 ms per layer and token at 730 positions (7B), longer than the layer's four projections,
     * while the work is reading 24 MB of cache. Same steps as the
     * batched path: {@code q·k} summed in fp32, divided by {@code sqrt(head_dim)}, fp32 softmax, probabilities
     * times values.
     */
    private INDArray attendOneRow(INDArray query, KvCache cache, int total) {    // [1, heads*d] -> [1, heads*d]
        float[] q = query.data().asFloat();
        float[] out = new float[numHeads * headDim];
        int groups = numHeads / numKeyValueHeads;
        float scale = (float) Math.sqrt(headDim);
        RowKernels k = RowKernels.best();
        KernelPool.shared().forEachRange(numKeyValueHeads, 1, (kv0, kv1) -> {
            float[][] scratch = SCRATCH.get();
            if (scratch[0].length < total * headDim) {                 // grown to the longest sequence seen
                scratch[0] = new float[total * headDim];
                scratch[1] = new float[total * headDim];
                scratch[2] = new float[total];
            }
            float[] keys = scratch[0];
            float[] values = scratch[1];
            float[] p = scratch[2];
            for (int kv = kv0; kv < kv1; kv++) {
                cache.copyKeys(layerIndex, kv, total, keys);
                cache.copyValues(layerIndex, kv, total, values);
                for (int h = kv * groups; h < (kv + 1) * groups; h++) {
                    float max = Float.NEGATIVE_INFINITY;
                    for (int s = 0; s < total; s++) {
                        p[s] = k.dot(q, h * headDim, keys, s * headDim, headDim) / scale;
                        max = Math.max(max, p[s]);
                    }
                    float sum = 0;
                    for (int s = 0; s < total; s++) {
                        p[s] = (float) Math.exp(p[s] - max);
                        sum += p[s];
                    }
                    for (int s = 0; s < total; s++) {
                        k.axpy(p[s] / sum, values, s * headDim, out, h * headDim, headDim);
                    }
                }
            }
        });
        return Nd4j.create(out, new long[] {1, (long) numHeads * headDim}, 'c');
    }
}
