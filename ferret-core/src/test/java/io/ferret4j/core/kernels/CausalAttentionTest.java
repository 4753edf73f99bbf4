package io.ferret4j.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.util.SplittableRandom;

import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.testing.TensorAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

final class CausalAttentionTest {
    private static final int HEADS = 4;
    private static final int KV_HEADS = 2;
    private static final int HEAD_DIM = 8;

    private final SplittableRandom random = new SplittableRandom(5);
    private final CausalAttention attention = new CausalAttention(HEADS, KV_HEADS, HEAD_DIM, Engine.JAVA);

    @Test
    void aPromptSpanningBlocksMatchesTheDoublePrecisionReferenceRowByRow() {
        int past = 7;
        int rows = CausalAttention.QUERY_BLOCK + 9;                   // two blocks after a cached past
        Cache cache = new Cache(past + rows);
        INDArray query = gaussian(rows, HEADS * HEAD_DIM);

        INDArray prompt = attention.forward(query, cache, past);

        assertThat(prompt.shape()).containsExactly(rows, HEADS * HEAD_DIM);
        for (int t : new int[] {0, 1, CausalAttention.QUERY_BLOCK - 1, CausalAttention.QUERY_BLOCK, rows - 1}) {
            INDArray expected = reference(query.getRow(t).toFloatVector(), cache, past + t + 1);
            TensorAssert.assertClose(expected, prompt.get(interval(t, t + 1), all()), 1e-5, 1e-5);
        }
    }

    /** The Java engine attends a decoding row in Java, the ND4J engine with the prompt path's ND4J ops. */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void aDecodingRowMatchesTheDoublePrecisionReferenceAndThePromptPath(Engine engine) {
        CausalAttention attention = new CausalAttention(HEADS, KV_HEADS, HEAD_DIM, engine);
        int past = 40;
        Cache cache = new Cache(past + 1);
        INDArray query = gaussian(1, HEADS * HEAD_DIM);

        INDArray decoded = attention.forward(query, cache, past);

        TensorAssert.assertClose(reference(query.toFloatVector(), cache, past + 1), decoded, 1e-5, 1e-5);
        INDArray twoRows = Nd4j.vstack(gaussian(1, HEADS * HEAD_DIM), query);                // the same row, last of two
        INDArray prompt = attention.forward(twoRows, cache, past - 1);
        TensorAssert.assertClose(prompt.get(interval(1, 2), all()), decoded, 1e-5, 1e-5);
    }

    /** A thread's scratch, grown for a short sequence of wide heads, also fits a longer one of narrow heads. */
    @Test
    void aLongerSequenceOfNarrowerHeadsAfterAShortWideOneStillFitsTheThreadsScratch() {
        int wide = 64;
        new CausalAttention(1, 1, wide, Engine.JAVA).forward(gaussian(1, wide), new Cache(11, 1, wide), 10);

        INDArray narrow = new CausalAttention(1, 1, HEAD_DIM, Engine.JAVA).forward(gaussian(1, HEAD_DIM),
                new Cache(41, 1, HEAD_DIM), 40);

        assertThat(narrow.shape()).containsExactly(1, HEAD_DIM);
    }

    @Test
    void refusesHeadsThatKeyValueHeadsDoNotDivide() {
        assertThatThrownBy(() -> new CausalAttention(6, 4, 8, Engine.JAVA)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("num_attention_heads 6").hasMessageContaining("num_key_value_heads 4");
    }

    /** HF's eager attention for one query row in double: query head h reads key/value head h / (heads / kvHeads). */
    private static INDArray reference(float[] q, Cache cache, int seen) {
        float[] out = new float[HEADS * HEAD_DIM];
        for (int h = 0; h < HEADS; h++) {
            int kv = h / (HEADS / KV_HEADS);
            double[] p = new double[seen];
            double max = Double.NEGATIVE_INFINITY;
            for (int s = 0; s < seen; s++) {
                double dot = 0;
                for (int i = 0; i < HEAD_DIM; i++) {
                    dot += (double) q[h * HEAD_DIM + i] * cache.keys.getDouble(kv, s, i);
                }
                p[s] = dot / Math.sqrt(HEAD_DIM);
                max = Math.max(max, p[s]);
            }
            double sum = 0;
            for (int s = 0; s < seen; s++) {
                p[s] = Math.exp(p[s] - max);
                sum += p[s];
            }
            for (int i = 0; i < HEAD_DIM; i++) {
                double v = 0;
                for (int s = 0; s < seen; s++) {
                    v += p[s] / sum * cache.values.getDouble(kv, s, i);
                }
                out[h * HEAD_DIM + i] = (float) v;
            }
        }
        return Nd4j.create(out, new long[] {1, HEADS * HEAD_DIM}, 'c');
    }

    private INDArray gaussian(long... shape) {
        INDArray a = Nd4j.create(DataType.FLOAT, shape);
        for (long i = 0; i < a.length(); i++) {
            a.putScalar(i, random.nextGaussian());
        }
        return a;
    }

    /** Random keys and values {@code [kvHeads, positions, headDim]} standing for a layer's cache. */
    private final class Cache implements CachedKeyValues {
        final INDArray keys;
        final INDArray values;

        Cache(int positions) {
            this(positions, KV_HEADS, HEAD_DIM);
        }

        Cache(int positions, int kvHeads, int headDim) {
            keys = gaussian(kvHeads, positions, headDim);
            values = gaussian(kvHeads, positions, headDim);
        }

        @Override
        public INDArray keys(int upTo) {
            return keys.get(all(), interval(0, upTo), all());
        }

        @Override
        public INDArray values(int upTo) {
            return values.get(all(), interval(0, upTo), all());
        }

        @Override
        public void copyKeys(int head, int upTo, float[] dst) {
            copy(keys, head, upTo, dst);
        }

        @Override
        public void copyValues(int head, int upTo, float[] dst) {
            copy(values, head, upTo, dst);
        }

        private void copy(INDArray from, int head, int upTo, float[] dst) {
            float[] rows = from.get(interval(head, head + 1), interval(0, upTo), all()).dup('c').data().asFloat();
            System.arraycopy(rows, 0, dst, 0, rows.length);
        }
    }
}
