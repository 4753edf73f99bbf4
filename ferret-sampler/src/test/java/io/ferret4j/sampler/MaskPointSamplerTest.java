package io.ferret4j.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import io.ferret4j.core.region.Region;
import org.junit.jupiter.api.Test;

final class MaskPointSamplerTest {

    /** 5×4 image; pixels (x, y) = (2,0), (0,1), (1,1), (4,1), (0,3). */
    private static final Region.Mask FIVE = mask(5, 4, 2, 0, 0, 1, 1, 1, 4, 1, 0, 3);

    @Test
    void readsPixelsInTheOrderOfTheXMajorMaskNormalisedByTheImageSize() {
        assertThat(MaskPointSampler.nonzeroPoints(FIVE)).containsExactly(
                0f, 1 / 4f, 0f, 3 / 4f, 1 / 5f, 1 / 4f, 2 / 5f, 0f, 4 / 5f, 1 / 4f);
    }

    @Test
    void keepsAMaskOfExactlyTheWantedCountWhateverThePolicy() {
        float[] all = MaskPointSampler.nonzeroPoints(FIVE);
        assertThat(MaskPointSampler.random(new SplittableRandom(1)).samplePoints(0, FIVE, 5)).containsExactly(all);
        assertThat(MaskPointSampler.fixed(List.of(), List.of()).samplePoints(0, FIVE, 5)).containsExactly(all);
    }

    @Test
    void deterministicPolicyPadsCyclicallyAndSpreadsSubsetsEvenly() {
        MaskPointSampler det = MaskPointSampler.deterministic();
        assertThat(indicesOf(det.samplePoints(0, FIVE, 12), FIVE)).containsExactly(0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1);
        assertThat(indicesOf(det.samplePoints(0, FIVE, 3), FIVE)).containsExactly(0, 1, 3);   // floor(k·5/3)
        assertThat(det.fpsStart(1, 2, 128)).isZero();
    }

    @Test
    void randomPolicyKeepsEveryPixelThenRepeatsAndIsReproducibleFromItsSeed() {
        int[] padded = indicesOf(MaskPointSampler.random(new SplittableRandom(42)).samplePoints(0, FIVE, 40), FIVE);
        assertThat(padded).startsWith(0, 1, 2, 3, 4);
        assertThat(padded).containsOnly(0, 1, 2, 3, 4);
        assertThat(indicesOf(MaskPointSampler.random(new SplittableRandom(42)).samplePoints(0, FIVE, 40), FIVE))
                .containsExactly(padded);
        assertThat(indicesOf(MaskPointSampler.random(new SplittableRandom(43)).samplePoints(0, FIVE, 40), FIVE))
                .isNotEqualTo(padded);
    }

    @Test
    void randomPolicySubsetsWithoutRepeatsAndVaries() {
        Region.Mask big = new Region.Box(0, 0, 39, 29).toMask(40, 30);            // 1200 pixels
        MaskPointSampler random = MaskPointSampler.random(new SplittableRandom(7));
        float[] first = random.samplePoints(0, big, 512);
        float[] second = random.samplePoints(1, big, 512);
        Set<Long> distinct = new HashSet<>();
        for (int i = 0; i < first.length; i += 2) {
            distinct.add(((long) Float.floatToIntBits(first[i]) << 32) | Float.floatToIntBits(first[i + 1]));
        }
        assertThat(distinct).hasSize(512);
        assertThat(second).isNotEqualTo(first);
        assertThat(random.fpsStart(0, 0, 512)).isBetween(0, 511);
    }

    @Test
    void fixedPolicyReturnsTheGivenChoices() {
        MaskPointSampler fixed = MaskPointSampler.fixed(List.of(new int[] {4, 4, 0}, new int[] {1, 2}),
                List.of(new int[] {7, 9}, new int[] {3, 1}));
        assertThat(indicesOf(fixed.samplePoints(0, FIVE, 3), FIVE)).containsExactly(4, 4, 0);
        assertThat(indicesOf(fixed.samplePoints(1, FIVE, 2), FIVE)).containsExactly(1, 2);
        assertThat(fixed.fpsStart(0, 1, 512)).isEqualTo(9);
        assertThat(fixed.fpsStart(1, 0, 128)).isEqualTo(3);
    }

    @Test
    void fixedPolicyRejectsChoicesThatDoNotFit() {
        MaskPointSampler fixed = MaskPointSampler.fixed(List.of(new int[] {0, 5}), List.of(new int[] {600}));
        assertThatThrownBy(() -> fixed.samplePoints(0, FIVE, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("region 0: 2 fixed point indices given, 3 needed");
        assertThatThrownBy(() -> fixed.samplePoints(0, FIVE, 2))
                .hasMessage("region 0: fixed point index 5 outside [0, 5)");
        assertThatThrownBy(() -> fixed.samplePoints(1, FIVE, 2))
                .hasMessage("no fixed point indices 1: only 1 given");
        assertThatThrownBy(() -> fixed.fpsStart(0, 0, 512))
                .hasMessage("stage 0 region 0: fixed FPS start 600 outside [0, 512)");
        assertThatThrownBy(() -> fixed.fpsStart(1, 0, 128)).hasMessage("no fixed FPS starts of stage 1: only 1 given");
    }

    private static Region.Mask mask(int w, int h, int... xy) {
        BitSet bits = new BitSet();
        for (int i = 0; i < xy.length; i += 2) {
            bits.set(xy[i + 1] * w + xy[i]);
        }
        return new Region.Mask(w, h, bits);
    }

    /** Maps sampled points back to their index among the mask's ordered pixels. */
    private static int[] indicesOf(float[] sampled, Region.Mask mask) {
        float[] all = MaskPointSampler.nonzeroPoints(mask);
        int[] out = new int[sampled.length / 2];
        for (int k = 0; k < out.length; k++) {
            out[k] = -1;
            for (int i = 0; i < all.length / 2; i++) {
                if (all[2 * i] == sampled[2 * k] && all[2 * i + 1] == sampled[2 * k + 1]) {
                    out[k] = i;
                }
            }
        }
        return out;
    }
}
