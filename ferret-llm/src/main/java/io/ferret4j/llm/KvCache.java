package io.ferret4j.llm;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.nio.ByteOrder;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The mutable state of one generation: every layer's post-RoPE keys and values for the positions processed so
 * far, and so the position of the next token. One cache belongs to one sequence and is not thread-safe; create it
 * with {@link LlamaDecoder#newCache(int)} sized to the longest sequence it will hold, and close it when done.
 */
public final class KvCache implements AutoCloseable {
    private final INDArray[] keys;                                     // per layer [kvHeads, capacity, headDim]
    private final INDArray[] values;                                   // per layer [kvHeads, capacity, headDim]
    private final int capacity;
    private int length;
    private boolean closed;

    KvCache(int layers, int kvHeads, int headDim, int capacity) {
        this.keys = new INDArray[layers];
        this.values = new INDArray[layers];
        this.capacity = capacity;
        for (int i = 0; i < layers; i++) {
            // uninitialised: only the filled positions [0, length) are ever read
            keys[i] = Nd4j.createUninitialized(DataType.FLOAT, kvHeads, capacity, headDim);
            values[i] = Nd4j.createUninitialized(DataType.FLOAT, kvHeads, capacity, headDim);
        }
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

    /** Writes one layer's {@code [T, kvHeads·headDim]} keys and values at positions {@code [length, length+T)}. */
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

    /** Layer {@code layer}'s keys for positions {@code [0, upTo)}, a view. */
    INDArray keys(int layer, int upTo) {                               // [kvHeads, upTo, headDim]
        return keys[layer].get(all(), interval(0, upTo), all());
    }

    /** Layer {@code layer}'s values for positions {@code [0, upTo)}, a view. */
    INDArray values(int layer, int upTo) {                             // [kvHeads, upTo, headDim]
        return values[layer].get(all(), interval(0, upTo), all());
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
        long width = cache.size(2);
        cache.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer()
                .get((int) (head * capacity * width), dst, 0, (int) (upTo * width));
    }

    /** Marks {@code tokens} more positions as filled, after every layer has {@link #put} them. */
    void advance(int tokens) {
        checkRoom(tokens);
        length += tokens;
    }

    /**
     * Frees the cache's memory now (7B, 730 positions: 0.77 GB) instead of when the garbage collector reclaims it,
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
