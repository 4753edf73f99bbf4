package io.ferret4j.examples.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferret4j.core.config.ConfigJson;
import io.ferret4j.core.testing.AtOnce;
import org.junit.jupiter.api.Test;

/** One model serving many clients: same answers as one by one, a bounded queue, and generations that stop. */
final class ConcurrencyTest {
    private static final String[] CASES = {"ground", "refer"};

    @Test
    void eightClientsSendingFiveRequestsEachGetTheAnswersTheyGetOneByOne() throws Exception {
        try (GoldenServer server = GoldenServer.start(ServeLimits.defaults().withConcurrency(2, 40), Optional.empty())) {
            Map<String, String> oneByOne = Map.of("ground", content(server.post(GoldenServer.goldenRequest("ground", false))),
                    "refer", content(server.post(GoldenServer.goldenRequest("refer", true))));
            List<List<String>> answers = AtOnce.run(8, client -> {
                List<String> mine = new ArrayList<>();
                for (int j = 0; j < 5; j++) {
                    String name = CASES[(client + j) % 2];
                    HttpResponse<String> r = server.post(GoldenServer.goldenRequest(name, j % 2 == 1));
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    mine.add(name + ": " + content(r));
                }
                return mine;
            });

            for (int client = 0; client < 8; client++) {
                for (int j = 0; j < 5; j++) {
                    String name = CASES[(client + j) % 2];
                    assertThat(answers.get(client).get(j)).isEqualTo(name + ": " + oneByOne.get(name));
                }
            }
            assertThat(oneByOne.get("ground")).isEqualTo(GoldenServer.goldenText("ground"));
            assertThat(server.stats().completed()).isEqualTo(42);
        }
    }

    @Test
    void pastTheQueueTheSurplusGets503WithRetryAfterAndNothingElseFails() throws Exception {
        try (GoldenServer server = GoldenServer.start(ServeLimits.defaults().withConcurrency(1, 1), Optional.empty())) {
            List<HttpResponse<String>> responses = AtOnce.run(8, client -> server.post(GoldenServer.goldenRequest("ground", false)));

            List<HttpResponse<String>> ok = responses.stream().filter(r -> r.statusCode() == 200).toList();
            List<HttpResponse<String>> busy = responses.stream().filter(r -> r.statusCode() == 503).toList();
            assertThat(ok.size() + busy.size()).as("only 200s and 503s").isEqualTo(8);
            assertThat(ok).hasSizeGreaterThanOrEqualTo(2);
            assertThat(busy).isNotEmpty();
            for (HttpResponse<String> r : ok) {
                assertThat(content(r)).isEqualTo(GoldenServer.goldenText("ground"));
            }
            for (HttpResponse<String> r : busy) {
                assertThat(r.headers().firstValue("Retry-After")).hasValueSatisfying(v ->
                        assertThat(Integer.parseInt(v)).isPositive());
                JsonNode error = ConfigJson.mapper().readTree(r.body()).get("error");
                assertThat(error.get("code").asText()).isEqualTo("overloaded");
                assertThat(error.get("message").asText()).contains("--max-queue");
            }
            assertThat(server.stats().rejected()).isEqualTo(busy.size());
            assertThat(server.get("/health").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aClientThatDisconnectsStopsItsGeneration() throws Exception {
        try (GoldenServer server = GoldenServer.start(ServeLimits.defaults(), Optional.empty())) {
            int maxTokens = 1200;
            String body = GoldenServer.goldenRequest("ground", true).replace("\"stream\":true",
                    "\"stream\":true,\"max_tokens\":" + maxTokens);
            try (Socket socket = send(server, body)) {
                readUntilTextArrives(socket.getInputStream());
            }

            assertGenerationStoppedSoon(server, maxTokens);
        }
    }

    @Test
    void aClientThatLeavesBeforeItsWholeAnswerIsWrittenStopsItsGeneration() throws Exception {
        try (GoldenServer server = GoldenServer.start(ServeLimits.defaults(), Optional.empty())) {
            int maxTokens = 1200;
            String body = GoldenServer.goldenRequest("ground", false).replace("\"stream\":false",
                    "\"stream\":false,\"max_tokens\":" + maxTokens);
            try (Socket socket = send(server, body)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!server.get("/health").body().contains("\"generating\":1") && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(socket.getInputStream().available()).as("nothing is written before the answer").isZero();
            }

            assertGenerationStoppedSoon(server, maxTokens);
        }
    }

    /** Sends {@code body} to the chat route on a raw connection, which the caller closes to leave. */
    private static Socket send(GoldenServer server, String body) throws Exception {
        Socket socket = new Socket("127.0.0.1", server.port());
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        return socket;
    }

    /** The one generation in flight ended as disconnected within a tenth of its tokens, and the server goes on. */
    private static void assertGenerationStoppedSoon(GoldenServer server, int maxTokens) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (server.stats().disconnected() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(server.stats().disconnected()).isEqualTo(1);
        assertThat(server.stats().completed()).isZero();
        assertThat(server.stats().disconnectedTokens()).as("tokens generated before the server noticed")
                .isLessThan(maxTokens / 10);
        assertThat(content(server.post(GoldenServer.goldenRequest("ground", false))))
                .isEqualTo(GoldenServer.goldenText("ground"));
    }

    /** Reads the response until the second event (the first text after the role chunk) has arrived. */
    private static void readUntilTextArrives(InputStream in) throws Exception {
        StringBuilder seen = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (seen.toString().split("data: ", -1).length < 3) {
            int n = in.read(buffer);
            assertThat(n).as("the stream ended early: " + seen).isPositive();
            seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        assertThat(seen.toString()).startsWith("HTTP/1.1 200").contains("text/event-stream");
    }

    /** The answer text of a whole or streamed response. */
    static String content(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        if (r.body().startsWith("data: ")) {
            StringBuilder text = new StringBuilder();
            for (String e : GoldenAnswersOverHttpTest.events(r.body())) {
                if (!e.equals("[DONE]")) {
                    text.append(ConfigJson.mapper().readTree(e).get("choices").get(0).get("delta").path("content").asText(""));
                }
            }
            return text.toString();
        }
        return ConfigJson.mapper().readTree(r.body()).get("choices").get(0).get("message").get("content").asText();
    }

}
