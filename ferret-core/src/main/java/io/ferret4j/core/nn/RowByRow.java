package io.ferret4j.core.nn;

import java.util.function.UnaryOperator;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Row-independent results for small batches. A BLAS product or an ND4J reduction over {@code n} rows may round row
 * {@code i} differently from the same call on row {@code i} alone (another kernel, another blocking), so a
 * sequence decoded beside others would drift from its answer alone. Up to {@link #MAX_ROWS} rows, the language
 * model's projections ({@link #independent}) and norms therefore give every row exactly its result alone: in one
 * pass over the weights where the kernels guarantee it ({@link CompactLinear}), else one row at a time through
 * {@link #apply}. The region sampler likewise runs each region's rows through products of their own
 * ({@link #perBlock}), so a region's vector does not depend on the regions asked beside it. Other models keep their
 * products whole.
 */
public final class RowByRow {
    /**
     * The most rows that get row-independent results: the most sequences decoded in one step, and below
     * {@link io.ferret4j.core.kernels.MatMul#DEFAULT_GEMM_MIN_ROWS}, where prompts start to be multiplied as a whole.
     */
    public static final int MAX_ROWS = 31;

    private RowByRow() {
    }

    /** Whether {@code x}'s rows must get row-independent results: more than one, at most {@link #MAX_ROWS}. */
    public static boolean applies(INDArray x) {
        return x.size(0) > 1 && x.size(0) <= MAX_ROWS;
    }

    /**
     * {@code linear}, its rows made independent: a {@link CompactLinear} as it is (its kernels already are), any
     * other {@link Linear} one row at a time where {@link #applies}.
     */
    public static Linear independent(Linear linear) {
        return linear instanceof CompactLinear<?> ? linear : new Linear() {
            @Override
            public INDArray forward(INDArray x) {                      // [n, in] -> [n, out]
                return applies(x) ? apply(x, linear::forward) : linear.forward(x);
            }

            @Override
            public long inFeatures() {
                return linear.inFeatures();
            }

            @Override
            public long outFeatures() {
                return linear.outFeatures();
            }
        };
    }

    /** {@code f} applied to each row of {@code x [n, ·]} as a fresh {@code [1, ·]} array, stacked: {@code [n, ·]}. */
    public static INDArray apply(INDArray x, UnaryOperator<INDArray> f) {
        return perBlock(x, (int) x.size(0), f);
    }

    /**
     * {@code f} applied to each of {@code blocks} equal blocks of {@code x}'s rows as a fresh array, stacked: a
     * block's result is the same whatever the other blocks are and however many (the region sampler's regions).
     *
     * @throws IllegalArgumentException if {@code blocks} does not divide the rows
     */
    public static INDArray perBlock(INDArray x, int blocks, UnaryOperator<INDArray> f) {
        long rows = x.size(0);
        if (blocks < 1 || rows % blocks != 0) {
            throw new IllegalArgumentException(blocks + " blocks do not divide " + rows + " rows");
        }
        if (blocks == 1) {
            return f.apply(x);
        }
        long m = rows / blocks;
        INDArray[] out = new INDArray[blocks];
        for (int b = 0; b < blocks; b++) {
            out[b] = f.apply(x.get(NDArrayIndex.interval(b * m, (b + 1) * m), NDArrayIndex.all()).dup('c'));
        }
        return Nd4j.vstack(out);
    }
}
