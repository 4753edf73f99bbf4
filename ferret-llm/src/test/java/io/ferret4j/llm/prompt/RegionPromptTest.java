package io.ferret4j.llm.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

final class RegionPromptTest {

    @Test
    void replacesPlaceholdersAndKeepsLiteralTokensInOrder() {
        String bound = RegionPrompt.bind("Compare <region> with [1, 2] <region_fea> and <region>.",
                List.of("[538, 132, 970, 719]", "[1, 2]", "[500, 500]"));

        assertThat(bound).isEqualTo("Compare [538, 132, 970, 719] <region_fea> with [1, 2] <region_fea> and [500, 500] <region_fea>.");
    }

    @Test
    void refusesAMismatchedRegionCount() {
        assertThatThrownBy(() -> RegionPrompt.bind("What is <region>?", List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 region slot(s)")
                .hasMessageContaining("0 region(s)");
        assertThatThrownBy(() -> RegionPrompt.bind("What is this?", List.of("[1, 2]")))
                .hasMessageContaining("0 region slot(s)");
    }
}
