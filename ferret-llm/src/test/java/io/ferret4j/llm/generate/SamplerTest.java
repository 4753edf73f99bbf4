package io.ferret4j.llm.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

final class SamplerTest {
    private static final int DRAWS = 40_000;
    /** Logits whose softmax is exactly {0.5, 0.3, 0.15, 0.05}. */
    private static final float[] QUARTER_LOGITS = {(float) Math.log(0.5), (float) Math.log(0.3),
            (float) Math.log(0.15), (float) Math.log(0.05)};

    @Test
    void greedyPicksTheLowestIdAmongTiedMaxima() {
        assertThat(Sampler.GREEDY.sample(new float[] {1, 3, -2, 3, 2})).isEqualTo(1);
        assertThat(Sampler.GREEDY.sample(new float[] {-5})).isEqualTo(0);
        assertThat(Sampler.of(GenerationConfig.greedy(1), new SplittableRandom(1))).isSameAs(Sampler.GREEDY);
    }

    @Test
    void temperatureOneFollowsTheSoftmax() {
        double[] freq = frequencies(new CategoricalSampler(1, 0, 1, new SplittableRandom(1)), QUARTER_LOGITS);

        assertThat(freq[0]).isCloseTo(0.5, within(0.01));
        assertThat(freq[1]).isCloseTo(0.3, within(0.01));
        assertThat(freq[2]).isCloseTo(0.15, within(0.01));
        assertThat(freq[3]).isCloseTo(0.05, within(0.01));
    }

    @Test
    void temperatureSharpensOrFlattensTheDistribution() {
        double[] cold = frequencies(new CategoricalSampler(0.05, 0, 1, new SplittableRandom(2)), QUARTER_LOGITS);
        double[] hot = frequencies(new CategoricalSampler(100, 0, 1, new SplittableRandom(3)), QUARTER_LOGITS);
        double[] half = frequencies(new CategoricalSampler(0.5, 0, 1, new SplittableRandom(4)), QUARTER_LOGITS);

        assertThat(cold[0]).isGreaterThan(0.999);
        assertThat(hot).containsExactly(new double[] {0.25, 0.25, 0.25, 0.25}, within(0.02));
        // T = 0.5 squares the probabilities: 0.25, 0.09, 0.0225, 0.0025 over 0.365
        assertThat(half[0]).isCloseTo(0.25 / 0.365, within(0.01));
        assertThat(half[1]).isCloseTo(0.09 / 0.365, within(0.01));
    }

    @Test
    void topKRenormalisesOverTheKLargest() {
        double[] freq = frequencies(new CategoricalSampler(1, 2, 1, new SplittableRandom(5)), QUARTER_LOGITS);

        assertThat(freq[0]).isCloseTo(0.5 / 0.8, within(0.01));
        assertThat(freq[1]).isCloseTo(0.3 / 0.8, within(0.01));
        assertThat(freq[2] + freq[3]).isZero();
    }

    @Test
    void topKKeepsEveryIdTiedWithTheKth() {
        double[] freq = frequencies(new CategoricalSampler(1, 2, 1, new SplittableRandom(6)), new float[] {5, 4, 4, 1});

        assertThat(freq[1]).isGreaterThan(0.1);
        assertThat(freq[2]).isGreaterThan(0.1);
        assertThat(freq[3]).isZero();
    }

    @Property(tries = 200)
    void topKNeverPicksOutsideTheTopK(@ForAll("logits") float[] logits, @ForAll @IntRange(min = 1, max = 6) int k,
                                      @ForAll long seed) {
        CategoricalSampler sampler = new CategoricalSampler(2.0, k, 1, new SplittableRandom(seed));
        float kth = sortedDescending(logits)[Math.min(k, logits.length) - 1];

        for (int i = 0; i < 50; i++) {
            assertThat(logits[sampler.sample(logits)]).isGreaterThanOrEqualTo(kth);
        }
    }

    @Test
    void topPKeepsTheMinimalNucleus() {
        // cumulative mass in order: 0.5, 0.8, 0.95, 1.0
        assertThat(support(0.4)).containsExactly(0);
        assertThat(support(0.5)).containsExactly(0);
        assertThat(support(0.79)).containsExactly(0, 1);
        assertThat(support(0.81)).containsExactly(0, 1, 2);
        assertThat(support(0.96)).containsExactly(0, 1, 2, 3);
        double[] freq = frequencies(new CategoricalSampler(1, 0, 0.79, new SplittableRandom(7)), QUARTER_LOGITS);
        assertThat(freq[0]).isCloseTo(0.5 / 0.8, within(0.01));
    }

