package io.ferret4j.llm;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import ai.djl.modality.cv.Image;
import io.ferret4j.core.region.Region;
import io.ferret4j.llm.tokenizer.LlamaTokenizer;

/**
 * Apple's Ferret: ask about any region of an image, and get answers whose boxes point at what they name.
 *
 * <pre>{@code
 * try (Ferret ferret = Ferret.load(Path.of("ferret-7b"))) {
 *     Image image = ImageFactory.getInstance().fromFile(Path.of("kitchen.jpg"));
 *     FerretAnswer a = ferret.refer(image, new Region.Box(40, 60, 210, 300));
 *     FerretAnswer b = ferret.ground(image, "the man in the white shirt");
 *     b.groundings().forEach(g -> System.out.println(g.phrase() + " " + g.region()));
 * }
 * }</pre>
 *
 * <p>Prompts are built exactly as the reference does (the {@code ferret_v1} template, regions written as
 * {@code [x1, y1, x2, y2] <region_fea>} on the 1000-grid). Images are used as decoded: no EXIF rotation is applied,
 * as in the reference. A {@code Ferret} is thread-safe: the weights are shared and every call has its own
 * key/value cache.
 *
 * <p>It keeps work for later questions (see {@link FerretOptions#imageCacheBytes()} and
 * {@link FerretOptions#prefixCacheBytes()}): an image asked about again is not encoded again, and a prompt that
 * begins with rows computed before (the same image and system prompt, a conversation's earlier turns) starts from
 * copies of their keys and values. Answers are those of a model without caches. {@link #stats()} says what was
 * saved.
 *
 * <p>Close it when done: {@link #close()} frees the weights at once (unmaps the checkpoint files, frees the native
 * arrays), so a service can reload models without waiting for a garbage collection. Closing is safe while other
 * threads use the model: calls begun after it fail with an {@link IllegalStateException}, an answer being generated
 * stops at its next token and fails the same way, and the memory is freed only once every call in flight has
 * left (an image being encoded or a prompt being read is finished first); the caches are freed with it.
 */
public final class Ferret implements AutoCloseable {
    /** The referring question of ml-ferret's point-classification demo, used by {@link #refer(Image, Region)}. */
    public static final String DEFAULT_REFER_QUESTION = "What is the class of object <region>?";

    private final FerretModel model;
    private final FerretOptions options;
    private final ImageCache images;
    private final PrefixCache prefixes;

    private Ferret(FerretModel model, FerretOptions options) {
        this.model = model;
        this.options = options;
        this.images = new ImageCache(options.imageCacheBytes());
        this.prefixes = new PrefixCache(options.prefixCacheBytes());
    }

    /** {@link #load(Path, FerretOptions)} with {@link FerretOptions#defaults()}. */
    public static Ferret load(Path modelDir) {
        return load(modelDir, FerretOptions.defaults());
    }

    /**
     * Opens a Ferret folder: {@code config.json}, the tokenizer files, and the weights as {@code .bin} shards or
     * safetensors. The CLIP tower is found by {@link VisionTowerLocator}. Progress is logged through SLF4J.
     *
     * @throws IllegalArgumentException          for an invalid config or a missing vision tower, naming what to do
     * @throws io.ferret4j.core.weights.CheckpointException for a missing, misshaped or unexpected tensor
     */
    public static Ferret load(Path modelDir, FerretOptions options) {
        return new Ferret(FerretModel.load(modelDir, options), options);
    }

    /** Asks {@link #DEFAULT_REFER_QUESTION} about {@code region}. */
    public FerretAnswer refer(Image image, Region region) {
        return refer(image, region, DEFAULT_REFER_QUESTION);
    }

    /**
     * Asks {@code question} about {@code region}; the question names the region with {@code <region>} (or a
     * literal {@code <region_fea>}), e.g. {@code "What is the object <region> used for?"}.
     */
    public FerretAnswer refer(Image image, Region region, String question) {
        return ask(image, question, List.of(region));
    }

    /**
     * Asks where {@code description} is, as the reference's grounding evaluation does
     * ({@code "What is the location of {description} in the image?"}, commas removed); the answer's
     * {@link FerretAnswer#groundings()} hold the boxes.
     */
    public FerretAnswer ground(Image image, String description) {
        return ask(image, groundingQuestion(description), List.of());
    }

    /**
     * The reference grounding evaluation's question for {@code description}:
     * {@code "What is the location of {description} in the image?"}, commas removed.
     *
     * @throws IllegalArgumentException if nothing is left of the description
     */
    public static String groundingQuestion(String description) {
        String caption = description.replace(",", "").strip();
        if (caption.isEmpty()) {
            throw new IllegalArgumentException("nothing to ground: the description is empty");
        }
        return "What is the location of " + caption + " in the image?";
    }

    /** One question about {@code image}; see {@link Conversation#ask(String, List)}. */
    public FerretAnswer ask(Image image, String question, List<? extends Region> regions) {
        return conversation(image).ask(question, regions);
    }

    /** One question about {@code image} with this answer's own settings; see {@link AskOptions}. */
    public FerretAnswer ask(Image image, String question, List<? extends Region> regions, AskOptions ask) {
        return conversation(image).ask(question, regions, ask);
    }

    /** A multi-turn conversation about {@code image}, which is encoded once, now (or found encoded). */
    public Conversation conversation(Image image) {
        checkOpen();
        long t0 = System.nanoTime();
        FerretModel.EncodedImage encoded = images.encode(bufferedImage(image), model::encode);
        return new Conversation(this, model, encoded, System.nanoTime() - t0);
    }

    /** What the caches have saved so far, what they hold, and how many answers decoded together. */
    public FerretStats stats() {
        return new FerretStats(images.hits(), images.misses(), images.bytes(), prefixes.hits(), prefixes.misses(),
                prefixes.reusedRows(), prefixes.bytes(), model.decodeSteps());
    }

    /** The tokenizer, e.g. to inspect prompts. */
    public LlamaTokenizer tokenizer() {
        return model.tokenizer;
    }

    /** The options this model was loaded with. */
    public FerretOptions options() {
        return options;
    }

    /**
     * Frees the model: refuses new calls, lets the calls in flight end (a generation fails at its next token), then
     * unmaps and frees the weights and frees the caches. A second call does nothing.
     *
     * @throws IllegalStateException if called from inside one of this model's calls (a streaming callback), which
     *                               would wait for itself
     */
    @Override
    public void close() {
        model.close();
        images.close();
        prefixes.close();
    }

    /** The kept key/value rows its answers start from. */
    PrefixCache prefixes() {
        return prefixes;
    }

    void checkOpen() {
        model.checkOpen();
    }

    private static BufferedImage bufferedImage(Image image) {
        if (image.getWrappedImage() instanceof BufferedImage b) {
            return b;
        }
        throw new IllegalArgumentException("expected a DJL image backed by a java.awt BufferedImage (as ImageFactory "
                + "creates by default), got " + image.getWrappedImage().getClass().getName());
    }
}
