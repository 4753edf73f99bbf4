package io.ferret4j.examples.serve;

import java.awt.image.BufferedImage;
import java.io.UncheckedIOException;

import io.ferret4j.encoder.ImageFiles;

/**
 * Turns an image data URL into pixels within the server's limit: the size is read from the image's header and
 * checked before any pixel is decoded, so a small file claiming a huge image (a decompression bomb) costs nothing.
 */
final class ImageDecoder {
    private final long maxPixels;

    ImageDecoder(long maxPixels) {
        this.maxPixels = maxPixels;
    }

    /**
     * Decodes the data URL in {@code param}.
     *
     * @throws ApiException 400 for a bad URL, bad base64, bytes that are not a whole image, or too many pixels
     */
    BufferedImage decode(String url, String param) {
        byte[] bytes = DataUrl.decode(url, param);
        try {
            return ImageFiles.read(bytes, maxPixels);
        } catch (UncheckedIOException e) {
            throw ApiException.invalid(param, param + " is not a decodable image (" + bytes.length + " bytes): "
                    + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(param, param + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // javax.imageio decoders throw unchecked exceptions on some malformed inputs: still the client's bytes
            throw ApiException.invalid(param, param + " is not a decodable image (" + bytes.length + " bytes): "
                    + e);
        }
    }
}
