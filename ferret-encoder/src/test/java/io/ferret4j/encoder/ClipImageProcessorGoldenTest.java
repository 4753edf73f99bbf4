package io.ferret4j.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.SafeTensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Preprocessing against {@code golden/clip/preprocess.safetensors} (HF {@code CLIPImageProcessor_GIT} on
 * Pillow 9.4). Exact equality is required: the resize is integer arithmetic and the normalisation is the
 * same float operations in the same order.
 */
final class ClipImageProcessorGoldenTest {
    private static SafeTensors golden;
    private static ClipImageProcessor processor;

    @BeforeAll
    static void open() {
        golden = SafeTensors.open(Goldens.path("clip/preprocess.safetensors"));
        processor = ClipImageProcessor.load(Goldens.path("clip/model"));
    }

    @AfterAll
    static void close() {
        golden.close();
    }

    @ParameterizedTest
    @CsvSource({"0, image0_decoded_by_pil.png", "1, image1_decoded_by_pil.png", "2, flickr_9472793441.png"})
    void resizesPillowDecodedPixelsExactlyAsPillow(int index, String file) {
        RgbImage resized = processor.resize(decode(file));

        assertThat(resized.width()).isEqualTo(336);
        assertThat(resized.height()).isEqualTo(336);
        assertThat(resized.hwc()).isEqualTo(expectedRgb(index));
    }

    @ParameterizedTest
    @CsvSource({"0, bathroom.jpg", "1, kitchen.png", "2, flickr_9472793441.png"})
    void resizesTheOriginalFilesExactlyAsPillow(int index, String file) {
        INDArray pixels = processor.preprocess(Goldens.path("clip/images/" + file));

        // ImageIO's JPEG decoder (the JDK's libjpeg 6b) agrees with Pillow's libjpeg on these files
        assertThat(asFloats(pixels)).isEqualTo(expected(index + ".pixel_values").toFloats());
    }

    @ParameterizedTest
    @CsvSource({"0, image0_decoded_by_pil.png", "1, image1_decoded_by_pil.png", "2, flickr_9472793441.png"})
    void producesExactPixelValuesFromPillowDecodedPixels(int index, String file) {
        INDArray pixels = processor.preprocess(decode(file));

        RawTensor expected = expected(index + ".pixel_values");
        assertThat(pixels.shape()).isEqualTo(expected.shape());
        assertThat(asFloats(pixels)).isEqualTo(expected.toFloats());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bathroom.jpg", "kitchen.png"})
    void decodesTheGoldenJpegsAsLibjpegDoes(String jpeg) {
        String pil = jpeg.startsWith("bathroom") ? "image0_decoded_by_pil.png" : "image1_decoded_by_pil.png";

        RgbImage java = RgbImage.of(ImageFiles.read(Goldens.path("clip/images/" + jpeg)));
        RgbImage pillow = RgbImage.of(decode(pil));

        assertThat(java.hwc()).isEqualTo(pillow.hwc());
    }

    private static byte[] expectedRgb(int index) {
        RawTensor t = expected("image" + index + ".resized_rgb");
        assertThat(t.shape()).containsExactly(336, 336, 3);
        byte[] out = new byte[(int) t.numel()];
        t.bytes().get(out);
        return out;
    }

    private static RawTensor expected(String name) {
        return golden.get(name.startsWith("image") ? name : "image" + name);
    }

    private static float[] asFloats(INDArray a) {
        return a.dup('c').data().asFloat();
    }

    static BufferedImage decode(String file) {
        Path p = Goldens.path("clip/images/" + file);
        try {
            return ImageIO.read(p.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
