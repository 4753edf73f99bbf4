package io.ferret4j.llm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import io.ferret4j.core.region.Region;
import io.ferret4j.core.region.VocabCoordinates;
import io.ferret4j.llm.generate.GenerationResult;
import io.ferret4j.llm.generate.StopReason;
import io.ferret4j.llm.generate.StopStrings;
import io.ferret4j.llm.prompt.ConversationTemplate;
import io.ferret4j.llm.prompt.RegionPrompt;
import io.ferret4j.llm.tokenizer.StreamingDecoder;
import io.ferret4j.sampler.MaskPointSampler;

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
    private final List<ConversationTemplate.Turn> history = new ArrayList<>();
    private final List<Region> regions = new ArrayList<>();

    Conversation(Ferret owner, FerretModel model, FerretModel.EncodedImage image, long encodeNanos) {
        this.owner = owner;
        this.model = model;
        this.image = image;
        this.encodeNanos = encodeNanos;
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
        String bound = bind(question, newRegions);
        String prompt = ConversationTemplate.render(history, bound);
        List<Region> all = new ArrayList<>(regions);
        all.addAll(newRegions);
        FerretOptions options = owner.options();
        MaskPointSampler points = options.deterministicSampler()
                ? MaskPointSampler.deterministic()
                : MaskPointSampler.random(new SplittableRandom(options.seed()));
        FerretModel.Prepared prepared = model.prepare(image, prompt, all, points);
        StreamingDecoder stream = model.tokenizer.newStreamingDecoder(true);
        StopStrings stops = new StopStrings(ask.stopStrings(), ask.onText());
        long start = System.nanoTime();
        long[] firstToken = {0};
        GenerationResult result = model.generate(prepared, ask.generation().orElse(options.generation()), id -> {
            if (firstToken[0] == 0) {
                firstToken[0] = System.nanoTime();
            }
            boolean goOn = stops.accept(stream.accept(id));
            return goOn && !ask.cancelled().getAsBoolean();
        });
        long end = System.nanoTime();
        Timings timings = new Timings(encodeNanos, prepared.regionNanos(),
                prepared.spliceNanos() + firstToken[0] - start, end - firstToken[0],
                (int) prepared.inputsEmbeds().size(0), result.tokenIds().length);
        stops.accept(stream.finish());
        stops.finish();
        ask.dump().ifPresent(file -> FerretDump.write(file, image, prepared, result.firstStepLogits()));
        String text = model.tokenizer.decodeAnswer(result.tokenIds());
        StopReason reason = result.stopReason();
        if (stops.stopped()) {
            text = StopStrings.cut(text, ask.stopStrings());
            reason = StopReason.STOP_SEQUENCE;
        }
        history.add(new ConversationTemplate.Turn(bound, text));
        regions.addAll(newRegions);
        return FerretAnswer.of(prompt, prepared.inputIds(), result.tokenIds(), text, reason, timings,
                image.width(), image.height());
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
        history.add(new ConversationTemplate.Turn(bind(question, turnRegions), answer));
        regions.addAll(turnRegions);
    }

    private String bind(String question, List<? extends Region> newRegions) {
        List<String> coordinates = new ArrayList<>();
        for (Region r : newRegions) {
            coordinates.add(VocabCoordinates.text(r, image.width(), image.height()));
        }
        return RegionPrompt.bind(question, coordinates);
    }

    /** The turns answered so far, oldest first. */
    public synchronized List<ConversationTemplate.Turn> history() {
        return List.copyOf(history);
    }
}
