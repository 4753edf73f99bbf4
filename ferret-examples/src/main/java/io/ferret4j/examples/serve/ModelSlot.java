package io.ferret4j.examples.serve;

import java.util.Optional;

import io.ferret4j.llm.Ferret;

/**
 * The one model a server serves: its name and whether it is the demo's random-weight model are known at once;
 * the loaded {@link Ferret} arrives later, and until then the server answers 503. Thread-safe.
 */
public final class ModelSlot {
    private final String id;
    private final boolean demo;
    private volatile Loaded loaded;

    /**
     * @param id   the model name reported by {@code /v1/models} and in answers
     * @param demo whether its weights are random (its answers are then meaningless)
     */
    public ModelSlot(String id, boolean demo) {
        this.id = id;
        this.demo = demo;
    }

    /**
     * A loaded model.
     *
     * @param ferret        the model, shared by every request
     * @param contextLength its context in tokens ({@code max_position_embeddings})
     */
    public record Loaded(Ferret ferret, int contextLength) {
    }

    /** Serves {@code ferret} from now on. */
    public void ready(Ferret ferret, int contextLength) {
        loaded = new Loaded(ferret, contextLength);
    }

    /** The loaded model, if loading has finished. */
    public Optional<Loaded> loaded() {
        return Optional.ofNullable(loaded);
    }

    /** The model name. */
    public String id() {
        return id;
    }

    /** Whether the weights are random. */
    public boolean demo() {
        return demo;
    }
}
