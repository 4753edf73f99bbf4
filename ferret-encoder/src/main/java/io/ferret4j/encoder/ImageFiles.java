package io.ferret4j.encoder;

import java.awt.image.BufferedImage;
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
            if (in == null) {
                throw new IOException("cannot open " + file);
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IIOException("not a recognised image format (no javax.imageio decoder accepts it)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return decode(reader);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode image " + file + ": " + e.getMessage(), e);
        }
    }

    private static BufferedImage decode(ImageReader reader) throws IOException {
        ClipImageProcessor.checkSize(reader.getWidth(0), reader.getHeight(0));   // from the header only
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
