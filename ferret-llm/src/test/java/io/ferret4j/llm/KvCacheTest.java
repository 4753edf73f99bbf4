package io.ferret4j.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;

import io.ferret4j.core.plan.KvCacheFormat;
import io.ferret4j.core.weights.Float16;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

final class KvCacheTest {
    private static final int LAYERS = 2;
    private static final int KV_HEADS = 3;
    private static final int HEAD_DIM = 40;                            // not a multiple of the vector width
    private static final int CAPACITY = 9;

    @Test
    void anF32CacheReturnsTheRowsExactly() {
        float[][] rows = rows(5, 1);
        try (KvCache cache = new KvCache(LAYERS, KV_HEADS, HEAD_DIM, CAPACITY, KvCacheFormat.F32)) {
            fill(cache, rows, 5);

            assertStored(cache, rows, 5, v -> v);
        }
    }

    @Test
    void anF16CacheReturnsEachValueRoundedToTheNearestHalf() {
        float[][] rows = rows(7, 2);
        try (KvCache cache = new KvCache(LAYERS, KV_HEADS, HEAD_DIM, CAPACITY, KvCacheFormat.F16)) {
            fill(cache, rows, 4);
            fill(cache, rows, 3);                                      // a second chunk after 4 positions

            assertStored(cache, rows, 7, v -> Float16.toFloat(Float16.fromFloat(v)));
        }
    }

    @Test
    void aCopiedPrefixRestoresTheSameRowsIntoAFreshCacheThatGoesOn() {
        float[][] rows = rows(7, 3);
        try (KvCache source = new KvCache(LAYERS, KV_HEADS, HEAD_DIM, CAPACITY, KvCacheFormat.F16)) {
            fill(source, rows, 7);
            try (KvCache kept = source.copyOfPrefix(5);
                 KvCache fresh = new KvCache(LAYERS, KV_HEADS, HEAD_DIM, CAPACITY, KvCacheFormat.F16)) {
                source.close();                                        // the copy owns its rows
                assertThat(kept.capacity()).isEqualTo(5);
                assertThat(kept.bytes()).isEqualTo(2L * LAYERS * KV_HEADS * 5 * HEAD_DIM * Short.BYTES);
                fresh.restore(kept, 4);
                assertThat(fresh.length()).isEqualTo(4);
                fill(fresh, rows, 3);                                  // positions 4..6 from the same rows

                assertStored(fresh, rows, 7, v -> Float16.toFloat(Float16.fromFloat(v)));
            }
        }
    }

    @Test
    void restoreRefusesAnotherFormatAFilledCacheAndMissingRows() {
        try (KvCache f32 = new KvCache(LAYERS, KV_HEADS, HEAD_DIM, CAPACITY, KvCacheFormat.F32);
             KvCache f16 = new KvCache(LAYERS, KV_HEADS, HEAD_DIM, CAPACITY, KvCacheFormat.F16)) {
            fill(f32, rows(2, 4), 2);

            assertThatThrownBy(() -> f16.restore(f32, 2)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("f16").hasMessageContaining("f32");
            assertThatThrownBy(() -> f32.restore(f32, 1)).hasMessageContaining("holds 2 positions");
            try (KvCache empty = new KvCache(LAYERS, KV_HEADS, HEAD_DIM, CAPACITY, KvCacheFormat.F32)) {
                assertThatThrownBy(() -> empty.restore(f32, 3)).hasMessageContaining("holding 2");
            }
        }
    }

    /** Row {@code t} of layer {@code l}: keys then values, {@code 2 · kvHeads · headDim} values of varied scale. */
    private static float[][] rows(int positions, long seed) {
        Random random = new Random(seed);
        float[][] rows = new float[LAYERS * positions][2 * KV_HEADS * HEAD_DIM];
        for (float[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(5) - 2));
            }
        }
        return rows;
    }

    /** Puts the next {@code count} positions of {@code rows} into every layer, as the decoder's layers do. */
    private static void fill(KvCache cache, float[][] rows, int count) {
        int positions = rows.length / LAYERS;
        int width = KV_HEADS * HEAD_DIM;
        for (int l = 0; l < LAYERS; l++) {
            INDArray keys = Nd4j.create(DataType.FLOAT, count, width);
            INDArray values = Nd4j.create(DataType.FLOAT, count, width);
            for (int t = 0; t < count; t++) {
                float[] row = rows[l * positions + cache.length() + t];
                for (int i = 0; i < width; i++) {
                    keys.putScalar(t, i, row[i]);
                    values.putScalar(t, i, row[width + i]);
                }
            }
            cache.put(l, keys, values);
        }
        cache.advance(count);
    }

    /** Both read paths (the batched views and the per-head copies) give {@code expected(row value)}. */
    private static void assertStored(KvCache cache, float[][] rows, int positions, FloatOp expected) {
        int width = KV_HEADS * HEAD_DIM;
        float[] copy = new float[positions * HEAD_DIM];
        for (int l = 0; l < LAYERS; l++) {
            INDArray keys = cache.keys(l, positions);
            INDArray values = cache.values(l, positions);
            assertThat(keys.dataType()).isEqualTo(DataType.FLOAT);
            for (int h = 0; h < KV_HEADS; h++) {
                float[] keyCopy = copy.clone();
                float[] valueCopy = copy.clone();
                cache.copyKeys(l, h, positions, keyCopy);
                cache.copyValues(l, h, positions, valueCopy);
                for (int t = 0; t < positions; t++) {
                    float[] row = rows[l * (rows.length / LAYERS) + t];
                    for (int d = 0; d < HEAD_DIM; d++) {
                        float key = expected.apply(row[h * HEAD_DIM + d]);
                        float value = expected.apply(row[width + h * HEAD_DIM + d]);
                        assertThat(keys.getFloat(h, t, d)).isEqualTo(key);
                        assertThat(values.getFloat(h, t, d)).isEqualTo(value);
                        assertThat(keyCopy[t * HEAD_DIM + d]).isEqualTo(key);
                        assertThat(valueCopy[t * HEAD_DIM + d]).isEqualTo(value);
                    }
                }
            }
        }
    }

    private interface FloatOp {
        float apply(float v);
    }
}
