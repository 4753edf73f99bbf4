package io.ferret4j.examples.batch;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

import io.ferret4j.llm.Ferret;

/** What a task asks, as the command line's {@code refer}, {@code ground} and {@code ask} commands do. */
public enum TaskKind {
    /** Describe one region; the prompt, if any, is the question (default {@link Ferret#DEFAULT_REFER_QUESTION}). */
    REFER,
    /** Find what the prompt names; no regions. */
    GROUND,
    /** A free question; each {@code <region>} in the prompt takes the next region. */
    ASK;

    /**
     * The kind named {@code name} ({@code refer}, {@code ground} or {@code ask}).
     *
     * @throws IllegalArgumentException naming the expected names and the one found
     */
    public static TaskKind parse(String name) {
        for (TaskKind k : values()) {
            if (k.label().equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("task must be one of " + Arrays.stream(values()).map(TaskKind::label).toList()
                + ", got '" + name + "'");
    }

    /** The lower-case name used in task files. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The question the model is asked, exactly as {@code ferret refer|ground|ask} builds it.
     *
     * @param prompt      the task's prompt: the question (optional for refer), or the phrase to ground
     * @param regionCount how many regions the task gives
     * @throws IllegalArgumentException if the prompt is missing where needed or the region count does not fit
     */
    public String question(Optional<String> prompt, int regionCount) {
        return switch (this) {
            case REFER -> {
                if (regionCount != 1) {
                    throw new IllegalArgumentException("refer needs exactly one region, got " + regionCount);
                }
                yield prompt.orElse(Ferret.DEFAULT_REFER_QUESTION);
            }
            case GROUND -> {
                if (regionCount != 0) {
                    throw new IllegalArgumentException("ground takes no regions, got " + regionCount
                            + "; use ask to combine regions and grounding");
                }
                yield Ferret.groundingQuestion(required(prompt));
            }
            case ASK -> required(prompt);
        };
    }

    private String required(Optional<String> prompt) {
        return prompt.orElseThrow(() -> new IllegalArgumentException(label() + " needs a prompt"));
    }
}
