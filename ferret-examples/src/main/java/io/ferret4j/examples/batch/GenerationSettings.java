package io.ferret4j.examples.batch;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

import io.ferret4j.llm.generate.GenerationConfig;

/**
 * A task's own generation settings; each one left out keeps the model's (the command's {@code --max-new-tokens},
 * {@code --temperature}, ...).
 */
public record GenerationSettings(OptionalInt maxNewTokens, OptionalDouble temperature, OptionalDouble topP,
                                 OptionalInt topK, OptionalLong seed) {
    /** No settings of its own. */
    public static final GenerationSettings NONE = new GenerationSettings(OptionalInt.empty(), OptionalDouble.empty(),
            OptionalDouble.empty(), OptionalInt.empty(), OptionalLong.empty());

    /**
     * {@code base} with these settings applied, or empty if there are none.
     *
     * @throws IllegalArgumentException for an out-of-range setting, naming it
     */
    public Optional<GenerationConfig> over(GenerationConfig base) {
        if (equals(NONE)) {
            return Optional.empty();
        }
        return Optional.of(new GenerationConfig(maxNewTokens.orElse(base.maxNewTokens()),
                temperature.orElse(base.temperature()), topK.orElse(base.topK()), topP.orElse(base.topP()),
                seed.orElse(base.seed()), base.stopSequences(), base.useCache()));
    }
}
