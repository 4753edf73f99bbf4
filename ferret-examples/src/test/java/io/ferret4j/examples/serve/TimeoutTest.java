package io.ferret4j.examples.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferret4j.core.config.ConfigJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code --timeout} stops a generation at the next token, whole or streamed. */
final class TimeoutTest {
    private static GoldenServer server;

    @BeforeAll
    static void start() {
        server = GoldenServer.start(ServeLimits.defaults().withTimeout(Duration.ofMillis(1)), Optional.empty());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aWholeAnswerPastTheTimeoutIs503Timeout() throws Exception {
        HttpResponse<String> r = server.post(GoldenServer.goldenRequest("ground", false));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        JsonNode error = ConfigJson.mapper().readTree(r.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("timeout");
        assertThat(error.get("message").asText()).contains("--timeout of PT0.001S");
        assertThat(r.headers().firstValue("Retry-After")).isEmpty();
    }

    @Test
    void aStreamPastTheTimeoutEndsWithAnErrorEvent() throws Exception {
        HttpResponse<String> r = server.post(GoldenServer.goldenRequest("ground", true));

        assertThat(r.statusCode()).isEqualTo(200);
        List<String> events = GoldenAnswersOverHttpTest.events(r.body());
        assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
        JsonNode error = ConfigJson.mapper().readTree(events.get(events.size() - 2)).get("error");
        assertThat(error.get("code").asText()).isEqualTo("timeout");
        assertThat(server.stats().timedOut()).isPositive();
        assertThat(server.stats().completed()).isZero();
    }
}
