package io.ferret4j.examples.serve;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ferret serve}'s HTTP server on Javalin (Jetty 12): the OpenAI-compatible
 * {@code POST /v1/chat/completions}, {@code GET /v1/models}, {@code GET /health}, and the web page at {@code /} from
 * the classpath folder {@value #WEB}. Every error is OpenAI's error object; one log line per request. Page and API
 * share one origin and no CORS header is sent, so other sites' pages cannot call it from a browser.
 */
public final class FerretServer implements AutoCloseable {
    /** The classpath folder of the web page. */
    public static final String WEB = "/io/ferret4j/examples/serve/web";
    private static final Logger LOG = LoggerFactory.getLogger(FerretServer.class);
    private static final long IDLE_MARGIN_MILLIS = 30_000;

    private final Javalin app;
    private final Admission admission;
    private final ServerStats stats;
    private final ClientWatch clients;

    private FerretServer(Javalin app, Admission admission, ServerStats stats, ClientWatch clients) {
        this.app = app;
        this.admission = admission;
        this.stats = stats;
        this.clients = clients;
    }

    /** Starts serving {@code model} (which may still be loading: requests then get 503). */
    public static FerretServer start(ServeSettings settings, ModelSlot model) {
        ServerStats stats = new ServerStats();
        ServeLimits limits = settings.limits();
        Admission admission = new Admission(limits.maxConcurrent(), limits.maxQueue());
        ClientWatch clients = ClientWatch.start();
        ChatCompletionHandler chat = new ChatCompletionHandler(model, limits, admission, stats, clients);
        StatusRoutes status = new StatusRoutes(model, admission, stats);
        Javalin app;
        try {
            app = Javalin.create(config -> {
                configure(config, limits);
                routes(config, settings, chat, status);
            }).start(settings.host(), settings.port());
        } catch (RuntimeException e) {                 // a port already taken: stop the threads started for it
            admission.close();
            clients.close();
            throw e;
        }
        for (Connector c : app.jettyServer().server().getConnectors()) {
            if (c instanceof ServerConnector sc) {         // an answer may take up to --timeout without any I/O
                sc.setIdleTimeout(limits.timeout().toMillis() + IDLE_MARGIN_MILLIS);
            }
        }
        return new FerretServer(app, admission, stats, clients);
    }

    private static void routes(JavalinConfig config, ServeSettings settings, ChatCompletionHandler chat,
                               StatusRoutes status) {
        config.routes.before(RequestRecord::begin);
        settings.apiKey().map(ApiKey::new).ifPresent(key -> config.routes.before("/v1/*", ctx -> {
            if (!key.accepts(ctx.header("Authorization"))) {
                ctx.bodyAsBytes();     // read (within the body limit) so the client gets the 401, not a reset
                throw ApiException.unauthorized("missing or wrong API key: send the header "
                        + "'Authorization: Bearer <key>'");
            }
        }));
        config.routes.get("/health", status::health);
        config.routes.get("/v1/models", status::models);
        config.routes.post("/v1/chat/completions", chat);
        config.routes.exception(ApiException.class, FerretServer::error);
        config.routes.exception(HttpResponseException.class, (e, ctx) ->
                error(ApiException.http(e.getStatus(), e.getMessage()), ctx));
        config.routes.exception(Exception.class, (e, ctx) -> {
            String id = RequestRecord.of(ctx).id();
            LOG.error("request {} {} {} failed", id, ctx.method(), ctx.path(), e);
            error(ApiException.internal(id), ctx);
        });
        config.routes.error(404, ctx -> error(ApiException.notFound("no route for " + ctx.method() + " "
                + ctx.path()), ctx));
        config.requestLogger.http((ctx, ms) -> LOG.info(RequestRecord.of(ctx).line(ctx.method().name(),
                ctx.path(), ctx.statusCode())));
    }

    private static void configure(JavalinConfig config, ServeLimits limits) {
        config.startup.showJavalinBanner = false;
        config.http.maxRequestSize = limits.maxBodyBytes();
        config.staticFiles.add(files -> {
            files.hostedPath = "/";
            files.directory = WEB;
            files.location = Location.CLASSPATH;
        });
    }

    private static void error(ApiException e, Context ctx) {
        ErrorBody.Error body = e.body().error();
        RequestRecord.of(ctx).outcome(body.code() + (body.param() == null ? "" : " param=" + body.param()));
        ctx.status(e.status()).contentType("application/json").result(Json.bytes(e.body()));
        e.retryAfterSeconds().ifPresent(s -> ctx.header("Retry-After", Long.toString(s)));
    }

    /** The port listened on (useful when started on port 0). */
    public int port() {
        return app.port();
    }

    /** What the server has done so far. */
    public ServerStats stats() {
        return stats;
    }

    /** Stops listening and the generation workers; requests in progress are ended. */
    @Override
    public void close() {
        app.stop();
        admission.close();
        clients.close();
    }
}
