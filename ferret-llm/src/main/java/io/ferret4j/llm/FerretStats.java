package io.ferret4j.llm;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import io.ferret4j.llm.generate.DecodeSteps;

/**
 * What a {@link Ferret}'s caches have saved since it was loaded (see {@link FerretOptions#imageCacheBytes()} and
 * {@link FerretOptions#prefixCacheBytes()}), and how its answers decoded together ({@link FerretOptions#decodeBatch()}).
 *
 * @param imageCacheHits     images found encoded
 * @param imageCacheMisses   images encoded (with the cache off, every image)
 * @param imageCacheBytes    bytes of the encoded images held now
 * @param prefixCacheHits    prompts that started from kept key/value rows
 * @param prefixCacheMisses  prompts that shared no row with any kept one (with the cache off, none is counted)
 * @param prefixReusedRows   prompt rows copied instead of computed, over all prompts
 * @param prefixCacheBytes   bytes of the key/value rows held now
 * @param decodeSteps        decoding steps run and their time, by the number of answers each advanced by one token
 *                           (a step of four is one pass over the weights for four tokens); empty when each answer
 *                           decodes alone
 */
public record FerretStats(long imageCacheHits, long imageCacheMisses, long imageCacheBytes, long prefixCacheHits,
                          long prefixCacheMisses, long prefixReusedRows, long prefixCacheBytes,
                          Map<Integer, DecodeSteps> decodeSteps) {
    /** Copies the steps, in increasing size. */
    public FerretStats {
        decodeSteps = Collections.unmodifiableMap(new TreeMap<>(decodeSteps));
    }
}
