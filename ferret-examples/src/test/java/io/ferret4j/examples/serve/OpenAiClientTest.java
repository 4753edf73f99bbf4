package io.ferret4j.examples.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** langchain4j's OpenAI chat model, pointed at the server, asks about the golden photo and gets Ferret's answer. */
final class OpenAiClientTest {
    private static final String KEY = "sk-test-key";
    private static GoldenServer server;

    @BeforeAll
    static void start() {
        server = GoldenServer.start(ServeLimits.defaults(), Optional.of(KEY));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static OpenAiChatModel client(String key) {
        return OpenAiChatModel.builder().baseUrl(server.uri("/v1").toString()).apiKey(key).modelName("ferret")
                .temperature(0.0).maxRetries(0).build();
    }

    private static UserMessage groundingQuestion() {
        String base64 = GoldenServer.IMAGE_URL.substring(GoldenServer.IMAGE_URL.indexOf(',') + 1);
        return UserMessage.from(ImageContent.from(base64, "image/jpeg"), TextContent.from(GoldenServer.GROUND_QUESTION));
    }

    @Test
    void anOpenAiClientGetsFerretsAnswerAboutAnImage() {
        ChatResponse response = client(KEY).chat(groundingQuestion());

        assertThat(response.aiMessage().text()).isEqualTo(GoldenServer.goldenText("ground"));
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(12);
        assertThat(response.id()).startsWith("chatcmpl-");
    }

    @Test
    void aWrongKeyIsRefused() {
        assertThatThrownBy(() -> client("sk-wrong").chat(groundingQuestion()))
                .hasMessageContaining("missing or wrong API key");
    }
}
