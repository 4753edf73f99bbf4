package io.ferret4j.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import io.ferret4j.examples.serve.FerretServer;
import io.ferret4j.examples.serve.ModelSlot;
import io.ferret4j.examples.serve.ServeLimits;
import io.ferret4j.examples.serve.ServeSettings;
import io.ferret4j.llm.Ferret;
import io.ferret4j.llm.FerretOptions;
import io.ferret4j.llm.LlamaConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ferret serve-soak}: serves the demo model in this process and sends it many requests one after another
 * (a region question, then a streamed grounding question, alternately). Every {@value #WARM_UP} requests it prints
 * the process's resident memory, live and committed heap, direct buffers, threads and open files, and at the end
 * compares the last row with the first. It fails if memory
 * grew by more than {@value #TOLERANCE_PERCENT}% or open files grew at all.
 */
@Command(name = "serve-soak", mixinStandardHelpOptions = true,
        description = "Soak ferret serve with the demo model: memory and open files after 100 and after N requests.")
public final class ServeSoakCommand implements Callable<Integer> {
    static final int WARM_UP = 100;
    static final int TOLERANCE_PERCENT = 5;
    private static final int SETTLE_ROUNDS = 3;
    private static final long SETTLE_MILLIS = 500;

    @ParentCommand
    private FerretCli cli;

    @Option(names = "--requests", defaultValue = "1000", description = "requests to send (default: ${DEFAULT-VALUE})")
    int requests;


    /**
     * The process's footprint at one moment.
     *
     * @param rssBytes       resident memory ({@code VmRSS})
     * @param heapBytes      heap in use after a full collection
     * @param heapCommitted  heap reserved from the system
     * @param nonHeapBytes   the JVM's committed metaspace and code cache, which grow as methods are compiled
     * @param directBytes    NIO direct buffers (the HTTP server's and client's buffer pools)
     * @param threads        live threads
     * @param openFiles      entries of {@code /proc/self/fd}
     */
    record Footprint(long rssBytes, long heapBytes, long heapCommitted, long nonHeapBytes, long directBytes, int threads,
                     long openFiles) {
        /** Measured once collections have run and ND4J's deallocator threads have freed what they released. */
        static Footprint now() throws InterruptedException {
            for (int i = 0; i < SETTLE_ROUNDS; i++) {
                System.gc();
                Thread.sleep(SETTLE_MILLIS);
            }
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                    .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
            return new Footprint(readRss(), heap.getUsed(), heap.getCommitted(),
                    ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage().getCommitted(), direct,
                    ManagementFactory.getThreadMXBean().getThreadCount(), countOpenFiles());
        }

        String row(int requests) {
            return String.format("%8d %10.1f %10.1f %10.1f %10.1f %10.1f %8d %8d", requests, mib(rssBytes),
                    mib(heapBytes), mib(heapCommitted), mib(nonHeapBytes), mib(directBytes), threads, openFiles);
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (requests <= WARM_UP || requests % WARM_UP != 0) {
            throw new IllegalArgumentException("--requests must be a multiple of " + WARM_UP + " above it, got "
                    + requests);
        }
        Path dir = BundledFiles.tempDir("ferret-serve-soak");
        try {
            Path model = dir.resolve("tiny-ferret");
            RandomCheckpoint.writeDemo(model);
            Path photo = dir.resolve(BundledFiles.PHOTO);
            BundledFiles.copy(BundledFiles.PHOTO, photo);
            String image = "data:image/jpeg;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(photo));
            ModelSlot slot = new ModelSlot("ferret-demo-random-weights", true);
            ServeSettings settings = new ServeSettings("127.0.0.1", 0, Optional.empty(), ServeLimits.defaults());
            try (FerretServer server = FerretServer.start(settings, slot);
                 Ferret ferret = Ferret.load(model, FerretOptions.defaults().withMaxNewTokens(DemoCommand.DEFAULT_NEW_TOKENS))) {
                slot.ready(ferret, LlamaConfig.fromJson(model.resolve("config.json")).maxPositionEmbeddings());
                return soak(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"), image);
            }
        } finally {
            BundledFiles.deleteTree(dir);
        }
    }

    private int soak(URI uri, String image) throws IOException, InterruptedException {
        PrintStream out = cli.out();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String[] bodies = {body(image, false, "What is the object <region>?",
                ",{\"type\":\"region\",\"region\":{\"box\":[178,76,285,348]}}"),
                body(image, true, "What is the location of the white bathtub in the image?", "")};
        Footprint warm = null;
        Footprint end = null;
        long t0 = System.nanoTime();
        out.printf("%8s %10s %10s %10s %10s %10s %8s %8s%n", "requests", "RSS MiB", "heap MiB", "committed",
                "non-heap", "direct MiB", "threads", "files");
        for (int i = 1; i <= requests; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(bodies[i % 2])).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("request " + i + " answered " + r.statusCode() + ": " + r.body());
            }
            if (i % WARM_UP == 0) {
                end = Footprint.now();
                warm = warm == null ? end : warm;
                out.println(end.row(i));
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.printf("serve-soak: %d requests in %.0f s (%.1f/s) on the demo model; from %d to %d requests: RSS %+.1f%%, "
                + "heap %+.1f%%, open files %+d%n", requests, seconds, requests / seconds, WARM_UP, requests,
                growth(warm.rssBytes(), end.rssBytes()), growth(warm.heapBytes(), end.heapBytes()),
                end.openFiles() - warm.openFiles());
        boolean ok = growth(warm.rssBytes(), end.rssBytes()) <= TOLERANCE_PERCENT
                && growth(warm.heapBytes(), end.heapBytes()) <= TOLERANCE_PERCENT
                && end.openFiles() <= warm.openFiles();
        out.println(ok ? "PASS: within " + TOLERANCE_PERCENT + "% and no more open files"
                : "FAIL: memory grew by more than " + TOLERANCE_PERCENT + "% or files were left open");
        return ok ? 0 : 1;
    }

    private static String body(String image, boolean stream, String question, String regionPart) {
        return "{\"max_tokens\":12,\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + image + "\"}},"
                + "{\"type\":\"text\",\"text\":\"" + question + "\"}" + regionPart + "]}]}";
    }

    private static double growth(long before, long after) {
        return 100.0 * (after - before) / before;
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    private static long readRss() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            String line = lines.filter(l -> l.startsWith("VmRSS:")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("/proc/self/status has no VmRSS line"));
            return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        } catch (IOException e) {
            throw new UncheckedIOException("serve-soak reads Linux's /proc/self/status", e);
        }
    }

    private static long countOpenFiles() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException("serve-soak reads Linux's /proc/self/fd", e);
        }
    }
}
