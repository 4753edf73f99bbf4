package io.ferret4j.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;

import io.ferret4j.core.weights.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code convert("RGB")} against Pillow 9.4 on files of every mode a photo or scan may come in. */
final class RgbConversionTest {

    @ParameterizedTest
    @ValueSource(strings = {"gray16.png", "la16.png", "rgb16.png", "rgba16.png", "gray2.png", "rgba.png", "la.png",
            "palette.png", "palette.gif", "gray.jpg", "cmyk.jpg"})
    void decodesAndConvertsFilesAsPillow(String file) {
        try (SafeTensors st = SafeTensors.open(PillowFixtures.path("conversion.safetensors"))) {
            RgbImage expected = PillowFixtures.rgb(st.get(file + ".rgb"));

            RgbImage actual = RgbImage.of(ImageFiles.read(PillowFixtures.path(file)));

            assertThat(actual.width()).isEqualTo(expected.width());
            assertThat(actual.height()).isEqualTo(expected.height());
            assertThat(actual.hwc()).as(file + " (Pillow mode " + st.metadata().get(file + ".mode") + ")")
                    .isEqualTo(expected.hwc());
        }
    }

    @Test
    void readsGreySamplesWithoutAwtGammaConversion() {
        BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(0, 0, 0, 100);
        grey.getRaster().setSample(1, 0, 0, 200);

        RgbImage rgb = RgbImage.of(grey);

        assertThat(rgb.hwc()).containsExactly(100, 100, 100, (byte) 200, (byte) 200, (byte) 200);
    }

    @Test
    void clampsSixteenBitGreyAsPillowModeI() {
        BufferedImage grey = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
        grey.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {200, 256, 65535});

        RgbImage rgb = RgbImage.of(grey);

        assertThat(rgb.get(0, 0, 0)).isEqualTo(200);
        assertThat(rgb.get(1, 0, 1)).isEqualTo(255);
        assertThat(rgb.get(2, 0, 2)).isEqualTo(255);
    }

    @Test
    void dropsAlphaWithoutCompositing() {
        BufferedImage argb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x00_40_80_c0);                              // fully transparent

        assertThat(RgbImage.of(argb).hwc()).containsExactly(0x40, 0x80, (byte) 0xc0);
    }

    @Test
    void unpremultipliesPremultipliedAlpha() {
        BufferedImage pre = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB_PRE);
        pre.setRGB(0, 0, 0xff_40_80_c0);                               // opaque: premultiplying changes nothing

        assertThat(RgbImage.of(pre).hwc()).containsExactly(0x40, 0x80, (byte) 0xc0);
    }

    @Test
    void readsBgrLayoutsInRgbOrder() {
        BufferedImage bgr = new BufferedImage(1, 1, BufferedImage.TYPE_3BYTE_BGR);
        bgr.setRGB(0, 0, 0x10_20_30);

        assertThat(RgbImage.of(bgr).hwc()).containsExactly(0x10, 0x20, 0x30);
    }

    @Test
    void refusesFloatingPointImages() {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_FLOAT);
        WritableRaster raster = cm.createCompatibleWritableRaster(2, 2);
        BufferedImage floats = new BufferedImage(cm, raster, false, null);

        assertThatThrownBy(() -> RgbImage.of(floats)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("floating-point");
    }
}
