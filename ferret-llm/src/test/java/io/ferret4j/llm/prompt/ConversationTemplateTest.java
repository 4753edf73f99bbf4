package io.ferret4j.llm.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferret4j.core.config.ConfigJson;
import io.ferret4j.core.testing.Goldens;
import org.junit.jupiter.api.Test;

final class ConversationTemplateTest {

    @Test
    void rendersTheReferencePromptsExactly() {
        JsonNode cases = ConfigJson.tree(Goldens.path("ferret/ferret_meta.json")).get("cases");

        assertThat(ConversationTemplate.render(List.of(), "What is the location of the white bathtub in the image?"))
                .isEqualTo(cases.get("ground").get("prompt").asText());
        assertThat(ConversationTemplate.render(List.of(),
                "Is the object [538, 132, 970, 719] <region_fea> of the image a sink or a mirror?"))
                .isEqualTo(cases.get("refer").get("prompt").asText());
    }

    @Test
    void rendersEarlierTurnsWithTheAssistantSeparator() {
        String prompt = ConversationTemplate.render(
                List.of(new ConversationTemplate.Turn("Q1", "A1")), "Q2");

        assertThat(prompt).isEqualTo(ConversationTemplate.SYSTEM + " USER: <image>\nQ1 ASSISTANT: A1</s>USER: Q2 ASSISTANT:");
    }

    @Test
    void refusesAQuestionThatCarriesItsOwnImageToken() {
        assertThatThrownBy(() -> ConversationTemplate.render(List.of(), "<image>\nWhat?"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("<image>");
    }
}
