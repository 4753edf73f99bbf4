package io.ferret4j.llm;

/**
 * What a {@link Ferret}'s caches have saved since it was loaded (see {@link FerretOptions#imageCacheBytes()} and
 * {@link FerretOptions#prefixCacheBytes()}).
 *
 * @param imageCacheHits     images found encoded
 * @param imageCacheMisses   images encoded (with the cache off, every image)
 * @param imageCacheBytes    bytes of the encoded images held now
 * @param prefixCacheHits    prompts that started from kept key/value rows
 * @param prefixCacheMisses  prompts that shared no row with any kept one (with the cache off, none is counted)
 * @param prefixReusedRows   prompt rows copied instead of computed, over all prompts
 * @param prefixCacheBytes   bytes of the key/value rows held now
 */
public record FerretStats(long imageCacheHits, long imageCacheMisses, long imageCacheBytes, long prefixCacheHits,
                          long prefixCacheMisses, long prefixReusedRows, long prefixCacheBytes) {
}
