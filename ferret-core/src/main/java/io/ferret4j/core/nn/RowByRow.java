package io.ferret4j.core.nn;

import java.util.function.UnaryOperator;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Row-independent results for small batches. A BLAS product or an ND4J reduction over {@code n} rows may round row
 * {@code i} differently from the same call on row {@code i} alone (another kernel, another blocking), so a
 * sequence decoded beside others would drift from its answer alone. Up to {@link #MAX_ROWS} rows, the language
 * model's projections ({@link #independent}) and norms therefore give every row exactly its result alone: in one
 * pass over the weights where the kernels guarantee it ({@link CompactLinear}), else one row at a time through
 * {@link #apply}. Other models keep their products whole, so their rows are rounded as before.
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
        INDArray[] rows = new INDArray[(int) x.size(0)];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = f.apply(x.getRow(i, true).dup('c'));
        }
        return Nd4j.vstack(rows);
    }
}
