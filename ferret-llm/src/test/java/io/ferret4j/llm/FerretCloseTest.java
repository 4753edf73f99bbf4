package io.ferret4j.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
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
import io.ferret4j.core.plan.Engine;
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
    /**
     * What the process holds outside the JVM's own pools (resident memory less the committed heap, metaspace and
     * code cache, which grow with compilation), its open files and its threads.
     */
    private record Held(long offHeapResidentKib, long openFiles, long threads) {
        /** Measured once collections have run and ND4J's deallocator thread has freed what they released. */
        static Held now() {
            for (int round = 0; round < 3; round++) {
                System.gc();
                pause(300);
            }
            MemoryMXBean jvm = ManagementFactory.getMemoryMXBean();
            long jvmKib = (jvm.getHeapMemoryUsage().getCommitted() + jvm.getNonHeapMemoryUsage().getCommitted()) / 1024;
            return new Held(ProcSelf.residentKib() - jvmKib, ProcSelf.openFiles(), ProcSelf.threads());
        }
    }

    /**
     * The mappings of {@code folder} left once {@code closed} is closed. A mapping that a loader dropped before close
     * (a tensor widened to another format) is the collector's to unmap, whenever it runs: those are waited for, while
     * {@code closed} stays reachable, so that whatever the closed model still references must have been unmapped by
     * its close.
     */
    private static long mappingsLeftAfterClose(Ferret closed, Path folder) {
        long left = ProcSelf.mappingsUnder(folder);
        for (int round = 0; left > 0 && round < 10; round++) {
            System.gc();
            pause(100);
            left = ProcSelf.mappingsUnder(folder);
        }
        Reference.reachabilityFence(closed);
        return left;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void fiftyLoadsAndClosesKeepMemoryFilesThreadsAndMappingsFlat() throws IOException {
        assumeThat(ProcSelf.available()).as("needs Linux /proc").isTrue();
        Path folder = checkpoint("model.safetensors");
        Held warm = null;
        for (int i = 1; i <= 50; i++) {
            Ferret ferret = Ferret.load(folder, options());
            if (i % 5 == 0) {                                          // answers allocate too; every load would be slow
                assertThat(ferret.ask(image, QUESTION, List.of()).outputIds()).hasSize(2);
            }
            assertThat(ProcSelf.mappingsUnder(folder)).as("fp16 weights are used in the mapped file").isPositive();
            ferret.close();
            assertThat(mappingsLeftAfterClose(ferret, folder)).as("mappings left after close %d", i).isZero();
            if (i == 25) {
                warm = Held.now();
            }
        }
        Held afterFifty = Held.now();

        assertThat(afterFifty.openFiles()).as("open files").isLessThanOrEqualTo(warm.openFiles() + 2);
        assertThat(afterFifty.threads()).as("threads").isLessThanOrEqualTo(warm.threads() + 2);
        assertThat(afterFifty.offHeapResidentKib()).as("resident KiB outside the heap after 50 loads, against %d after 25",
                warm.offHeapResidentKib()).isLessThanOrEqualTo(warm.offHeapResidentKib() + 32 * 1024);
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

            assertThat(mappingsLeftAfterClose(ferret, folder)).as("mappings left with %s", o.weightFormat()).isZero();
        }
    }

    @Test
    void closeUnmapsTheNd4jEnginesCheckpointToo() throws IOException {
        assumeThat(ProcSelf.available()).as("needs Linux /proc").isTrue();
        Path folder = checkpoint("model.safetensors");
        Ferret ferret = Ferret.load(folder, options().withEngine(Engine.ND4J).withVisionWeightFormat(WeightFormat.F16));
        assertThat(ferret.ask(image, QUESTION, List.of()).outputIds()).hasSize(2);

        ferret.close();

        assertThat(mappingsLeftAfterClose(ferret, folder)).as("mappings left with HALF weights").isZero();
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
