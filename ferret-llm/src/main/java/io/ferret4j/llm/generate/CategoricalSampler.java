package io.ferret4j.llm.generate;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Draws an id from {@code softmax(logits / temperature)} restricted, in Hugging Face's order, first to the
 * {@code topK} largest logits (all ids tied with the k-th are kept; {@code 0} = no limit), then to the smallest
 * set of most likely ids whose probability reaches {@code topP} (the nucleus; {@code 1} = no limit). Randomness
 * comes only from the injected {@code random}, so a seeded generator gives reproducible ids.
 */
public record CategoricalSampler(double temperature, int topK, double topP, RandomGenerator random)
        implements Sampler {

    /** Validates the parameters. */
    public CategoricalSampler {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature " + temperature + " must be finite and > 0");
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k " + topK + " must be >= 0 (0 = no limit)");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p " + topP + " must be in (0, 1]");
        }
    }

    @Override
    public int sample(float[] logits) {
        int[] order = descendingOrder(logits);
        int keep = order.length;
        if (topK > 0 && topK < keep) {
            keep = topK;
            while (keep < order.length && logits[order[keep]] == logits[order[keep - 1]]) {
                keep++;                                                // HF drops only logits below the k-th
            }
        }
        double max = logits[order[0]] / temperature;
        double[] weights = new double[keep];                           // unnormalised probabilities, descending
        double total = 0;
        for (int j = 0; j < keep; j++) {
            weights[j] = Math.exp(logits[order[j]] / temperature - max);
            total += weights[j];
        }
        if (topP < 1) {
            double mass = 0;
            int nucleus = 0;
            while (nucleus < keep && mass < topP * total) {            // add ids until the nucleus reaches top_p
                mass += weights[nucleus++];
            }
            keep = nucleus;
            total = mass;
        }
        double r = random.nextDouble() * total;
        for (int j = 0; j < keep - 1; j++) {
            r -= weights[j];
            if (r < 0) {
                return order[j];
            }
        }
        return order[keep - 1];
    }

    /** Ids sorted by logit, largest first, lower id first among equal logits. */
    static int[] descendingOrder(float[] logits) {
        long[] keys = new long[logits.length];
        for (int i = 0; i < logits.length; i++) {
            // high 32 bits: an int that orders like −logit (float bits with the magnitude flipped for negatives);
            // low 32 bits: the id, so one primitive sort orders by logit then id
            int bits = Float.floatToIntBits(-logits[i] + 0.0f);        // + 0.0f turns −0 into +0
            int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
            keys[i] = ((long) sortable << 32) | i;
        }
        Arrays.sort(keys);
        int[] order = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }
}
