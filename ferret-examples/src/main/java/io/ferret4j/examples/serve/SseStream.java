package io.ferret4j.examples.serve;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import io.ferret4j.llm.FerretAnswer;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A streamed answer as Server-Sent Events: {@code chat.completion.chunk} deltas, the last chunk with the groundings
 * and the finish reason, then {@code data: [DONE]}. Nothing is sent before the first text, so an error found before
 * generation (a prompt beyond the context) is still an ordinary JSON error. A failed write means the client has
 * gone: {@link #broken()} turns true and the generation is cancelled at the next token. Used by one thread at a
 * time.
 */
final class SseStream {
    private final HttpServletResponse response;
    private final String id;
    private final long created;
    private final String model;
    private OutputStream out;
    private boolean broken;

    SseStream(HttpServletResponse response, String id, long created, String model) {
        this.response = response;
        this.id = id;
        this.created = created;
        this.model = model;
    }

    /** Sends the next piece of text (the first call also sends the headers and the role). */
    void text(String delta) {
        start();
        send(ChatResponses.chunk(id, created, model, new ChatResponses.Delta(null, delta, null)));
    }

    /** Sends the last chunk, the usage if asked, and {@code [DONE]}. */
    void finish(FerretAnswer answer, boolean includeUsage) {
        start();
        send(ChatResponses.lastChunk(id, created, model, answer));
        if (includeUsage) {
            send(ChatResponses.usageChunk(id, created, model, answer));
        }
        sendData("[DONE]");
    }

    /** Ends a started stream with an error event and {@code [DONE]}. */
    void fail(ApiException error) {
        send(error.body());
        sendData("[DONE]");
    }

    /** Whether anything has been sent: from then on errors go in the stream. */
    boolean started() {
        return out != null;
    }

    /** Whether the client has gone away. */
    boolean broken() {
        return broken;
    }

    private void start() {
        if (out != null || broken) {
            return;
        }
        response.setStatus(200);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        try {
            out = response.getOutputStream();
        } catch (IOException e) {
            broken = true;
            return;
        }
        send(ChatResponses.chunk(id, created, model, new ChatResponses.Delta("assistant", "", null)));
    }

    private void send(Object event) {
        sendData(new String(Json.bytes(event), StandardCharsets.UTF_8));
    }

    private void sendData(String data) {
        if (broken || out == null) {
            return;
        }
        try {
            out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            broken = true;
        }
    }
}
