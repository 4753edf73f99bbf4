package io.ferret4j.examples;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.ferret4j.examples.serve.FerretServer;
import io.ferret4j.examples.serve.ModelSlot;
import io.ferret4j.examples.serve.ServeLimits;
import io.ferret4j.examples.serve.ServeSettings;
import io.ferret4j.llm.Ferret;
import io.ferret4j.llm.FerretOptions;
import io.ferret4j.llm.LlamaConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ferret serve}: an OpenAI-compatible chat-completions server that also takes regions, and the web page to
 * draw them. Listens on loopback unless told otherwise; {@code --demo} serves the demo's tiny random-weight model.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        defaultValueProvider = ServeCommand.Defaults.class,
        description = "Serve Ferret over HTTP: OpenAI's chat-completions API with regions, and a web page at /.")
public final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);
    private static final ServeLimits DEFAULTS = ServeLimits.defaults();

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "the Ferret checkpoint folder (or --demo)")
    Path model;

    @Option(names = "--vision-tower", paramLabel = "DIR",
            description = "the CLIP ViT-L/14@336 folder, where it is not found from the checkpoint's config")
    Path visionTower;

    @Mixin
    GenerationOptions generation;

    @Mixin
    FormatOptions formats;

    @Option(names = "--demo", description = "serve ferret demo's tiny RANDOM-weight model (meaningless answers)")
    boolean demo;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "interface to listen on (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "port (default: ${DEFAULT-VALUE}; 0 = any free port)")
    int port;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "require 'Authorization: Bearer KEY' on /v1 (default: the FERRET_API_KEY variable, if set)")
    String apiKey;

    @Option(names = "--max-concurrent", paramLabel = "N", description = "answers generated at once, decoded together (default: 4)")
    Integer maxConcurrent;

    @Option(names = "--max-queue", paramLabel = "N", description = "requests waiting; past it 503 (default: 16)")
    Integer maxQueue;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "longest wait plus answer, e.g. 90s, 5m, PT2M (default: 5m)")
    Duration timeout;

    @Option(names = "--max-body-bytes", paramLabel = "N", description = "largest request body (default: 20 MiB)")
    Long maxBodyBytes;

    @Option(names = "--max-image-pixels", paramLabel = "N", description = "largest image, width × height (default: 40 M)")
    Long maxImagePixels;

    @Option(names = "--max-regions", paramLabel = "N", description = "most regions per request (default: 32)")
    Integer maxRegions;

    @Override
    public Integer call() throws InterruptedException {
        if (demo == (model != null)) {
            throw new ParameterException(spec.commandLine(), "give exactly one of --model DIR or --demo");
        }
        Path demoDir = demo ? BundledFiles.tempDir("ferret-serve-demo") : null;
        Path dir = demo ? demoDir.resolve("tiny-ferret") : model;
        FerretOptions options = ModelOptions.ferretOptions(generation, formats, visionTower);
        if (demo && !spec.commandLine().getParseResult().hasMatchedOption("--max-new-tokens")) {
            options = options.withMaxNewTokens(DemoCommand.DEFAULT_NEW_TOKENS);   // the demo's shorter answers
        }
        ModelSlot slot = new ModelSlot(demo ? "ferret-demo-random-weights" : dir.toAbsolutePath().getFileName()
                .toString(), demo);
        FerretServer server = FerretServer.start(settings(), slot);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            if (demoDir != null) {
                BundledFiles.deleteTree(demoDir);
            }
        }, "ferret-serve-shutdown"));
        LOG.info("listening on http://{}:{}/ ; loading {}", host, server.port(), demo ? "the demo model" : dir);
        if (demo) {
            LOG.warn("--demo serves a tiny Ferret with RANDOM weights: it shows the server and the page work, but "
                    + "its answers are meaningless");
            RandomCheckpoint.writeDemo(dir);
        }
        slot.ready(Ferret.load(dir, options), LlamaConfig.fromJson(dir.resolve("config.json")).maxPositionEmbeddings());
        LOG.info("ferret serve: ready at http://{}:{}/", host, server.port());
        new CountDownLatch(1).await();                         // serves until the process is stopped
        return 0;
    }

    private ServeSettings settings() {
        ServeLimits limits = new ServeLimits(
                Optional.ofNullable(maxConcurrent).orElse(DEFAULTS.maxConcurrent()),
                Optional.ofNullable(maxQueue).orElse(DEFAULTS.maxQueue()),
                Optional.ofNullable(timeout).orElse(DEFAULTS.timeout()),
                Optional.ofNullable(maxBodyBytes).orElse(DEFAULTS.maxBodyBytes()),
                Optional.ofNullable(maxImagePixels).orElse(DEFAULTS.maxImagePixels()),
                Optional.ofNullable(maxRegions).orElse(DEFAULTS.maxRegions()));
        Optional<String> key = Optional.ofNullable(apiKey).or(() -> Optional.ofNullable(System.getenv("FERRET_API_KEY")))
                .filter(k -> !k.isEmpty());
        return new ServeSettings(host, port, key, limits);
    }

    /** A page asks follow-up questions about one photo: the prefix cache is on here (1 GiB) unless told otherwise. */
    static final class Defaults extends OptionDefaults {
        Defaults() {
            super(Map.of("--prefix-cache-mib", Long.toString(FerretOptions.DEFAULT_SERVE_PREFIX_CACHE_BYTES >> 20)));
        }
    }
}
