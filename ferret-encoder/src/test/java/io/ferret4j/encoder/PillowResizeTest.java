package io.ferret4j.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;

import io.ferret4j.core.weights.SafeTensors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

final class PillowResizeTest {

    static IntStream pillowCases() {
        try (SafeTensors st = SafeTensors.open(PillowFixtures.path("resize.safetensors"))) {
            return IntStream.range(0, (int) st.names().stream().filter(n -> n.endsWith(".input")).count());
        }
    }

    @ParameterizedTest
    @MethodSource("pillowCases")
    void matchesPillowBicubicExactly(int index) {
        try (SafeTensors st = SafeTensors.open(PillowFixtures.path("resize.safetensors"))) {
            RgbImage input = PillowFixtures.rgb(st.get(index + ".input"));
            RgbImage expected = PillowFixtures.rgb(st.get(index + ".output"));

            RgbImage actual = PillowResize.bicubic(input, expected.width(), expected.height());

            assertThat(actual.width()).isEqualTo(expected.width());
            assertThat(actual.height()).isEqualTo(expected.height());
            assertThat(actual.hwc()).isEqualTo(expected.hwc());
        }
    }

    @Test
    void returnsTheSameImageWhenTheSizeIsUnchanged() {
        RgbImage image = RgbImage.of(3, 2, new byte[18]);

        assertThat(PillowResize.bicubic(image, 3, 2)).isSameAs(image);
    }

    @Test
    void refusesAnEmptyTarget() {
        RgbImage image = RgbImage.of(3, 2, new byte[18]);

        assertThatThrownBy(() -> PillowResize.bicubic(image, 0, 5)).hasMessageContaining("0x5");
    }

    @Test
    void filterIsKeysCubicWithAMinusHalf() {
        assertThat(PillowResize.filter(0)).isEqualTo(1.0);
        assertThat(PillowResize.filter(1)).isEqualTo(0.0);
        assertThat(PillowResize.filter(0.5)).isEqualTo(0.5625);
        assertThat(PillowResize.filter(-1.5)).isEqualTo(-0.0625);
        assertThat(PillowResize.filter(2)).isEqualTo(0.0);
    }

    @Property(tries = 200)
    void fixedPointWeightsOfEveryOutputSumToOne(@ForAll @IntRange(min = 1, max = 2000) int in,
                                                @ForAll @IntRange(min = 1, max = 700) int out) {
        PillowResize.Coefficients k = PillowResize.Coefficients.of(in, out);

        for (int o = 0; o < out; o++) {
            int sum = 0;
            for (int t = 0; t < k.count()[o]; t++) {
                sum += k.weights()[o * k.ksize() + t];
            }
            assertThat(k.start()[o]).isBetween(0, in - 1);
            assertThat(k.start()[o] + k.count()[o]).isLessThanOrEqualTo(in);
            assertThat(Math.abs(sum - (1 << 22))).as("rounding slack of output %d", o)
                    .isLessThanOrEqualTo(k.count()[o]);
        }
    }

    @Property(tries = 50)
    void aConstantImageStaysConstant(@ForAll @IntRange(min = 2, max = 400) int w,
                                     @ForAll @IntRange(min = 2, max = 400) int h,
                                     @ForAll @IntRange(min = 1, max = 400) int ow,
                                     @ForAll @IntRange(min = 1, max = 400) int oh,
                                     @ForAll @IntRange(min = 0, max = 255) int value) {
        byte[] px = new byte[w * h * 3];
        java.util.Arrays.fill(px, (byte) value);

        RgbImage out = PillowResize.bicubic(RgbImage.of(w, h, px), ow, oh);

        for (byte b : out.hwc()) {
            assertThat(b & 0xff).isEqualTo(value);
        }
    }
}
