package io.ferret4j.llm;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.nio.FloatBuffer;

import io.ferret4j.core.kernels.KernelPool;
import io.ferret4j.core.kernels.RowKernels;
import io.ferret4j.core.nn.DirectBuffers;
import io.ferret4j.core.nn.Linear;
import io.ferret4j.core.nn.Precision;
import io.ferret4j.core.nn.WeightFormat;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
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
     * 58% of the attention products; timings in docs/performance.md).
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

    /** Assembles the layer; {@code layerIndex} selects its slot in a {@link KvCache}. */
    public LlamaAttention(int layerIndex, Linear qProj, Linear kProj, Linear vProj, Linear oProj,
                          RotaryEmbedding rotaryEmb, int numHeads, int numKeyValueHeads) {
        this.layerIndex = layerIndex;
        this.qProj = qProj;
        this.kProj = kProj;
        this.vProj = vProj;
        this.oProj = oProj;
        this.rotaryEmb = rotaryEmb;
        this.numHeads = numHeads;
        this.numKeyValueHeads = numKeyValueHeads;
        this.headDim = rotaryEmb.headDim();
    }

    /**
     * Loads {@code prefix.{q,k,v,o}_proj.weight} (no biases), held in {@code format} and multiplied in
     * {@code precision}, and checks {@code prefix.rotary_emb.inv_freq} if the checkpoint holds it.
     */
    public static LlamaAttention load(Weights w, String prefix, int layerIndex, LlamaConfig c, RotaryEmbedding rope,
                                     WeightFormat format, Precision precision) {
        long hidden = c.hiddenSize();
        long kvWidth = (long) c.numKeyValueHeads() * c.headDim();
        if (w.contains(prefix + ".rotary_emb.inv_freq")) {
            rope.checkStoredInvFreq(w, prefix + ".rotary_emb.inv_freq");
        }
        return new LlamaAttention(layerIndex,
                format.loadLinear(w, prefix + ".q_proj", hidden, hidden, false, precision),
                format.loadLinear(w, prefix + ".k_proj", hidden, kvWidth, false, precision),
                format.loadLinear(w, prefix + ".v_proj", hidden, kvWidth, false, precision),
                format.loadLinear(w, prefix + ".o_proj", hidden, hidden, false, precision),
                rope, c.numAttentionHeads(), c.numKeyValueHeads());
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
        if (rows == 1) {
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
        int n = t1 - t0;
        int seen = past + t1;
        int groups = numHeads / numKeyValueHeads;
        // query heads grouped by the key/value head they share: rows (h, t) with h = kv*groups + g
        INDArray grouped = query.get(interval(t0, t1), all()).reshape(n, numHeads, headDim)
                .permute(1, 0, 2).dup('c')
                .reshape(numKeyValueHeads, (long) groups * n, headDim);                 // [kvHeads, groups*n, d]
        INDArray scores = Nd4j.matmul(grouped, keys.get(all(), interval(0, seen), all()), null, false, true, false)
                .divi(Math.sqrt(headDim))                                                // after the matmul, as HF
                .reshape(numHeads, n, seen);                                             // [heads, n, seen]
        scores.addi(causalMask(n, past + t0, seen));                                     // broadcast [n, seen]
        Nd4j.exec(new SoftMax(scores, scores, 2));                                       // fp32, in place
        INDArray context = Nd4j.matmul(scores.reshape(numKeyValueHeads, (long) groups * n, seen),
                values.get(all(), interval(0, seen), all()), null, false, false, false); // [kvHeads, groups*n, d]
        return context.reshape(numHeads, n, headDim).permute(1, 0, 2).dup('c')
                .reshape(n, (long) numHeads * headDim);                                  // [n, heads*d]
    }

    /**
     * One new row's attention (decoding) in Java over each key/value head's cached rows, heads split over the kernel
     * pool: ND4J's batched matmul of one query row against the strided cache views (and one gemm per head, tried
     * instead) took longer than the layer's four projections (docs/performance.md), while the work is reading
     * 24 MB of cache (7B, 730 positions). Same steps as the
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

    /**
     * 0 where row {@code t} (position {@code first + t}) may attend to position {@code s}, fp32 min where not, for
     * positions {@code s < seen}.
     */
    private static INDArray causalMask(int rows, int first, int seen) {                // [T, seen]
        INDArray mask = Nd4j.zeros(DataType.FLOAT, rows, seen);
        // written in place: a float[] of a 714-row prompt's mask (2 MB) is a humongous heap object per layer
        FloatBuffer m = DirectBuffers.floats(mask);
        for (int t = 0; t < rows; t++) {
            for (int s = first + t + 1; s < seen; s++) {
                m.put(t * seen + s, -Float.MAX_VALUE);                 // torch.finfo(float32).min, as HF
            }
        }
        return mask;
    }
}
