package io.ferret4j.llm;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.nio.ByteBuffer;

import io.ferret4j.core.kernels.CachedKeyValues;
import io.ferret4j.core.kernels.DirectBuffers;
import io.ferret4j.core.kernels.RowKernels;
import io.ferret4j.core.plan.KvCacheFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The mutable state of one generation: every layer's post-RoPE keys and values for the positions processed so
 * far, and so the position of the next token. One cache belongs to one sequence and is not thread-safe; create it
 * with {@link LlamaDecoder#newCache(int, KvCacheFormat)} sized to the longest sequence it will hold, and close it when
 * done.
 *
 * <p>It holds the keys and values as its {@link KvCacheFormat} says; every read widens them back to fp32 exactly.
 */
public final class KvCache implements AutoCloseable {
    /** Per thread: one head's fp16 rows, read before they are widened. */
    private static final ThreadLocal<short[][]> HALVES = ThreadLocal.withInitial(() -> new short[][] {new short[0]});

    private final INDArray[] keys;                                     // per layer [kvHeads, capacity, headDim]
    private final INDArray[] values;                                   // per layer [kvHeads, capacity, headDim]
    private final KvCacheFormat format;
    private final int capacity;
    private int length;
    private boolean closed;

    KvCache(int layers, int kvHeads, int headDim, int capacity, KvCacheFormat format) {
        DataType type = format == KvCacheFormat.F16 ? DataType.HALF : DataType.FLOAT;
        this.keys = new INDArray[layers];
        this.values = new INDArray[layers];
        this.format = format;
        this.capacity = capacity;
        for (int i = 0; i < layers; i++) {
            // uninitialised: only the filled positions [0, length) are ever read
            keys[i] = Nd4j.createUninitialized(type, kvHeads, capacity, headDim);
            values[i] = Nd4j.createUninitialized(type, kvHeads, capacity, headDim);
        }
    }

    /** How the keys and values are held: {@link KvCacheFormat#F32} or {@link KvCacheFormat#F16}. */
    public KvCacheFormat format() {
        return format;
    }

    /** Positions already processed; the next token gets this position. */
    public int length() {
        return length;
    }

    /** The most positions this cache can hold. */
    public int capacity() {
        return capacity;
    }

    /** Fails unless {@code tokens} more positions fit. */
    void checkRoom(int tokens) {
        if (closed) {
            throw new IllegalStateException("the key/value cache was closed");
        }
        if (length + tokens > capacity) {
            throw new IllegalArgumentException(tokens + " new token(s) after " + length + " cached ones exceed the "
                    + "cache capacity of " + capacity + " positions");
        }
    }

    /**
     * Writes one layer's {@code [T, kvHeads·headDim]} fp32 keys and values at positions {@code [length, length+T)},
     * rounded to the nearest fp16 (ties to even) in an F16 cache.
     */
    void put(int layer, INDArray key, INDArray value) {
        int rows = (int) key.size(0);
        INDArray cache = keys[layer];
        long kvHeads = cache.size(0);
        long headDim = cache.size(2);
        cache.get(all(), interval(length, length + rows), all())
                .assign(key.reshape(rows, kvHeads, headDim).permute(1, 0, 2));       // [kvHeads, T, d]
        values[layer].get(all(), interval(length, length + rows), all())
                .assign(value.reshape(rows, kvHeads, headDim).permute(1, 0, 2));
    }

    /** Layer {@code layer}'s keys for positions {@code [0, upTo)} in fp32: a view, or a widened copy of F16. */
    INDArray keys(int layer, int upTo) {                               // [kvHeads, upTo, headDim]
        return widened(keys[layer], upTo);
    }

    /** Layer {@code layer}'s values for positions {@code [0, upTo)} in fp32: a view, or a widened copy of F16. */
    INDArray values(int layer, int upTo) {                             // [kvHeads, upTo, headDim]
        return widened(values[layer], upTo);
    }

    private static INDArray widened(INDArray cache, int upTo) {
        INDArray view = cache.get(all(), interval(0, upTo), all());
        return view.dataType() == DataType.FLOAT ? view : view.castTo(DataType.FLOAT);
    }

    /** Layer {@code layer}'s keys and values, as attention reads them. */
    CachedKeyValues layer(int layer) {
        return new CachedKeyValues() {
            @Override
            public INDArray keys(int upTo) {
                return KvCache.this.keys(layer, upTo);
            }

            @Override
            public INDArray values(int upTo) {
                return KvCache.this.values(layer, upTo);
            }

            @Override
            public void copyKeys(int head, int upTo, float[] dst) {
                KvCache.this.copyKeys(layer, head, upTo, dst);
            }

            @Override
            public void copyValues(int head, int upTo, float[] dst) {
                KvCache.this.copyValues(layer, head, upTo, dst);
            }
        };
    }

    /** Copies layer {@code layer}'s keys of head {@code head}, positions {@code [0, upTo)}, into {@code dst}. */
    void copyKeys(int layer, int head, int upTo, float[] dst) {        // [upTo * headDim]
        copy(keys[layer], head, upTo, dst);
    }

    /** Copies layer {@code layer}'s values of head {@code head}, positions {@code [0, upTo)}, into {@code dst}. */
    void copyValues(int layer, int head, int upTo, float[] dst) {      // [upTo * headDim]
        copy(values[layer], head, upTo, dst);
    }

    private void copy(INDArray cache, int head, int upTo, float[] dst) {
        int width = (int) cache.size(2);
        int from = head * capacity * width;
        int count = upTo * width;
        ByteBuffer bytes = DirectBuffers.bytes(cache);
        if (format == KvCacheFormat.F32) {
            bytes.asFloatBuffer().get(from, dst, 0, count);
            return;
        }
        short[][] scratch = HALVES.get();
        if (scratch[0].length < count) {                               // grown to the longest sequence seen
            scratch[0] = new short[count];
        }
        bytes.asShortBuffer().get(from, scratch[0], 0, count);
        RowKernels.best().widenF16(scratch[0], count, dst, 0);
    }

    /**
     * A compact copy of this cache's first {@code rows} positions (capacity {@code rows}, same format), which a
     * prefix cache keeps while this one goes on or is closed.
     *
     * @throws IllegalArgumentException if fewer than {@code rows} positions are filled
     */
    public KvCache copyOfPrefix(int rows) {
        KvCache copy = new KvCache(keys.length, (int) keys[0].size(0), (int) keys[0].size(2), rows, format);
        copy.restore(this, rows);
        return copy;
    }

    /**
     * Fills this empty cache with the first {@code rows} positions of {@code from}, copied exactly (no conversion:
     * both hold the same format), so that the next position is {@code rows}.
     *
     * @throws IllegalArgumentException if this cache is not empty, the shapes or formats differ, {@code from} has
     *         fewer than {@code rows} positions, or they do not fit
     */
    public void restore(KvCache from, int rows) {
        if (length != 0) {
            throw new IllegalArgumentException("a cache is restored only while empty, but this one holds " + length
                    + " positions");
        }
        if (!from.layout().equals(layout())) {
            throw new IllegalArgumentException("cannot restore a cache of " + layout() + " from one of "
                    + from.layout());
        }
        if (rows > from.length) {
            throw new IllegalArgumentException("cannot restore " + rows + " positions from a cache holding "
                    + from.length);
        }
        checkRoom(rows);
        for (int i = 0; i < keys.length; i++) {
            keys[i].get(all(), interval(0, rows), all()).assign(from.keys[i].get(all(), interval(0, rows), all()));
            values[i].get(all(), interval(0, rows), all())
                    .assign(from.values[i].get(all(), interval(0, rows), all()));
        }
        length = rows;
    }

    private String layout() {
        return format + " " + keys.length + " layers x " + keys[0].size(0) + " kv heads x " + keys[0].size(2)
                + " head dim";
    }

    /** The bytes this cache holds for its whole capacity. */
    public long bytes() {
        long total = 0;
        for (int i = 0; i < keys.length; i++) {
            total += keys[i].length() * keys[i].dataType().width() + values[i].length() * values[i].dataType().width();
        }
        return total;
    }

    /** Marks {@code tokens} more positions as filled, after every layer has {@link #put} them. */
    void advance(int tokens) {
        checkRoom(tokens);
        length += tokens;
    }

    /**
     * Frees the cache's memory now (7B, 730 positions: 0.77 GB in fp32) instead of when the garbage collector reclaims it,
     * which a generation allocating few Java objects may not trigger before the next one allocates its own; the
     * cache cannot be used afterwards. Closing twice is harmless.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < keys.length; i++) {
            keys[i].close();
            values[i].close();
        }
    }
}