    @Property(tries = 200)
    void topPNucleusIsTheSmallestPrefixReachingP(@ForAll("logits") float[] logits,
                                                 @ForAll("probability") double p, @ForAll long seed) {
        CategoricalSampler sampler = new CategoricalSampler(1, 0, p, new SplittableRandom(seed));
        double[] probs = softmax(logits);
        double[] sorted = Arrays.stream(probs).map(x -> -x).sorted().map(x -> -x).toArray();
        // the nucleus holds every id whose higher-ranked ids weigh less than p
        double mass = 0;
        double smallestKept = sorted[0];
        for (double q : sorted) {
            if (mass >= p + 1e-9) {                                  // tolerance widens, never narrows, the nucleus
                break;
            }
            smallestKept = q;
            mass += q;
        }
        for (int i = 0; i < 50; i++) {
            assertThat(probs[sampler.sample(logits)]).isGreaterThanOrEqualTo(smallestKept - 1e-12);
        }
    }

    @Test
    void theSameSeedGivesTheSameIds() {
        float[] logits = randomLogits(1000, 9);

        int[] a = draws(new CategoricalSampler(0.8, 50, 0.9, new SplittableRandom(42)), logits);
        int[] b = draws(new CategoricalSampler(0.8, 50, 0.9, new SplittableRandom(42)), logits);
        int[] c = draws(new CategoricalSampler(0.8, 50, 0.9, new SplittableRandom(43)), logits);

        assertThat(a).containsExactly(b);
        assertThat(c).isNotEqualTo(a);
    }

    @Test
    void rejectsInvalidParameters() {
        SplittableRandom r = new SplittableRandom(0);
        assertThatThrownBy(() -> new CategoricalSampler(0, 0, 1, r)).hasMessageContaining("temperature 0.0");
        assertThatThrownBy(() -> new CategoricalSampler(1, -1, 1, r)).hasMessageContaining("top_k -1");
        assertThatThrownBy(() -> new CategoricalSampler(1, 0, 1.5, r)).hasMessageContaining("top_p 1.5");
        assertThatThrownBy(() -> new CategoricalSampler(1, 0, 0, r)).hasMessageContaining("top_p 0.0");
        assertThatThrownBy(() -> GenerationConfig.greedy(0)).hasMessageContaining("max_new_tokens 0");
        assertThatThrownBy(() -> GenerationConfig.sampling(4, -1, 0, 1, 0)).hasMessageContaining("temperature -1.0");
        assertThatThrownBy(() -> GenerationConfig.greedy(4).withStopSequences(new int[0]))
                .hasMessageContaining("stop sequences must not be empty");
    }

    @Provide
    Arbitrary<float[]> logits() {
        return Arbitraries.floats().between(-8, 8).array(float[].class).ofMinSize(1).ofMaxSize(40);
    }

    @Provide
    Arbitrary<Double> probability() {
        return Arbitraries.doubles().between(0.01, 1.0);
    }

    private static int[] support(double topP) {
        double[] freq = frequencies(new CategoricalSampler(1, 0, topP, new SplittableRandom(8)), QUARTER_LOGITS);
        return IntStream.range(0, freq.length).filter(i -> freq[i] > 0).toArray();
    }

    private static double[] frequencies(Sampler sampler, float[] logits) {
        double[] freq = new double[logits.length];
        for (int i = 0; i < DRAWS; i++) {
            freq[sampler.sample(logits)] += 1.0 / DRAWS;
        }
        return freq;
    }

    private static int[] draws(Sampler sampler, float[] logits) {
        return IntStream.range(0, 200).map(i -> sampler.sample(logits)).toArray();
    }

    private static float[] randomLogits(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) r.nextDouble(-3, 3);
        }
        return out;
    }

    private static float[] sortedDescending(float[] logits) {
        float[] s = logits.clone();
        Arrays.sort(s);
        for (int i = 0; i < s.length / 2; i++) {
            float t = s[i];
            s[i] = s[s.length - 1 - i];
            s[s.length - 1 - i] = t;
        }
        return s;
    }

    private static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
