package io.ferret4j.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.testing.ProcSelf;
import io.ferret4j.core.weights.CheckpointException;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.core.weights.SafeTensorsWriter;
import io.ferret4j.llm.generate.GenerationConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Ferret#close()} on the tiny golden checkpoint (fp16 LLM weights, used in place from the mapped file, and
 * an fp32 CLIP tower): it unmaps and frees the weights, stays flat over many reloads, and is safe against calls in
 * flight.
 */
final class FerretCloseTest {
    private static final String QUESTION = "What is the location of the white bathtub in the image?";
    private static Image image;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadImage() throws IOException {
        image = ImageFactory.getInstance().fromFile(Goldens.path("clip/images/bathroom.jpg"));
    }

    /** A copy of the checkpoint with only {@code weightFile}, at a path no other test maps. */
    private Path checkpoint(String weightFile) throws IOException {
        Path from = Goldens.path("ferret/checkpoint");
        Path to = dir.resolve("model");
        try (Stream<Path> files = Files.walk(from)) {
            for (Path src : (Iterable<Path>) files::iterator) {
                String name = from.relativize(src).toString();
                if ((name.equals("model.safetensors") || name.equals("pytorch_model.bin")) && !name.equals(weightFile)) {
                    continue;
                }
                if (Files.isDirectory(src)) {
                    Files.createDirectories(to.resolve(name));
                } else {
                    Files.copy(src, to.resolve(name));
                }
            }
        }
        return to;
    }

    private static FerretOptions options() {
        return FerretOptions.defaults().withMaxNewTokens(2).withDeterministicSampler(true);
    }

    /** What the process holds; collected first, so the Java heap's own growth and shrinking do not count. */
    private record Held(long residentKib, long openFiles, long threads) {
        static Held now() {
            System.gc();
            return new Held(ProcSelf.residentKib(), ProcSelf.openFiles(), ProcSelf.threads());
        }
    }

    @Test
    void fiftyLoadsAndClosesKeepMemoryFilesThreadsAndMappingsFlat() throws IOException {
        assumeThat(ProcSelf.available()).as("needs Linux /proc").isTrue();
        Path folder = checkpoint("model.safetensors");
        Held warm = null;
        for (int i = 1; i <= 50; i++) {
            try (Ferret ferret = Ferret.load(folder, options())) {
                if (i % 5 == 0) {                                      // answers allocate too; every load would be slow
                    assertThat(ferret.ask(image, QUESTION, List.of()).outputIds()).hasSize(2);
                }
                assertThat(ProcSelf.mappingsUnder(folder)).as("fp16 weights are used in the mapped file").isPositive();
            }
            assertThat(ProcSelf.mappingsUnder(folder)).as("mappings left after close %d", i).isZero();
            if (i == 25) {
                warm = Held.now();
            }
        }
        Held afterFifty = Held.now();

        assertThat(afterFifty.openFiles()).as("open files").isLessThanOrEqualTo(warm.openFiles() + 2);
        assertThat(afterFifty.threads()).as("threads").isLessThanOrEqualTo(warm.threads() + 2);
        assertThat(afterFifty.residentKib()).as("resident KiB after 50 loads, against %d after 25",
                warm.residentKib()).isLessThanOrEqualTo(warm.residentKib() + 32 * 1024);
    }

    @Test
    void closeUnmapsABinCheckpointWithWidenedOrRoundedWeightsToo() throws IOException {
        assumeThat(ProcSelf.available()).as("needs Linux /proc").isTrue();
        Path folder = checkpoint("pytorch_model.bin");
        for (FerretOptions o : List.of(options(), options().withWeightFormat(WeightFormat.F32)
                .withVisionWeightFormat(WeightFormat.F16))) {
            Ferret ferret = Ferret.load(folder, o);
            assertThat(ferret.ask(image, QUESTION, List.of()).outputIds()).hasSize(2);

            ferret.close();
            ferret.close();

            assertThat(ProcSelf.mappingsUnder(folder)).as("mappings left with %s", o.weightFormat()).isZero();
        }
    }

    @Test
    void aLoadThatFailsAfterMappingItsWeightsUnmapsThem() throws IOException {
        assumeThat(ProcSelf.available()).as("needs Linux /proc").isTrue();
        Path folder = checkpoint("model.safetensors");
        Path weights = folder.resolve("model.safetensors");
        Path withExtra = folder.resolve("with-extra.safetensors");
        try (SafeTensors original = SafeTensors.open(Goldens.path("ferret/checkpoint/model.safetensors"))) {
            SafeTensorsWriter writer = new SafeTensorsWriter();
            original.names().forEach(name -> writer.add(name, original.get(name)));
            writer.addF32("model.unexpected", new long[] {1}, new float[] {0});
            writer.write(withExtra);
        }
        Files.move(withExtra, weights, StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(() -> Ferret.load(folder, options())).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.unexpected");
        assertThat(ProcSelf.mappingsUnder(folder)).as("mappings left by the failed load").isZero();
    }

    @Test
    void callsAfterCloseFailClearly() throws IOException {
        Ferret ferret = Ferret.load(checkpoint("model.safetensors"), options());
        Conversation chat = ferret.conversation(image);
        ferret.close();

        assertThatThrownBy(() -> ferret.ground(image, "the sink")).isInstanceOf(IllegalStateException.class)
                .hasMessage("this Ferret is closed");
        assertThatThrownBy(() -> chat.ask(QUESTION, List.of())).isInstanceOf(IllegalStateException.class)
                .hasMessage("this Ferret is closed");
        assertThatThrownBy(() -> ferret.conversation(image)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeEndsAnAnswerInFlightAtItsNextTokenAndFreesOnlyAfterItLeft() throws Exception {
        Ferret ferret = Ferret.load(checkpoint("model.safetensors"), options());
        CountDownLatch streaming = new CountDownLatch(1);
        AskOptions slow = AskOptions.defaults().withGeneration(GenerationConfig.greedy(64)).withOnText(text -> {
            streaming.countDown();
            waitUntilClosing(ferret);
        });
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<FerretAnswer> answer = pool.submit(() -> ferret.ask(image, QUESTION, List.of(), slow));
            assertThat(streaming.await(60, TimeUnit.SECONDS)).as("the answer started").isTrue();

            ferret.close();

            assertThatThrownBy(() -> answer.get(60, TimeUnit.SECONDS)).as("the answer stopped at its next token")
                    .hasCauseInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("this Ferret was closed while answering");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closeFromAStreamingCallbackIsRefusedInsteadOfWaitingForItself() throws IOException {
        try (Ferret ferret = Ferret.load(checkpoint("model.safetensors"), options())) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            FerretAnswer answer = ferret.ask(image, QUESTION, List.of(), AskOptions.defaults().withOnText(text -> {
                try {
                    ferret.close();
                } catch (IllegalStateException e) {
                    failure.compareAndSet(null, e);
                }
            }));

            assertThat(answer.outputIds()).hasSize(2);
            assertThat(failure.get()).hasMessageContaining("from inside one of its calls");
            assertThat(ferret.ground(image, "the sink").outputIds()).as("still open").hasSize(2);
        }
    }

    /** Blocks a streaming callback until {@code ferret} has begun to close (it then refuses new calls). */
    private static void waitUntilClosing(Ferret ferret) {
        while (true) {
            try {
                ferret.checkOpen();
            } catch (IllegalStateException closing) {
                return;
            }
            Thread.onSpinWait();
        }
    }
}
