package io.ferret4j.core.nd4j;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Scaled dot-product attention as ND4J ops: one batched matmul for every head's {@code q·kᵀ}, an optional additive
 * mask, the softmax over the keys, and one batched matmul for the probabilities times the values. With grouped-query
 * attention each key/value head serves {@code groups} consecutive query heads (HF's {@code repeat_kv}) without
 * copying the keys and values.
 */
public final class Nd4jAttention {
    private Nd4jAttention() {
    }

    /**
     * {@code softmax(q·kᵀ / divisor + mask)·v} for every query head, in fp32: the scores are divided after the
     * matmul (as HF's LLaMA; pass 1 for a query already scaled, as HF's CLIP), the mask added, then the softmax.
     *
     * @param query    {@code [n, heads·d]} rows, heads side by side
     * @param keys     {@code [kvHeads, S, d]}
     * @param values   {@code [kvHeads, S, d]}
     * @param mask     {@code [n, S]}, added to every head's scores, or null
     * @param numHeads query heads, a multiple of {@code kvHeads}
     * @param divisor  what the scores are divided by
     * @return {@code [n, heads·d]}, heads side by side
     */
    public static INDArray attend(INDArray query, INDArray keys, INDArray values, INDArray mask, int numHeads,
                                  double divisor) {
        int n = (int) query.size(0);
        long kvHeads = keys.size(0);
        long seen = keys.size(1);
        long headDim = keys.size(2);
        long groups = numHeads / kvHeads;
        // query heads grouped by the key/value head they share: rows (h, t) with h = kv*groups + g
        INDArray grouped = query.reshape(n, numHeads, headDim).permute(1, 0, 2).dup('c')
                .reshape(kvHeads, groups * n, headDim);                                  // [kvHeads, groups*n, d]
        INDArray scores = Nd4j.matmul(grouped, keys, null, false, true, false);          // [kvHeads, groups*n, S]
        if (divisor != 1.0) {
            scores.divi(divisor);                                                         // after the matmul, as HF
        }
        scores = scores.reshape(numHeads, n, seen);                                      // [heads, n, S]
        if (mask != null) {
            scores.addi(mask);                                                            // broadcast [n, S]
        }
        Nd4j.exec(new SoftMax(scores, scores, 2));                                       // fp32, in place
        INDArray context = Nd4j.matmul(scores.reshape(kvHeads, groups * n, seen), values, null,
                false, false, false);                                                    // [kvHeads, groups*n, d]
        return context.reshape(numHeads, n, headDim).permute(1, 0, 2).dup('c')
                .reshape(n, numHeads * headDim);                                         // [n, heads*d]
    }

    /** The heads of a {@code [T, heads·d]} projection as a {@code [heads, T, d]} array (a copy). */
    public static INDArray heads(INDArray x, int numHeads) {          // [T, heads*d] -> [heads, T, d]
        long tokens = x.size(0);
        return x.reshape(tokens, numHeads, x.size(1) / numHeads).permute(1, 0, 2).dup('c');
    }

    /**
     * The causal mask of {@code rows} query rows at positions {@code first, first + 1, ...} against positions
     * {@code [0, seen)}: 0 where a row may attend (position not after its own), fp32 min where not, as HF.
     */
    public static INDArray causalMask(int rows, int first, int seen) {                   // [rows, seen]
        INDArray positions = Nd4j.arange(0, seen).castTo(DataType.FLOAT).reshape(1, seen);
        INDArray own = Nd4j.arange(first, first + rows).castTo(DataType.FLOAT).reshape(rows, 1);
        INDArray ahead = Transforms.step(Nd4j.zeros(DataType.FLOAT, rows, seen)
                .addiRowVector(positions).subiColumnVector(own), false);                 // 1 after, else 0
        return ahead.muli(Float.MAX_VALUE).rsubi(0);           // 0 − max = torch.finfo(float32).min; 0 − 0 = +0
    }

    /** The positions {@code [from, to)} of a {@code [kvHeads, capacity, d]} cache (a view). */
    public static INDArray positions(INDArray cache, int from, int to) {                  // [kvHeads, to-from, d]
        return cache.get(all(), interval(from, to), all());
    }
}
