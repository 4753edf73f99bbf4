package io.ferret4j.examples.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import ai.djl.modality.cv.ImageFactory;
import com.fasterxml.jackson.databind.JsonNode;
import io.ferret4j.core.config.ConfigJson;
import io.ferret4j.core.region.Region;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.llm.AskOptions;
import io.ferret4j.llm.Conversation;
import io.ferret4j.llm.FerretAnswer;
import io.ferret4j.llm.generate.GenerationConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The reference's ground and refer cases over HTTP give the golden greedy text, whole and streamed. */
final class GoldenAnswersOverHttpTest {
    private static GoldenServer server;

    @BeforeAll
    static void start() {
        server = GoldenServer.start(ServeLimits.defaults(), Optional.empty());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ground", "refer"})
    void aWholeAnswerIsTheGoldenText(String name) throws Exception {
        HttpResponse<String> r = server.post(GoldenServer.goldenRequest(name, false));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode answer = ConfigJson.mapper().readTree(r.body());
        assertThat(answer.get("object").asText()).isEqualTo("chat.completion");
        assertThat(answer.get("id").asText()).startsWith("chatcmpl-");
        assertThat(answer.get("model").asText()).isEqualTo("ferret");
        JsonNode choice = answer.get("choices").get(0);
        assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
        assertThat(choice.get("message").get("content").asText()).isEqualTo(GoldenServer.goldenText(name));
        assertThat(choice.get("message").get("groundings").isArray()).isTrue();
        assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
        JsonNode usage = answer.get("usage");
        int promptRows = GoldenServer.CASES.get(name).get("sequence_length_after_image_splice").asInt();
        assertThat(usage.get("prompt_tokens").asInt()).isEqualTo(promptRows);
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(12);
        assertThat(usage.get("total_tokens").asInt()).isEqualTo(promptRows + 12);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ground", "refer"})
    void aStreamedAnswerIsTheGoldenTextInChunksThenDone(String name) throws Exception {
        HttpResponse<String> r = server.post(GoldenServer.goldenRequest(name, true).replace("\"stream\":true",
                "\"stream\":true,\"stream_options\":{\"include_usage\":true}"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        List<String> events = events(r.body());
        assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        List<JsonNode> chunks = new ArrayList<>();
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode chunk = ConfigJson.mapper().readTree(e);
            assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
            chunks.add(chunk);
            JsonNode choices = chunk.get("choices");
            if (!choices.isEmpty()) {
                text.append(choices.get(0).get("delta").path("content").asText(""));
            }
        }
        assertThat(text.toString()).isEqualTo(GoldenServer.goldenText(name));
        assertThat(chunks.get(0).get("choices").get(0).get("delta").get("role").asText()).isEqualTo("assistant");
        assertThat(chunks.size()).as("role, at least two text deltas, last, usage").isGreaterThan(4);
        JsonNode last = chunks.get(chunks.size() - 2).get("choices").get(0);
        assertThat(last.get("finish_reason").asText()).isEqualTo("length");
        assertThat(last.get("delta").get("groundings").isArray()).isTrue();
        JsonNode usage = chunks.get(chunks.size() - 1);
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.get("usage").get("completion_tokens").asInt()).isEqualTo(12);
    }

    @Test
    void earlierAssistantMessagesAreTheConversationsHistory() throws Exception {
        String box = "{\"type\":\"region\",\"region\":{\"box\":[331,59,597,321]}}";
        String request = "{\"max_tokens\":6,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"" + GoldenServer.IMAGE_URL + "\"}},{\"type\":\"text\",\"text\":\"What is "
                + "<region>?\"}," + box + "]},{\"role\":\"assistant\",\"content\":\"A sink.\"},{\"role\":\"user\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"Is <region> white?\"}," + box + "]}]}";
        Region.Box region = new Region.Box(331, 59, 597, 321);
        Conversation chat = GoldenServer.ferret().conversation(ImageFactory.getInstance().fromFile(
                Goldens.path("clip/images/bathroom.jpg")));
        chat.addTurn("What is <region>?", List.of(region), "A sink.");
        FerretAnswer expected = chat.ask("Is <region> white?", List.of(region),
                AskOptions.defaults().withGeneration(GenerationConfig.greedy(6)));

        HttpResponse<String> r = server.post(request);

        assertThat(ConcurrencyTest.content(r)).isEqualTo(expected.text());
        assertThat(ConfigJson.mapper().readTree(r.body()).get("usage").get("prompt_tokens").asInt())
                .isEqualTo(expected.timings().promptRows());
    }

    @Test
    void aStopTextEndsTheAnswerBeforeIt() throws Exception {
        String golden = GoldenServer.goldenText("ground");
        String stop = golden.substring(golden.indexOf("manual"), golden.indexOf("manual") + 6);
        HttpResponse<String> r = server.post(GoldenServer.goldenRequest("ground", false)
                .replace("\"stream\":false", "\"stream\":false,\"stop\":[\"" + stop + "\"]"));

        JsonNode choice = ConfigJson.mapper().readTree(r.body()).get("choices").get(0);
        assertThat(choice.get("message").get("content").asText()).isEqualTo(golden.substring(0, golden.indexOf(stop)));
        assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
    }

    static List<String> events(String body) {
        List<String> out = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            if (!block.isBlank()) {
                assertThat(block).startsWith("data: ");
                out.add(block.substring("data: ".length()));
            }
        }
        return out;
    }
}
