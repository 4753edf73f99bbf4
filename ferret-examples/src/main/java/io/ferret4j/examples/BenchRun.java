package io.ferret4j.examples;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;

import io.ferret4j.core.backend.CudaCapability;
import io.ferret4j.core.region.Region;
import io.ferret4j.encoder.ImageFiles;
import io.ferret4j.llm.Conversation;
import io.ferret4j.llm.Ferret;
import io.ferret4j.llm.FerretAnswer;
import io.ferret4j.llm.FerretOptions;
import io.ferret4j.llm.Timings;
import io.ferret4j.llm.generate.DecodeSteps;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The measured half of {@code ferret bench}, run in a JVM of its own so that its peak RSS covers only what a user's
 * process does (start, load, answer) and nothing of writing the random checkpoint: loads a model folder, answers
 * the refer prompt about the photo (this pages the weights in), then about its mirror image (a new image: its
 * figures are the encode, prefill and decode speeds, and {@code first_token_s}), then about another region of the
 * mirror image ({@code followup_first_token_s}: the image and the prompt rows before the region come from the
 * caches), then 1, 2, 4 and 8 questions at once about other regions of it ({@code decode_tokens_per_s_at_concurrency}:
 * the tokens per second, summed over the answers, of the decoding steps that advanced all of them at once), and
 * writes its timings as one JSON object to a file. {@code prompt_rows} counts the rows the
 * prefill computed, without the rows it found in the prefix cache.
 */
final class BenchRun {
    static final String QUESTION = "Is the object <region> of the image a sink or a mirror?";
    static final Region REGION = new Region.Box(331, 59, 597, 321);
    static final Region FOLLOWUP_REGION = new Region.Box(20, 40, 300, 420);
    static final int[] CONCURRENCY = {1, 2, 4, 8};

    /**
     * What the measuring JVM is asked to do.
     *
     * @param modelFlags the format options as {@code ferret ask} takes them ({@link FormatOptions#toArgs()})
     */
    record Request(Path model, int threads, int newTokens, Path image, Path result, List<String> modelFlags) {
        List<String> toArgs() {
            List<String> args = new ArrayList<>(List.of(model.toString(), Integer.toString(threads),
                    Integer.toString(newTokens), image.toString(), result.toString()));
            args.addAll(modelFlags);
            return args;
        }

        static Request fromArgs(String[] a) {
            if (a.length < 5) {
                throw new IllegalArgumentException("expected the model, threads, new tokens, image and result, then "
                        + "model options; got " + a.length + " arguments");
            }
            return new Request(Path.of(a[0]), Integer.parseInt(a[1]), Integer.parseInt(a[2]), Path.of(a[3]),
                    Path.of(a[4]), List.of(a).subList(5, a.length));
        }
    }

    private BenchRun() {
    }

    public static void main(String[] args) throws IOException {
        Request q = Request.fromArgs(args);
        CudaCapability.checkVisibleGpus();                             // before ND4J loads its backend
        Nd4j.factory().blas().setMaxThreads(q.threads());
        Files.writeString(q.result(), AnswerOutput.JSON.valueToTree(measure(q)).toString());
    }

