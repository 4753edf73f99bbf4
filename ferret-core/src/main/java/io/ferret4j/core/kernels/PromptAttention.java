package io.ferret4j.core.kernels;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import io.ferret4j.core.nd4j.Nd4jAttention;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link CausalAttention} of several new rows (a prompt), or of every row on the ND4J engine, as ND4J batched
 * products ({@link Nd4jAttention}) over blocks of at most {@link CausalAttention#QUERY_BLOCK} query rows.
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
     * not computed at all ({@link Nd4jAttention}: HF's steps in fp32).
     */
    private static INDArray attendBlock(CausalAttention shape, INDArray query, int t0, int t1, int past,
                                        INDArray keys, INDArray values) {                // -> [n, heads*d]
        int seen = past + t1;
        return Nd4jAttention.attend(query.get(interval(t0, t1), all()), Nd4jAttention.positions(keys, 0, seen),
                Nd4jAttention.positions(values, 0, seen), Nd4jAttention.causalMask(t1 - t0, past + t0, seen),
                shape.numHeads(), Math.sqrt(shape.headDim()));
    }
}
