package io.ferret4j.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class PrecisionTest {
    @Test
    void parsesTheCommandLineSpellingsInAnyCase() {
        assertThat(Precision.parse("fp32")).isEqualTo(Precision.FP32);
        assertThat(Precision.parse("BF16")).isEqualTo(Precision.BF16);
        assertThat(Precision.parse("Bf16")).isEqualTo(Precision.BF16);
    }

    @Test
    void rejectsOtherNamesListingTheValidOnes() {
        assertThatThrownBy(() -> Precision.parse("fp16"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'fp16'").hasMessageContaining("fp32 or bf16");
    }
}
