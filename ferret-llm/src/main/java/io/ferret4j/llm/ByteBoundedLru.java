package io.ferret4j.llm;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Least-recently-used entries whose sizes in bytes add up to at most a bound: adding one evicts the oldest until
 * it fits, and an entry larger than the whole bound is not kept. Evicted and cleared values go to {@code onEvict}.
 * Not thread-safe: its owner locks around it.
 *
 * @param <K> the key
 * @param <V> the value
 */
final class ByteBoundedLru<K, V> {
    private final long maxBytes;
    private final Consumer<V> onEvict;
    private final LinkedHashMap<K, Sized<V>> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    private record Sized<V>(V value, long bytes) {
    }

    /** An empty cache of at most {@code maxBytes} (0 keeps nothing), handing what it drops to {@code onEvict}. */
    ByteBoundedLru(long maxBytes, Consumer<V> onEvict) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("a cache bound must be 0 (off) or positive, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.onEvict = onEvict;
    }

    /** The value of {@code key}, made the most recently used; {@code null} if absent. */
    V get(K key) {
        Sized<V> sized = entries.get(key);
        return sized == null ? null : sized.value();
    }

    /** Whether an entry of {@code size} bytes could be kept at all. */
    boolean fits(long size) {
        return size <= maxBytes;
    }

    /**
     * Keeps {@code value} under {@code key} as the most recently used, evicting the least recently used entries
     * until the total fits; returns {@code false} (and keeps nothing) if {@code size} alone exceeds the bound.
     * A value already under {@code key} is evicted first.
     */
    boolean put(K key, V value, long size) {
        if (!fits(size)) {
            return false;
        }
        remove(key);
        entries.put(key, new Sized<>(value, size));
        bytes += size;
        Iterator<Sized<V>> oldest = entries.values().iterator();
        while (bytes > maxBytes) {
            Sized<V> evicted = oldest.next();
            oldest.remove();
            bytes -= evicted.bytes();
            onEvict.accept(evicted.value());
        }
        return true;
    }

    /** Evicts the entry of {@code key}, if any. */
    void remove(K key) {
        Sized<V> old = entries.remove(key);
        if (old != null) {
            bytes -= old.bytes();
            onEvict.accept(old.value());
        }
    }

    /** Marks {@code key}'s entry as the most recently used. */
    void touch(K key) {
        entries.get(key);
    }

    /** The entries, least recently used first, without changing their order. */
    List<Map.Entry<K, V>> entries() {
        List<Map.Entry<K, V>> out = new ArrayList<>(entries.size());
        entries.forEach((k, v) -> out.add(Map.entry(k, v.value())));
        return out;
    }

    /** The bytes held. */
    long bytes() {
        return bytes;
    }

    /** Evicts everything. */
    void clear() {
        List<Sized<V>> all = new ArrayList<>(entries.values());
        entries.clear();
        bytes = 0;
        all.forEach(s -> onEvict.accept(s.value()));
    }
}