    /**
     * Runs {@code request} in a fresh JVM started with this one's executable, JVM options and class path, and
     * returns the figures it wrote.
     *
     * @throws IllegalStateException if the child fails, naming its exit code
     */
    static Map<String, Object> inChildJvm(Request request) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java executable runs this JVM")));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BenchRun.class.getName());
        command.addAll(request.toArgs());
        try {
            Process p = new ProcessBuilder(command).inheritIO().start();
            int code = p.waitFor();
            if (code != 0) {
                throw new IllegalStateException("the measuring JVM failed with exit code " + code);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> r = AnswerOutput.JSON.readValue(request.result().toFile(), LinkedHashMap.class);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the measuring JVM", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the measuring JVM ran", e);
        }
    }

    private static Map<String, Object> measure(Request q) {
        Map<String, Object> r = new LinkedHashMap<>();
        Image image = ImageFactory.getInstance().fromImage(ImageFiles.read(q.image()));
        long t0 = System.nanoTime();
        FerretOptions options = options(q.modelFlags()).withMaxNewTokens(q.newTokens()).withDeterministicSampler(true);
        try (Ferret ferret = Ferret.load(q.model(), options)) {
            r.put("load_s", (System.nanoTime() - t0) / 1e9);
            ask(ferret, image, REGION);
            Image mirrored = mirrored(image);
            long reused = ferret.stats().prefixReusedRows();
            Timings t = ask(ferret, mirrored, REGION);
            int computed = t.promptRows() - (int) (ferret.stats().prefixReusedRows() - reused);
            r.put("encode_ms", t.encodeNanos() / 1e6);
            r.put("sampler_ms", t.regionNanos() / 1e6);
            r.put("prompt_rows", computed);
            r.put("prefill_tokens_per_s", computed / (t.prefillNanos() / 1e9));
            r.put("decode_tokens_per_s", t.decodeTokensPerSecond());
            r.put("first_token_s", firstTokenSeconds(t));
            reused = ferret.stats().prefixReusedRows();
            Timings followup = ask(ferret, mirrored, FOLLOWUP_REGION);
            r.put("followup_first_token_s", firstTokenSeconds(followup));
            r.put("followup_encode_ms", followup.encodeNanos() / 1e6);
            r.put("followup_sampler_ms", followup.regionNanos() / 1e6);
            r.put("followup_prefill_ms", followup.prefillNanos() / 1e6);
            r.put("followup_reused_rows", ferret.stats().prefixReusedRows() - reused);
            r.put("followup_prompt_rows", followup.promptRows());
            Map<String, Double> throughput = new LinkedHashMap<>();
            for (int answers : CONCURRENCY) {
                throughput.put(Integer.toString(answers), decodeThroughput(ferret, mirrored, answers));
                if (answers == 4) {
                    r.put("peak_rss_bytes_through_concurrency_4", peakRss());
                }
            }
            r.put("decode_tokens_per_s_at_concurrency", throughput);
            Map<String, Long> steps = new LinkedHashMap<>();
            ferret.stats().decodeSteps().forEach((size, s) -> steps.put(Integer.toString(size), s.steps()));
            r.put("decode_steps_by_size", steps);
            r.put("peak_rss_bytes", peakRss());
        }
        return r;
    }

    /** The options {@code ferret ask} would build from the format options {@code modelFlags}. */
    static FerretOptions options(List<String> modelFlags) {
        return FormatOptions.parse(modelFlags).applyTo(FerretOptions.defaults());
    }

    private static Timings ask(Ferret ferret, Image image, Region region) {
        Conversation c = ferret.conversation(image);
        FerretAnswer a = c.ask(QUESTION, List.of(region));
        return a.timings();
    }

    /**
     * {@code answers} questions at once about other regions of {@code image}: the tokens per second, summed, of the
     * decoding steps that advanced all of them (NaN if their prompts never let all decode at once).
     */
    private static double decodeThroughput(Ferret ferret, Image image, int answers) {
        DecodeSteps before = ferret.stats().decodeSteps().getOrDefault(answers, new DecodeSteps(0, 0));
        ExecutorService pool = Executors.newFixedThreadPool(answers);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Timings>> asked = new ArrayList<>();
            for (int i = 0; i < answers; i++) {
                Region region = new Region.Box(20 + 30 * i, 40, 300 + 30 * i, 420);
                asked.add(pool.submit(() -> {
                    go.await();
                    return ask(ferret, image, region);
                }));
            }
            go.countDown();
            for (Future<Timings> f : asked) {
                f.get();
            }
            DecodeSteps after = ferret.stats().decodeSteps().getOrDefault(answers, new DecodeSteps(0, 0));
            return new DecodeSteps(after.steps() - before.steps(), after.nanos() - before.nanos())
                    .tokensPerSecond(answers);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring concurrent answers", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a concurrent answer failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** From the call to the first token: the image (encoded or found), the regions and the prefill. */
    private static double firstTokenSeconds(Timings t) {
        return (t.encodeNanos() + t.regionNanos() + t.prefillNanos()) / 1e9;
    }

    /** {@code image} mirrored left to right: the same size, other pixels. */
    private static Image mirrored(Image image) {
        BufferedImage src = (BufferedImage) image.getWrappedImage();
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < src.getHeight(); y++) {
            for (int x = 0; x < src.getWidth(); x++) {
                out.setRGB(src.getWidth() - 1 - x, y, src.getRGB(x, y));
            }
        }
        return ImageFactory.getInstance().fromImage(out);
    }

    /** The kernel's high-water mark of this process's resident set ({@code VmHWM}). */
    private static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
            throw new IllegalStateException("/proc/self/status has no VmHWM line");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/status", e);
        }
    }
}
