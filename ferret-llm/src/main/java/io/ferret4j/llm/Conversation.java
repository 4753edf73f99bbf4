package io.ferret4j.llm;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import io.ferret4j.core.region.Region;
import io.ferret4j.llm.prompt.ConversationTemplate;

/**
 * A multi-turn chat about one image. The image is encoded once; every question is answered with the whole
 * conversation so far as its prompt ({@code ... ASSISTANT: A1</s>USER: Q2 ASSISTANT:}), and the regions of all turns
 * are bound to the prompt's {@code <region_fea>} tokens in order. Not thread-safe: one conversation serves one
 * caller at a time (its methods are synchronized); the {@link Ferret} it came from may serve many conversations.
 */
public final class Conversation {
    private final Ferret owner;
    private final FerretModel model;
    private final FerretModel.EncodedImage image;
    private final long encodeNanos;
    private final ConversationPrompt prompt;

    Conversation(Ferret owner, FerretModel model, FerretModel.EncodedImage image, long encodeNanos) {
        this.owner = owner;
        this.model = model;
        this.image = image;
        this.encodeNanos = encodeNanos;
        this.prompt = new ConversationPrompt(image.width(), image.height());
    }

    /**
     * Asks the next question. Each {@code <region>} in {@code question} becomes the next region's text form
     * ({@code [x1, y1, x2, y2] <region_fea>}, or {@code [x, y] <region_fea>} for a point, on the 1000-grid); a
     * literal {@code <region_fea>} is kept as written and also takes the next region.
     *
     * @throws IllegalArgumentException if the number of slots differs from the number of regions, a region lies
     *         outside the image, or the conversation no longer fits the model's context
     */
    public FerretAnswer ask(String question, List<? extends Region> newRegions) {
        return ask(question, newRegions, AskOptions.defaults());
    }

    /**
     * Like {@link #ask(String, List)}, streaming the answer text as it is generated (never half a character) and
     * optionally writing the intermediate tensors to {@code dump} (see {@link FerretDump}).
     */
    public FerretAnswer ask(String question, List<? extends Region> newRegions, Consumer<String> onText,
                            Optional<Path> dump) {
        AskOptions ask = AskOptions.defaults().withOnText(onText);
        return ask(question, newRegions, dump.map(ask::withDump).orElse(ask));
    }

    /** Like {@link #ask(String, List)}, with this answer's own settings (see {@link AskOptions}). */
    public synchronized FerretAnswer ask(String question, List<? extends Region> newRegions, AskOptions ask) {
        owner.checkOpen();
        ConversationPrompt.Next next = prompt.next(question, newRegions);
        FerretOptions options = owner.options();
        FerretModel.Prepared prepared = model.prepare(image, next.text(), next.regions(), options.pointSampler());
        AnswerStreamer.Answer answer = AnswerStreamer.generate(model, prepared,
                ask.generation().orElse(options.generation()),
                owner.prefixes().forPrompt(prepared, model.config.imRegionFeaToken()), ask);
        ask.dump().ifPresent(file -> FerretDump.write(file, image, prepared, answer.result().firstStepLogits()));
        prompt.answered(next, answer.text());
        int[] outputIds = answer.result().tokenIds();
        Timings timings = new Timings(encodeNanos, prepared.regionNanos(),
                prepared.spliceNanos() + answer.prefillNanos(), answer.decodeNanos(),
                (int) prepared.inputsEmbeds().size(0), outputIds.length);
        return FerretAnswer.of(next.text(), prepared.inputIds(), outputIds, answer.text(), answer.stopReason(),
                timings, image.width(), image.height());
    }

    /**
     * Adds a turn answered elsewhere (a client's history, a restored session) without generating: later questions
     * see it as the reference's template writes earlier turns, and its regions take their prompt slots.
     *
     * @throws IllegalArgumentException if the number of slots in {@code question} differs from the number of
     *         regions, or a region lies outside the image
     */
    public synchronized void addTurn(String question, List<? extends Region> turnRegions, String answer) {
        owner.checkOpen();
        prompt.addTurn(question, turnRegions, answer);
    }

    /** The turns answered so far, oldest first. */
    public synchronized List<ConversationTemplate.Turn> history() {
        return prompt.history();
    }
}
