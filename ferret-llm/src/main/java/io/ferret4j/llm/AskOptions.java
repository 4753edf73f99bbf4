package io.ferret4j.llm;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import io.ferret4j.llm.generate.GenerationConfig;

/**
 * Settings of one answer, for callers that need more than {@link Ferret}'s defaults: a server that takes the
 * sampling settings of each request, streams the text and stops when its client goes away.
 *
 * @param generation  how to generate this answer; empty = the {@link FerretOptions#generation()} the model was
 *                    loaded with
 * @param stopStrings texts that end the answer as soon as it contains one of them; the answer is cut before it
 *                    and ends with {@link io.ferret4j.llm.generate.StopReason#STOP_SEQUENCE}
 * @param onText      receives the answer text as it is generated, never half a character; with stop strings,
 *                    text is held back while it could still be the start of one
 * @param cancelled   polled after every generated token; {@code true} ends the answer with
 *                    {@link io.ferret4j.llm.generate.StopReason#CANCELLED}
 * @param dump        where to write the intermediate tensors (see {@link FerretDump}), if anywhere
 */
public record AskOptions(Optional<GenerationConfig> generation, List<String> stopStrings, Consumer<String> onText,
                         BooleanSupplier cancelled, Optional<Path> dump) {

    /** Validates and copies. */
    public AskOptions {
        Objects.requireNonNull(generation, "generation");
        Objects.requireNonNull(onText, "onText");
        Objects.requireNonNull(cancelled, "cancelled");
        Objects.requireNonNull(dump, "dump");
        stopStrings = List.copyOf(stopStrings);
        if (stopStrings.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("stop strings must not be empty: " + stopStrings);
        }
    }

    /** The model's generation settings, no stop strings, no streaming, never cancelled, no dump. */
    public static AskOptions defaults() {
        return new AskOptions(Optional.empty(), List.of(), text -> { }, () -> false, Optional.empty());
    }

    /** These options generating with {@code config} instead of the model's settings. */
    public AskOptions withGeneration(GenerationConfig config) {
        return new AskOptions(Optional.of(config), stopStrings, onText, cancelled, dump);
    }

    /** These options ending the answer at any of {@code stops}. */
    public AskOptions withStopStrings(List<String> stops) {
        return new AskOptions(generation, stops, onText, cancelled, dump);
    }

    /** These options streaming the text to {@code listener}. */
    public AskOptions withOnText(Consumer<String> listener) {
        return new AskOptions(generation, stopStrings, listener, cancelled, dump);
    }

    /** These options ending the answer once {@code isCancelled} says so. */
    public AskOptions withCancellation(BooleanSupplier isCancelled) {
        return new AskOptions(generation, stopStrings, onText, isCancelled, dump);
    }

    /** These options writing the intermediate tensors to {@code file}. */
    public AskOptions withDump(Path file) {
        return new AskOptions(generation, stopStrings, onText, cancelled, Optional.of(file));
    }
}
