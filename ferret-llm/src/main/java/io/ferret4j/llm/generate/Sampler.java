package io.ferret4j.llm.generate;

import java.util.random.RandomGenerator;

/** Chooses the next token id from the vocabulary logits of one step. */
@FunctionalInterface
public interface Sampler {

    /** Argmax, the lowest id among equal maxima (Ferret's reference decoding, see the spec §10.1). */
    Sampler GREEDY = Sampler::argmax;

    /** The chosen id, an index into {@code logits}. */
    int sample(float[] logits);

    /** The index of the largest logit, the lowest one on ties. */
    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** {@link #GREEDY} for {@code temperature == 0}, else a {@link CategoricalSampler} drawing from {@code random}. */
    static Sampler of(GenerationConfig config, RandomGenerator random) {
        return config.isGreedy() ? GREEDY
                : new CategoricalSampler(config.temperature(), config.topK(), config.topP(), random);
    }
}
