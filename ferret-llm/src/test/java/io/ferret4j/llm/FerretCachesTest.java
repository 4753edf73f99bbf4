package io.ferret4j.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import io.ferret4j.core.region.Region;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.llm.generate.GenerationConfig;
import io.ferret4j.llm.tokenizer.LlamaTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image and prefix caches on the golden checkpoint in fp32: every answer equals the answer of a model without
 * caches (ids exactly, first-step logits within 1e-5), the rows reused are exactly the rows two prompts share, and
 * a changed region, image or history ends the shared prefix where it changes.
 */
final class FerretCachesTest {
    private static final double LOGITS_ATOL = 1e-5;
    private static final int IMAGE_ROWS = 576;
    private static final int REGION_TOKEN = 32000;

    private static Ferret cached;
    private static Ferret plain;
    private static Image image;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws Exception {
        FerretOptions options = FerretOptions.defaults().withMaxNewTokens(6).withDeterministicSampler(true);
        cached = Ferret.load(Goldens.path("ferret/checkpoint"),
                options.withPrefixCacheBytes(FerretOptions.DEFAULT_SERVE_PREFIX_CACHE_BYTES));
        plain = Ferret.load(Goldens.path("ferret/checkpoint"), options.withImageCacheBytes(0).withPrefixCacheBytes(0));
        image = ImageFactory.getInstance().fromFile(Goldens.path("clip/images/bathroom.jpg"));
    }

    @AfterAll
    static void close() {
        cached.close();
        plain.close();
    }

    @Test
    void groundAndReferAnswerAsWithoutCachesAndReuseTheImageRows() {
        FerretAnswer ground = assertSameAnswer(image, "What is the location of the white bathtub in the image?",
                List.of());
        FerretStats before = cached.stats();
        FerretAnswer refer = assertSameAnswer(image, "Is the object <region> of the image a sink or a mirror?",
                List.of(new Region.Box(330, 60, 600, 320)));
        FerretStats after = cached.stats();

        assertThat(after.imageCacheHits() - before.imageCacheHits()).isEqualTo(1);
        assertThat(after.prefixCacheHits() - before.prefixCacheHits()).isEqualTo(1);
        assertThat(after.prefixReusedRows() - before.prefixReusedRows())
                .as("the second question reuses at least the system prompt and the image rows")
                .isGreaterThanOrEqualTo(imagePosition(refer.inputIds()) + IMAGE_ROWS)
                .isEqualTo(sharedRows(ground, refer.inputIds()));
        assertThat(plain.stats().prefixReusedRows()).isZero();
        assertThat(plain.stats().imageCacheBytes()).isZero();
        assertThat(after.imageCacheBytes()).isPositive();
        assertThat(after.prefixCacheBytes()).isPositive();
    }

    @Test
    void aThreeTurnConversationWithRegionsExtendsItsRowsAndAnswersAsWithoutCaches() {
        Conversation withCaches = cached.conversation(image);
        Conversation without = plain.conversation(image);
        List<String> questions = List.of("What is <region>?", "And <region> next to <region>?", "Which is larger?");
        List<List<Region>> regions = List.of(List.of(new Region.Box(10, 10, 50, 50)),
                List.of(new Region.Point(5, 5), new Region.Box(100, 120, 300, 400)), List.of());
        FerretAnswer previous = null;
        for (int turn = 0; turn < 3; turn++) {
            long reusedBefore = cached.stats().prefixReusedRows();
            FerretAnswer a = ask(withCaches, questions.get(turn), regions.get(turn), "cached" + turn);
            FerretAnswer b = ask(without, questions.get(turn), regions.get(turn), "plain" + turn);
            assertSame(a, b, "cached" + turn, "plain" + turn);
            if (previous != null) {
                assertThat(cached.stats().prefixReusedRows() - reusedBefore)
                        .as("turn %d starts after the rows of the turns before", turn + 1)
                        .isGreaterThanOrEqualTo(previous.timings().promptRows())
                        .isEqualTo(sharedRows(previous, a.inputIds()));
            }
            previous = a;
        }
    }

