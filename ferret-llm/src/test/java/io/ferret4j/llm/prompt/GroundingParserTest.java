package io.ferret4j.llm.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

final class GroundingParserTest {

    @Test
    void parsesBoxesWithTheirPhrases() {
        List<GroundingParser.Mention> m = GroundingParser.parse(
                "The man [201, 2, 940, 758] is riding a skateboard [12, 746, 664, 886].");

        assertThat(m).hasSize(2);
        assertThat(m.get(0).phrase()).isEqualTo("The man");
        assertThat(m.get(0).coords()).containsExactly(201, 2, 940, 758);
        assertThat(m.get(1).phrase()).isEqualTo("is riding a skateboard");
        assertThat(m.get(1).coords()).containsExactly(12, 746, 664, 886);
    }

    @Test
    void consecutiveBoxesShareAPhraseAndPointsAreFound() {
        List<GroundingParser.Mention> m = GroundingParser.parse("Two cups [1, 2, 3, 4] [5, 6, 7, 8]. A dot [500, 250]");

        assertThat(m).extracting(GroundingParser.Mention::phrase).containsExactly("Two cups", "Two cups", "A dot");
        assertThat(m.get(2).coords()).as("a point, not a box").hasSize(2);
        assertThat(m.get(2).coords()).containsExactly(500, 250);
    }

    @Test
    void malformedBracketsStayText() {
        String text = "A cat [12, 34, 56 and [1, 2, 3, 4000] or [9.5, 1, 2, 3] or [a, b] then ]] [[ [100, 200, 50, 300]";

        assertThat(GroundingParser.parse(text)).isEmpty();
    }

    @Test
    void sentencePunctuationStartsANewPhrase() {
        List<GroundingParser.Mention> m = GroundingParser.parse("I see it. The sink [1, 2, 3, 4]");

        assertThat(m.get(0).phrase()).isEqualTo("The sink");
        assertThat(m.get(0).start()).isEqualTo("I see it. The sink ".length());
    }

    @Property(tries = 300)
    void findsEveryWellFormedBoxItIsGiven(@ForAll("boxes") List<int[]> boxes, @ForAll @IntRange(min = 0, max = 3) int spaces) {
        StringBuilder sb = new StringBuilder();
        for (int[] b : boxes) {
            String sep = "," + " ".repeat(spaces);
            sb.append("thing [").append(b[0]).append(sep).append(b[1]).append(sep).append(b[2]).append(sep).append(b[3])
                    .append("], ");
        }

        List<GroundingParser.Mention> m = GroundingParser.parse(sb.toString());

        assertThat(m).hasSize(boxes.size());
        for (int i = 0; i < boxes.size(); i++) {
            assertThat(m.get(i).coords()).containsExactly(boxes.get(i));
        }
    }

    @Property(tries = 500)
    void neverThrowsOnArbitraryText(@ForAll("noisyText") String text) {
        for (GroundingParser.Mention m : GroundingParser.parse(text)) {
            assertThat(text.substring(m.start(), m.end())).startsWith("[").endsWith("]");
            for (int c : m.coords()) {
                assertThat(c).isBetween(0, GroundingParser.MAX_COORDINATE);
            }
        }
    }

    @Provide
    Arbitrary<List<int[]>> boxes() {
        Arbitrary<int[]> box = Arbitraries.integers().between(0, 1000).array(int[].class).ofSize(4)
                .map(c -> new int[] {Math.min(c[0], c[2]), Math.min(c[1], c[3]), Math.max(c[0], c[2]), Math.max(c[1], c[3])});
        return box.list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<String> noisyText() {
        return Arbitraries.strings().withChars("[], 0123456789.abc-\n").ofMaxLength(80);
    }
}
