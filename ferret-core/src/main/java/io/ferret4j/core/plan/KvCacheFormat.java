package io.ferret4j.core.plan;

import java.util.Locale;

/** How an answer's key/value cache holds keys and values; every read widens them back to fp32 exactly. */
public enum KvCacheFormat {
    /** The rows exactly as computed. */
    F32,
    /**
     * Rounded to the nearest fp16 (ties to even), as the reference's fp16 model keeps them: half the memory, and half
     * the cache bytes each generated token reads.
     */
    F16;

    /** Parses {@code f32} or {@code f16} (any case). */
    public static KvCacheFormat parse(String name) {
        return Names.parse(KvCacheFormat.class, name, "key/value cache format");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
