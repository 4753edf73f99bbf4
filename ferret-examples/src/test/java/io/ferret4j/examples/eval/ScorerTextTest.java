package io.ferret4j.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

/** The Python text semantics the scorers depend on: box decoding, phrase matching, int() and float repr. */
final class ScorerTextTest {
    @Test
    void boxesAreRescaledByTruncatingTheFloat64Product() {
        CaptionBoxes boxes = CaptionBoxes.decode("the chair [90, 0, 690, 1000]", 700, 500);

        // 90 * 0.7 = 62.99999999999999 -> 62, where exact arithmetic gives 63
        assertThat(boxes.boxes()).singleElement().isEqualTo(new long[] {62, 0, 482, 500});
        assertThat(boxes.entities()).containsExactly("the chair");
    }

    @Test
    void entitiesRunFromThePreviousDelimiterAndAClosingBracketAloneStillParses() {
        CaptionBoxes boxes = CaptionBoxes.decode("100, 100, 500, 500]. And a dog [0,0,10,10][1,1,2,2]", 1000, 1000);

        // after a box the start moves past the next delimiter: for the last box that is the comma inside it
        assertThat(boxes.entities()).containsExactly("", "And a dog", "");
        assertThat(boxes.boxes()).hasSize(3);
    }

    @Test
    void oneUnparsableBoxDropsTheAnswerAndAShortBoxIsAnError() {
        assertThatThrownBy(() -> CaptionBoxes.decode("a [1, 2, 3, 4] b [0.5, 1, 2, 3]", 100, 100))
                .isInstanceOf(CaptionBoxes.UnparsableBox.class);
        assertThatThrownBy(() -> CaptionBoxes.decode("a [1, 2]", 100, 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has 2 number(s), expected 4");
    }

    @Test
    void phrasesMatchAfterThePunctuationAndSpacingRules() {
        assertThat(PhraseMatch.similar("The man' s hat", "the man's hat")).isTrue();
        assertThat(PhraseMatch.similar("the mans son", "the man's son")).isFalse();
        assertThat(PhraseMatch.normalize("a T-shirt , café")).isEqualTo("a tshirt café");
    }

    @Test
    void intAcceptsWhatPythonAccepts() {
        assertThat(PythonText.parseInt(" 12 ")).isEqualTo(OptionalLong.of(12));
        assertThat(PythonText.parseInt("-1_000")).isEqualTo(OptionalLong.of(-1000));
        assertThat(PythonText.parseInt("1__0")).isEmpty();
        assertThat(PythonText.parseInt("0.5")).isEmpty();
        assertThat(PythonText.parseInt("")).isEmpty();
    }

    @Test
    void floatsPrintAsPythonReprPrintsThem() {
        assertThat(PythonFloat.repr(1.0 / 3)).isEqualTo("0.3333333333333333");
        assertThat(PythonFloat.repr(0.6)).isEqualTo("0.6");
        assertThat(PythonFloat.repr(1.0)).isEqualTo("1.0");
        assertThat(PythonFloat.repr(0.0)).isEqualTo("0.0");
        assertThat(PythonFloat.repr(0.0001)).isEqualTo("0.0001");
        assertThat(PythonFloat.repr(1e-5)).isEqualTo("1e-05");
        assertThat(PythonFloat.repr(1.5e16)).isEqualTo("1.5e+16");
        assertThat(PythonFloat.repr(123456.0)).isEqualTo("123456.0");
    }
}
