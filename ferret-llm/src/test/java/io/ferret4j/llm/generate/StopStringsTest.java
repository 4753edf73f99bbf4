package io.ferret4j.llm.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

final class StopStringsTest {

    @Test
    void passesOnExactlyTheTextBeforeTheFirstStopHoweverTheTextIsCut() {
        Random random = new Random(7);
        String alphabet = "ab.\n";
        for (int trial = 0; trial < 2000; trial++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(30); i > 0; i--) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            List<String> stops = List.of("ab.", "\n\n");
            StringBuilder out = new StringBuilder();
            StopStrings filter = new StopStrings(stops, out::append);
            boolean goOn = true;
            for (int i = 0; i < text.length() && goOn; ) {
                int n = 1 + random.nextInt(4);
                goOn = filter.accept(text.substring(i, Math.min(text.length(), i + n)));
                i += n;
            }
            filter.finish();

            String expected = StopStrings.cut(text.toString(), stops);
            assertThat(out.toString()).as("text %s", text).isEqualTo(expected);
            assertThat(filter.stopped()).isEqualTo(expected.length() < text.length());
        }
    }

    @Test
    void holdsBackOnlyWhatCouldStartAStop() {
        StringBuilder out = new StringBuilder();
        StopStrings filter = new StopStrings(List.of("END"), out::append);

        assertThat(filter.accept("the sink E")).isTrue();
        assertThat(out).hasToString("the sink ");
        assertThat(filter.accept("x")).isTrue();
        assertThat(out).hasToString("the sink Ex");
        assertThat(filter.accept("EN")).isTrue();
        assertThat(filter.accept("D and more")).isFalse();
        assertThat(out).hasToString("the sink Ex");
        assertThat(filter.accept("ignored")).isFalse();
    }
}
