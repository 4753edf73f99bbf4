package io.ferret4j.examples.serve;

import java.time.Instant;
import java.util.List;

import io.javalin.http.Context;

/** {@code GET /health} (200 once the model has loaded, 503 before) and {@code GET /v1/models}. */
final class StatusRoutes {
    private final ModelSlot model;
    private final Admission admission;
    private final ServerStats stats;
    private final long created = Instant.now().getEpochSecond();

    StatusRoutes(ModelSlot model, Admission admission, ServerStats stats) {
        this.model = model;
        this.admission = admission;
        this.stats = stats;
    }

    /**
     * The server's state.
     *
     * @param status       {@code ok} or {@code loading}
     * @param demo         whether the model's weights are random, so its answers are meaningless
     * @param generating   requests generating now; {@code queued} waiting for a slot
     * @param completed    answers finished since start; {@code disconnected}, {@code timedOut}, {@code rejected}
     *                     count the generations stopped by a client leaving, by the timeout, and the 503s
     */
    record Health(String status, String model, boolean demo, int generating, int queued, long completed,
                  long disconnected, long timedOut, long rejected) {
    }

    /** One entry of {@code /v1/models}, with Ferret's {@code demo} flag. */
    record Model(String id, String object, long created, String ownedBy, boolean demo) {
    }

    /** The {@code /v1/models} list. */
    record Models(String object, List<Model> data) {
    }

    void health(Context ctx) {
        boolean ready = model.loaded().isPresent();
        ctx.status(ready ? 200 : 503).contentType("application/json").result(Json.bytes(new Health(
                ready ? "ok" : "loading", model.id(), model.demo(), admission.active(), admission.waiting(),
                stats.completed(), stats.disconnected(), stats.timedOut(), stats.rejected())));
    }

    void models(Context ctx) {
        ctx.contentType("application/json").result(Json.bytes(new Models("list",
                List.of(new Model(model.id(), "model", created, "ferret4j", model.demo())))));
    }
}
