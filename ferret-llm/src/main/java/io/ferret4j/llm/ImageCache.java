package io.ferret4j.llm;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.ferret4j.encoder.RgbImage;

/**
 * The encoded images of one {@link Ferret}, least recently used first out, bounded in bytes: an image asked about
 * again is not preprocessed, run through CLIP and projected again. An image is known by its content, the SHA-256 of
 * the 8-bit RGB pixels the preprocessing reads plus its width and height (the preprocessing settings are the
 * model's own and fixed), so two decodings of one photo share an entry and an edited copy does not. Thread-safe.
 *
 * <p>An evicted image is dropped, not freed: a conversation may still use it, and the garbage collector frees it
 * after; {@link #close()} frees every image held.
 */
final class ImageCache implements AutoCloseable {
    private final ByteBoundedLru<Key, FerretModel.EncodedImage> images;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    /** The 8-bit RGB content of an image. */
    private record Key(int width, int height, ByteBuffer sha256) {
    }

    /** A cache of at most {@code maxBytes} of encoded images; 0 keeps none. */
    ImageCache(long maxBytes) {
        this.images = new ByteBoundedLru<>(maxBytes, dropped -> { });
    }

    /** The encoding of {@code image}: a kept one, or {@code encoder}'s, kept if it fits. */
    FerretModel.EncodedImage encode(BufferedImage image, Function<BufferedImage, FerretModel.EncodedImage> encoder) {
        Key key = key(image);
        synchronized (this) {
            FerretModel.EncodedImage kept = images.get(key);
            if (kept != null) {
                hits.incrementAndGet();
                return kept;
            }
        }
        misses.incrementAndGet();
        FerretModel.EncodedImage encoded = encoder.apply(image);
        synchronized (this) {
            images.put(key, encoded, encoded.bytes());
        }
        return encoded;
    }

    /** Lookups that found the image. */
    long hits() {
        return hits.get();
    }

    /** Lookups that had to encode it. */
    long misses() {
        return misses.get();
    }

    /** The bytes of the images held. */
    synchronized long bytes() {
        return images.bytes();
    }

    /** Frees and forgets every image held. */
    @Override
    public synchronized void close() {
        List<Map.Entry<Key, FerretModel.EncodedImage>> held = images.entries();
        images.clear();
        held.forEach(e -> e.getValue().close());
    }

    private static Key key(BufferedImage image) {
        MessageDigest sha256 = Sha256.newDigest();
        RgbImage.of(image).update(sha256);
        return new Key(image.getWidth(), image.getHeight(), ByteBuffer.wrap(sha256.digest()));
    }
}
