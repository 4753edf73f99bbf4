package io.ferret4j.encoder;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes an image file with {@code javax.imageio}, defensively: the size is read from the header and
 * checked before any pixel is allocated, and a truncated file is an error instead of the partly grey image
 * the JDK's JPEG reader returns with only a warning (Pillow refuses such files: "image file is truncated").
 * For multi-frame files (GIF, TIFF) the first frame is decoded, as {@code PIL.Image.open} does.
 */
public final class ImageFiles {

    private ImageFiles() {
    }

    /**
     * The first image in {@code file}.
     *
     * @throws UncheckedIOException     if the file is missing, not a recognised image, corrupt or truncated
     * @throws IllegalArgumentException if its size is outside {@link ClipImageProcessor#checkSize} limits
     */
    public static BufferedImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UncheckedIOException(new NoSuchFileException(file.toString(), null, "no such image file"));
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            return read(in, Long.MAX_VALUE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode image " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The first image in {@code data} (an encoded file received over the network), refusing from its header
     * alone an image of more than {@code maxPixels} pixels, before any pixel is allocated.
     *
     * @throws UncheckedIOException     if the bytes are not a recognised image, corrupt or truncated
     * @throws IllegalArgumentException if its size exceeds {@code maxPixels} or {@link ClipImageProcessor#checkSize}
     *                                  limits
     */
    public static BufferedImage read(byte[] data, long maxPixels) {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            return read(in, maxPixels);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private static BufferedImage read(ImageInputStream in, long maxPixels) throws IOException {
        if (in == null) {
            throw new IOException("no javax.imageio input stream for it");
        }
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new IIOException("not a recognised image format (no javax.imageio decoder accepts it)");
        }
        ImageReader reader = readers.next();
        try {
            reader.setInput(in, true, true);
            return decode(reader, maxPixels);
        } finally {
            reader.dispose();
        }
    }

    private static BufferedImage decode(ImageReader reader, long maxPixels) throws IOException {
        int width = reader.getWidth(0);                                        // from the header only
        int height = reader.getHeight(0);
        if ((long) width * height > maxPixels) {
            throw new IllegalArgumentException("image is " + width + "x" + height + " = " + (long) width * height
                    + " pixels, more than the limit of " + maxPixels);
        }
        ClipImageProcessor.checkSize(width, height);
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        BufferedImage image = reader.read(0);
        for (String warning : warnings) {
            String w = warning.toLowerCase(Locale.ROOT);
            if (w.contains("truncated") || w.contains("premature end")) {
                throw new IIOException("the file is truncated or corrupt (" + reader.getFormatName() + " decoder: "
                        + warning + ")");
            }
        }
        return image;
    }
}
