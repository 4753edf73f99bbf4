package io.ferret4j.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import io.ferret4j.core.testing.Goldens;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

final class ClipImageProcessorTest {
    private static ClipImageProcessor processor;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        processor = ClipImageProcessor.load(Goldens.path("clip/model"));
    }

    @Test
    void readsFerretsSquareSideFromThePreprocessorConfig() {
        assertThat(processor.imageSize()).isEqualTo(336);
    }

    @Test
    void acceptsDjlImagesBackedByBufferedImages() throws IOException {
        Path file = Goldens.path("clip/images/flickr_9472793441.png");
        Image djl = ImageFactory.getInstance().fromFile(file);

        assertThat(processor.preprocess(djl)).isEqualTo(processor.preprocess(file));
    }

    @Test
    void refusesDjlImagesThatWrapSomethingElse() {
        Image other = (Image) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Image.class},
                (proxy, method, args) -> method.getName().equals("getWrappedImage") ? "an NDArray" : null);

        assertThatThrownBy(() -> processor.preprocess(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.String").hasMessageContaining("BufferedImage");
    }

    @Test
    void stacksABatchInOrder() {
        BufferedImage a = ClipImageProcessorGoldenTest.decode("image0_decoded_by_pil.png");
        BufferedImage b = ClipImageProcessorGoldenTest.decode("flickr_9472793441.png");

        INDArray batch = processor.preprocess(List.of(a, b));

        assertThat(batch.shape()).containsExactly(2, 3, 336, 336);
        assertThat(batch.slice(0)).isEqualTo(processor.preprocess(a).slice(0));
        assertThat(batch.slice(1)).isEqualTo(processor.preprocess(b).slice(0));
    }

    @Test
    void refusesImagesSmallerThanTwoByTwo() {
        assertThatThrownBy(() -> processor.preprocess(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1x1");
        assertThatThrownBy(() -> processor.preprocess(new BufferedImage(5, 1, BufferedImage.TYPE_INT_RGB)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5x1");
    }

    @Test
    void refusesZeroAndOnePixelFiles() throws IOException {
        Path zero = pngHeaderOnly(0, 0);
        Path one = pngHeaderOnly(1, 1);

        assertThatThrownBy(() -> processor.preprocess(zero))
                .isInstanceOfAny(IllegalArgumentException.class, UncheckedIOException.class)
                .hasMessageContaining(zero.toString());
        assertThatThrownBy(() -> processor.preprocess(one)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1x1");
    }

    @Test
    void refusesHugeImagesFromTheHeaderBeforeDecoding() throws IOException {
        Path huge = pngHeaderOnly(20000, 20000);                     // 150 bytes on disk, 1.6 GB decoded

        assertThatThrownBy(() -> processor.preprocess(huge)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("20000x20000").hasMessageContaining("100000000");
    }

    @Test
    void refusesTruncatedJpegs() throws IOException {
        byte[] jpeg = Files.readAllBytes(Goldens.path("clip/images/bathroom.jpg"));
        Path half = write("half.jpg", Arrays.copyOf(jpeg, jpeg.length / 2));
        Path noEoi = write("no-eoi.jpg", Arrays.copyOf(jpeg, jpeg.length - 2));

        assertThatThrownBy(() -> processor.preprocess(half)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("truncated").hasMessageContaining("half.jpg");
        assertThatThrownBy(() -> processor.preprocess(noEoi)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void refusesTruncatedPngs() throws IOException {
        byte[] png = Files.readAllBytes(Goldens.path("clip/images/flickr_9472793441.png"));
        Path half = write("half.png", Arrays.copyOf(png, png.length / 2));

        assertThatThrownBy(() -> processor.preprocess(half)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("half.png");
    }

    @Test
    void refusesFilesThatAreNotImages() throws IOException {
        Path text = write("notes.jpg", "not an image at all".getBytes());

        assertThatThrownBy(() -> processor.preprocess(text)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("notes.jpg").hasMessageContaining("not a recognised image");
    }

    @Test
    void refusesMissingFiles() {
        Path missing = dir.resolve("missing.png");

        assertThatThrownBy(() -> processor.preprocess(missing)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("missing.png");
    }

    @Test
    void refusesPixelValuesOfTheWrongSize() {
        RgbImage small = RgbImage.of(2, 2, new byte[12]);

        assertThatThrownBy(() -> processor.pixelValues(small)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2x2").hasMessageContaining("336x336");
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    /** A PNG whose IHDR announces {@code w x h} RGB pixels, followed by one tiny IDAT and IEND. */
    private Path pngHeaderOnly(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).array());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat)) {
            z.write(new byte[4]);
        }
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return write(w + "x" + h + ".png", out.toByteArray());
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(type.getBytes());
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(type.getBytes());
        out.write(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