    @Test
    void aDifferentRegionWithTheSameTextEndsTheSharedPrefixAtItsRow() {
        String question = "What is the object <region>?";
        FerretAnswer first = assertSameAnswer(image, question, List.of(mask(false)));
        long reusedBefore = cached.stats().prefixReusedRows();
        FerretAnswer second = assertSameAnswer(image, question, List.of(mask(true)));

        assertThat(second.prompt()).as("both masks have the same box").isEqualTo(first.prompt());
        int regionRow = indexOf(second.inputIds(), REGION_TOKEN) - 1 + IMAGE_ROWS;
        assertThat(cached.stats().prefixReusedRows() - reusedBefore).isEqualTo(regionRow);
    }

    @Test
    void anotherImageMissesTheImageCacheAndSharesOnlyTheRowsBeforeTheImage() throws Exception {
        String question = "What is the location of the mirror in the image?";
        assertSameAnswer(image, question, List.of());
        Image same = ImageFactory.getInstance().fromFile(Goldens.path("clip/images/bathroom.jpg"));
        Image edited = edited(image);
        FerretStats before = cached.stats();
        assertSameAnswer(same, "What is the location of the sink in the image?", List.of());
        FerretStats between = cached.stats();
        FerretAnswer other = assertSameAnswer(edited, question, List.of());
        FerretStats after = cached.stats();

        assertThat(between.imageCacheHits() - before.imageCacheHits()).as("decoded twice, same pixels").isEqualTo(1);
        assertThat(after.imageCacheMisses() - between.imageCacheMisses()).as("one pixel changed").isEqualTo(1);
        assertThat(after.prefixReusedRows() - between.prefixReusedRows()).isEqualTo(imagePosition(other.inputIds()));
    }

    @Test
    void aChangedHistoryEndsTheSharedPrefixWhereTheAnswersDiffer() {
        Conversation asked = cached.conversation(image);
        FerretAnswer first = asked.ask("Name <region>.", List.of(new Region.Box(20, 30, 60, 90)));
        FerretAnswer second = asked.ask("Anything else?", List.of());
        Conversation restored = cached.conversation(image);
        restored.addTurn("Name <region>.", List.of(new Region.Box(20, 30, 60, 90)), "Nothing, really.");
        long reusedBefore = cached.stats().prefixReusedRows();
        FerretAnswer changed = ask(restored, "Anything else?", List.of(), "changed");
        Conversation replayed = plain.conversation(image);
        replayed.addTurn("Name <region>.", List.of(new Region.Box(20, 30, 60, 90)), "Nothing, really.");
        assertSame(changed, ask(replayed, "Anything else?", List.of(), "replayed"), "changed", "replayed");

        long shared = Math.max(sharedRows(first, changed.inputIds()), sharedRows(second, changed.inputIds()));
        assertThat(shared).isLessThan(second.timings().promptRows());
        assertThat(cached.stats().prefixReusedRows() - reusedBefore).isEqualTo(shared);
    }

