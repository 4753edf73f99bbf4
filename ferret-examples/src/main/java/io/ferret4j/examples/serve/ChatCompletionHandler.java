package io.ferret4j.examples.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import ai.djl.modality.cv.ImageFactory;
import io.ferret4j.llm.AskOptions;
import io.ferret4j.llm.Conversation;
import io.ferret4j.llm.FerretAnswer;
import io.ferret4j.llm.generate.StopReason;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/chat/completions}: reads the request, waits for a generation slot, restores the earlier turns,
 * answers the last question with the request's settings, and replies with one {@code chat.completion} or a stream
 * of chunks. Generation runs on an {@link Admission} worker thread and stops at the next token when the client goes
 * away (a stream's write fails, or the {@link ClientWatch} sees the connection closed) or {@code --timeout} passes.
 */
final class ChatCompletionHandler implements Handler {
    private static final Logger LOG = LoggerFactory.getLogger(ChatCompletionHandler.class);

    private final ModelSlot model;
    private final ServeLimits limits;
    private final Admission admission;
    private final ServerStats stats;
    private final ClientWatch clients;
    private final ChatRequestParser parser;

    ChatCompletionHandler(ModelSlot model, ServeLimits limits, Admission admission, ServerStats stats,
                          ClientWatch clients) {
        this.model = model;
        this.limits = limits;
        this.admission = admission;
        this.stats = stats;
        this.clients = clients;
        this.parser = new ChatRequestParser(limits);
    }

    @Override
    public void handle(Context ctx) {
        RequestRecord record = RequestRecord.of(ctx);
        ModelSlot.Loaded loaded = model.loaded().orElseThrow(() ->
                ApiException.unavailable("loading", "the model is still loading; retry shortly", 5));
        ChatRequest request = parser.parse(body(ctx), loaded.contextLength());
        record.regions(request.regionCount());
        String id = "chatcmpl-" + record.id();
        long created = Instant.now().getEpochSecond();
        String modelName = request.modelOr(model.id());
        SseStream stream = request.stream() ? new SseStream(ctx.res(), id, created, modelName) : null;
        long deadline = record.startNanos() + limits.timeout().toNanos();
        FerretAnswer answer;
        boolean gone;
        try (ClientWatch.Watch client = clients.watch(ctx)) {
            BooleanSupplier cancelled = () -> client.gone() || (stream != null && stream.broken())
                    || System.nanoTime() > deadline;
            answer = admission.run(deadline, stats.retryAfterSeconds(), () -> {
                long start = System.nanoTime();
                FerretAnswer a = ask(loaded, request, record, stream, cancelled);
                if (a.stopReason() != StopReason.CANCELLED) {
                    stats.recordCompleted(System.nanoTime() - start);
                }
                return a;
            });
            gone = client.gone() || (stream != null && stream.broken());
        } catch (ApiException e) {
            if ("overloaded".equals(e.body().error().code())) {
                stats.recordRejected();
            } else if ("timeout".equals(e.body().error().code())) {
                stats.recordTimedOut();
            }
            throw e;
        } catch (RuntimeException e) {
            if (stream == null || !stream.started()) {
                throw e;
            }
            LOG.error("request {} failed while streaming", record.id(), e);
            stream.fail(ApiException.internal(record.id()));
            return;
        }
        record.tokens(answer.timings().promptRows(), answer.outputIds().length);
        if (answer.stopReason() == StopReason.CANCELLED) {
            cancelled(record, stream, gone, answer.outputIds().length);
        } else if (stream != null) {
            stream.finish(answer, request.includeUsage());
        } else {
            ctx.contentType("application/json").result(Json.bytes(
                    ChatResponses.completion(id, created, modelName, answer)));
        }
    }

    private FerretAnswer ask(ModelSlot.Loaded loaded, ChatRequest request, RequestRecord record, SseStream stream,
                             BooleanSupplier cancelled) {
        Consumer<String> onText = stream == null ? text -> record.text() : text -> {
            record.text();
            stream.text(text);
        };
        AskOptions options = AskOptions.defaults()
                .withGeneration(request.sampling().resolve(loaded.ferret().options().generation()))
                .withStopStrings(request.sampling().stop())
                .withOnText(onText)
                .withCancellation(cancelled);
        try {
            Conversation conversation = loaded.ferret().conversation(ImageFactory.getInstance()
                    .fromImage(request.image()));
            for (ChatRequest.Turn turn : request.history()) {
                conversation.addTurn(turn.question().text(), turn.question().regions(), turn.answer());
            }
            return conversation.ask(request.question().text(), request.question().regions(), options);
        } catch (IllegalArgumentException e) {
            // the checks only the model can make: the prompt and max_tokens against its context
            throw ApiException.invalid("messages", e.getMessage());
        }
    }

    private void cancelled(RequestRecord record, SseStream stream, boolean gone, int tokens) {
        if (gone) {
            stats.recordDisconnected(tokens);
            record.outcome("disconnected");
            return;
        }
        stats.recordTimedOut();
        record.outcome("timeout");
        ApiException timeout = ApiException.timedOut("the answer took longer than the server's --timeout of "
                + limits.timeout());
        if (stream != null && stream.started()) {
            stream.fail(timeout);
            return;
        }
        throw timeout;
    }

    private byte[] body(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > limits.maxBodyBytes()) {
            throw tooLarge(declared + " bytes");
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxBodyBytes() + 1));
            if (body.length > limits.maxBodyBytes()) {
                throw tooLarge("more than " + limits.maxBodyBytes() + " bytes");
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body", e);
        }
    }

    private ApiException tooLarge(String size) {
        return ApiException.tooLarge(null, "the request body is " + size + ", more than the limit of "
                + limits.maxBodyBytes() + " bytes (--max-body-bytes)");
    }
}
