package io.ferret4j.core.kernels;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.nio.FloatBuffer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link CausalAttention} of several new rows (a prompt), as ND4J batched products over blocks of at most
 * {@link CausalAttention#QUERY_BLOCK} query rows.
 */
final class PromptAttention {
    private PromptAttention() {
    }

    /**
     * Query rows {@code [T, heads·d]} at positions {@code past ...} against {@code [0, past + T)}:
     * {@code [T, heads·d]}.
     */
    static INDArray attend(CausalAttention shape, INDArray query, CachedKeyValues cache, int past) {
        int rows = (int) query.size(0);
        int total = past + rows;
        INDArray keys = cache.keys(total);                                               // [kvHeads, S, d]
        INDArray values = cache.values(total);                                           // [kvHeads, S, d]
        INDArray merged = Nd4j.createUninitialized(DataType.FLOAT, rows, (long) shape.numHeads() * shape.headDim());
        int blocks = (rows + CausalAttention.QUERY_BLOCK - 1) / CausalAttention.QUERY_BLOCK;
        for (int b = 0; b < blocks; b++) {
            int t0 = (int) ((long) rows * b / blocks);
            int t1 = (int) ((long) rows * (b + 1) / blocks);
            merged.get(interval(t0, t1), all()).assign(attendBlock(shape, query, t0, t1, past, keys, values));
        }
        return merged;
    }

    /**
     * Query rows {@code [t0, t1)} (positions {@code past + t0 ...}) against the keys and values they may see,
     * positions {@code [0, past + t1)}: the causal mask hides the rest of that range, and positions after it are
     * not computed at all. Same steps as HF: {@code q·kᵀ} in fp32, divided by {@code sqrt(head_dim)}, masked with
     * fp32 min, fp32 softmax, probabilities times values.
     */
    private static INDArray attendBlock(CausalAttention shape, INDArray query, int t0, int t1, int past,
                                        INDArray keys, INDArray values) {                // -> [n, heads*d]
        int numHeads = shape.numHeads();
        int headDim = shape.headDim();
        int n = t1 - t0;
        int seen = past + t1;
        // query heads grouped by the key/value head they share: rows (h, t) with h = kv*groups + g
        INDArray grouped = query.get(interval(t0, t1), all()).reshape(n, numHeads, headDim)
                .permute(1, 0, 2).dup('c')
                .reshape(shape.numKeyValueHeads(), (long) shape.groups() * n, headDim);   // [kvHeads, groups*n, d]
        INDArray scores = Nd4j.matmul(grouped, keys.get(all(), interval(0, seen), all()), null, false, true, false)
                .divi(Math.sqrt(headDim))                                                // after the matmul, as HF
                .reshape(numHeads, n, seen);                                             // [heads, n, seen]
        scores.addi(causalMask(n, past + t0, seen));                                     // broadcast [n, seen]
        Nd4j.exec(new SoftMax(scores, scores, 2));                                       // fp32, in place
        INDArray context = Nd4j.matmul(scores.reshape(shape.numKeyValueHeads(), (long) shape.groups() * n, seen),
                values.get(all(), interval(0, seen), all()), null, false, false, false); // [kvHeads, groups*n, d]
        return context.reshape(numHeads, n, headDim).permute(1, 0, 2).dup('c')
                .reshape(n, (long) numHeads * headDim);                                  // [n, heads*d]
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