    @Test
    void eightThreadsAtOnceGetTheAnswersTheyGetOneByOne() throws Exception {
        List<Function<Ferret, FerretAnswer>> questions = new ArrayList<>();
        for (String thing : List.of("the bathtub", "the sink", "the mirror", "the towel")) {
            questions.add(f -> f.ground(image, thing));
        }
        for (Region region : List.of(new Region.Point(100, 200), new Region.Box(300, 50, 600, 300))) {
            questions.add(f -> f.refer(image, region));
        }
        GenerationConfig sampled = new GenerationConfig(6, 0.9, 20, 0.95, 17, List.of(), true);
        for (String thing : List.of("the floor", "the wall")) {
            questions.add(f -> f.ask(image, "Where is " + thing + "?", List.of(),
                    AskOptions.defaults().withGeneration(sampled)));
        }
        List<int[]> alone = new ArrayList<>();
        for (Function<Ferret, FerretAnswer> q : questions) {
            alone.add(q.apply(plain).outputIds());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<FerretAnswer>> together = new ArrayList<>();
            for (Function<Ferret, FerretAnswer> q : questions) {
                together.add(pool.submit(() -> q.apply(cached)));
            }
            for (int i = 0; i < questions.size(); i++) {
                assertThat(together.get(i).get().outputIds()).as("question %d", i).containsExactly(alone.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theDefaultsKeepEncodedImagesButNoPrefixes() {
        Ferret other = Ferret.load(Goldens.path("ferret/checkpoint"), FerretOptions.defaults().withMaxNewTokens(2));
        try {
            other.ground(image, "the sink");
            other.ground(image, "the sink");

            assertThat(other.stats().imageCacheHits()).isEqualTo(1);
            assertThat(other.stats().prefixCacheBytes()).isZero();
            assertThat(other.stats().prefixReusedRows()).isZero();
        } finally {
            other.close();
        }
    }

    @Test
    void closingFreesTheCaches() {
        Ferret other = Ferret.load(Goldens.path("ferret/checkpoint"), FerretOptions.defaults().withMaxNewTokens(2)
                .withPrefixCacheBytes(FerretOptions.DEFAULT_SERVE_PREFIX_CACHE_BYTES));
        other.ground(image, "the sink");
        assertThat(other.stats().prefixCacheBytes()).isPositive();
        other.close();

        assertThat(other.stats().imageCacheBytes()).isZero();
        assertThat(other.stats().prefixCacheBytes()).isZero();
    }

    private FerretAnswer assertSameAnswer(Image img, String question, List<Region> regions) {
        FerretAnswer a = ask(cached.conversation(img), question, regions, "cached");
        FerretAnswer b = ask(plain.conversation(img), question, regions, "plain");
        assertSame(a, b, "cached", "plain");
        return a;
    }

    private FerretAnswer ask(Conversation chat, String question, List<Region> regions, String dump) {
        return chat.ask(question, regions, AskOptions.defaults().withDump(dir.resolve(dump + ".safetensors")));
    }

    private void assertSame(FerretAnswer a, FerretAnswer b, String dumpA, String dumpB) {
        assertThat(a.prompt()).isEqualTo(b.prompt());
        assertThat(a.outputIds()).containsExactly(b.outputIds());
        try (SafeTensors x = SafeTensors.open(dir.resolve(dumpA + ".safetensors"));
             SafeTensors y = SafeTensors.open(dir.resolve(dumpB + ".safetensors"))) {
            float[] la = x.get("first_step_logits").toFloatArray().data().asFloat();
            float[] lb = y.get("first_step_logits").toFloatArray().data().asFloat();
            assertThat(la).hasSameSizeAs(lb);
            double maxDiff = 0;
            for (int i = 0; i < la.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(la[i] - lb[i]));
            }
            assertThat(maxDiff).as("first-step logits, largest difference").isLessThanOrEqualTo(LOGITS_ATOL);
        }
    }

    /**
     * Rows an earlier answer's kept rows share with a prompt of {@code ids}: its prompt, then its generated ids but
     * the last, which was never fed back.
     */
    private static long sharedRows(FerretAnswer earlier, int[] ids) {
        int[] fed = earlier.outputIds();
        int[] kept = concat(earlier.inputIds(), Arrays.copyOf(fed, fed.length - 1));
        int n = 0;
        while (n < Math.min(kept.length, ids.length) && kept[n] == ids[n]) {
            n++;
        }
        return n > imagePosition(ids) ? n - 1 + IMAGE_ROWS : n;
    }

    private static int imagePosition(int[] ids) {
        return indexOf(ids, LlamaTokenizer.IMAGE_TOKEN_INDEX);
    }

    private static int indexOf(int[] ids, int id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        throw new AssertionError("no id " + id);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A mask of the box (200, 100)–(400, 300): filled, or only its left half plus the opposite corner. */
    private static Region.Mask mask(boolean leftHalf) {
        int width = 615;
        int height = 446;
        BitSet bits = new BitSet(width * height);
        for (int y = 100; y <= 300; y++) {
            for (int x = 200; x <= (leftHalf ? 300 : 400); x++) {
                bits.set(y * width + x);
            }
        }
        bits.set(300 * width + 400);
        return new Region.Mask(width, height, bits);
    }

    private static Image edited(Image original) {
        BufferedImage src = (BufferedImage) original.getWrappedImage();
        BufferedImage copy = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        copy.getGraphics().drawImage(src, 0, 0, null);
        copy.setRGB(10, 10, copy.getRGB(10, 10) ^ 0x00ffffff);
        return ImageFactory.getInstance().fromImage(copy);
    }
}
