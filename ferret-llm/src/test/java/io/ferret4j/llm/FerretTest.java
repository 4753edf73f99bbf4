package io.ferret4j.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.output.DetectedObjects;
import ai.djl.modality.cv.output.Rectangle;
import io.ferret4j.core.region.Region;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.llm.generate.GenerationConfig;
import io.ferret4j.llm.generate.StopReason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

final class FerretTest {
    private static Ferret ferret;
    private static Image image;

    @BeforeAll
    static void load() throws Exception {
        ferret = Ferret.load(Goldens.path("ferret/checkpoint"),
                FerretOptions.defaults().withMaxNewTokens(4).withDeterministicSampler(true));
        image = ImageFactory.getInstance().fromFile(Goldens.path("clip/images/bathroom.jpg"));
    }

    @AfterAll
    static void close() {
        ferret.close();
    }

    @Test
    void answersConcurrentCallsAsItAnswersThemOneByOne() throws Exception {
        FerretAnswer alone = ferret.refer(image, new Region.Point(100, 200));
        FerretAnswer ground = ferret.ground(image, "the sink");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<FerretAnswer>> refers = new ArrayList<>();
            List<Future<FerretAnswer>> grounds = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                refers.add(pool.submit(() -> ferret.refer(image, new Region.Point(100, 200))));
                grounds.add(pool.submit(() -> ferret.ground(image, "the sink")));
            }
            for (int i = 0; i < 3; i++) {
                assertThat(refers.get(i).get().outputIds()).containsExactly(alone.outputIds());
                assertThat(grounds.get(i).get().outputIds()).containsExactly(ground.outputIds());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void writesPointsAndBoxesOnTheGridAndRefersWithTheDemoQuestion() {
        FerretAnswer point = ferret.refer(image, new Region.Point(100, 200));
        FerretAnswer box = ferret.ask(image, "Compare <region> and <region>.",
                List.of(new Region.Box(0, 0, 614, 445), new Region.Point(614, 445)));

        assertThat(point.prompt()).endsWith("USER: <image>\nWhat is the class of object [162, 448] <region_fea>? ASSISTANT:");
        assertThat(box.prompt()).contains("Compare [0, 0, 998, 997] <region_fea> and [998, 997] <region_fea>.");
        assertThat(point.outputIds()).hasSize(4);
        assertThat(point.stopReason()).isEqualTo(StopReason.MAX_NEW_TOKENS);
        assertThat(point.timings().generatedTokens()).isEqualTo(4);
        assertThat(point.timings().promptRows()).isEqualTo(point.inputIds().length - 1 + 576);
        assertThat(point.timings().prefillNanos()).isPositive();
        assertThat(point.timings().regionNanos()).isPositive();
    }

    @Test
    void aConversationCarriesEarlierTurnsAndRegions() {
        Conversation chat = ferret.conversation(image);
        FerretAnswer first = chat.ask("What is <region>?", List.of(new Region.Box(10, 10, 50, 50)));
        FerretAnswer second = chat.ask("And <region>?", List.of(new Region.Point(5, 5)));

        assertThat(second.prompt()).contains("What is [16, 22, 81, 112] <region_fea>? ASSISTANT: " + first.text()
                + "</s>USER: And [8, 11] <region_fea>? ASSISTANT:");
        assertThat(java.util.Arrays.stream(second.inputIds()).filter(id -> id == 32000).count()).isEqualTo(2);
        assertThat(chat.history()).hasSize(2);
    }

    @Test
    void takesEachAnswersOwnSettingsStopsAndCancellation() {
        FerretAnswer longer = ferret.ask(image, "What is <region>?", List.of(new Region.Point(100, 200)),
                AskOptions.defaults().withGeneration(GenerationConfig.greedy(7)));
        List<String> streamed = new ArrayList<>();
        int[] polls = {0};
        FerretAnswer cancelled = ferret.ask(image, "What is <region>?", List.of(new Region.Point(100, 200)),
                AskOptions.defaults().withGeneration(GenerationConfig.greedy(7)).withOnText(streamed::add)
                        .withCancellation(() -> ++polls[0] >= 2));

        assertThat(longer.outputIds()).hasSize(7);
        assertThat(cancelled.outputIds()).containsExactly(java.util.Arrays.copyOf(longer.outputIds(), 2));
        assertThat(cancelled.stopReason()).isEqualTo(StopReason.CANCELLED);
        assertThat(String.join("", streamed).strip()).isEqualTo(cancelled.text());

        String stop = longer.text().substring(longer.text().length() / 2, longer.text().length() / 2 + 1);
        FerretAnswer stopped = ferret.ask(image, "What is <region>?", List.of(new Region.Point(100, 200)),
                AskOptions.defaults().withGeneration(GenerationConfig.greedy(7)).withStopStrings(List.of(stop)));
        assertThat(stopped.text()).isEqualTo(longer.text().substring(0, longer.text().indexOf(stop)));
        assertThat(stopped.stopReason()).isEqualTo(StopReason.STOP_SEQUENCE);
    }

    @Test
    void aRestoredTurnPromptsAsAnAnsweredOne() {
        Conversation asked = ferret.conversation(image);
        FerretAnswer first = asked.ask("What is <region>?", List.of(new Region.Box(10, 10, 50, 50)));
        FerretAnswer next = asked.ask("And <region>?", List.of(new Region.Point(5, 5)));
        Conversation restored = ferret.conversation(image);
        restored.addTurn("What is <region>?", List.of(new Region.Box(10, 10, 50, 50)), first.text());
        FerretAnswer again = restored.ask("And <region>?", List.of(new Region.Point(5, 5)));

        assertThat(again.prompt()).isEqualTo(next.prompt());
        assertThat(again.inputIds()).containsExactly(next.inputIds());
        assertThat(again.outputIds()).containsExactly(next.outputIds());
        assertThatThrownBy(() -> restored.addTurn("What is <region>?", List.of(), "a sink"))
                .hasMessageContaining("region slot");
    }

    @Test
    void refusesBadRequestsWithTheirReasons() {
        assertThatThrownBy(() -> ferret.refer(image, new Region.Box(10, 10, 700, 50)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("615");
        assertThatThrownBy(() -> ferret.refer(image, new Region.Point(1, 1), "What is this?"))
                .hasMessageContaining("0 region slot(s)");
        assertThatThrownBy(() -> ferret.ground(image, " , "))
                .hasMessageContaining("empty");
    }

    @Test
    void refusesToWorkAfterClose() {
        Ferret other = Ferret.load(Goldens.path("ferret/checkpoint"), FerretOptions.defaults().withMaxNewTokens(1));
        Conversation chat = other.conversation(image);
        other.close();

        assertThatThrownBy(() -> other.ground(image, "a cat")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> chat.ask("What?", List.of())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void parsesAnswerBoxesBackToPixelsAndDjlRectangles() {
        FerretAnswer a = FerretAnswer.of("p", new int[] {1}, new int[] {2}, "The sink [500, 0, 999, 500] and a dot [500, 500].",
                StopReason.EOS, new Timings(0, 0, 0, 0, 1, 1), 615, 446);

        assertThat(a.groundings()).hasSize(2);
        assertThat(a.groundings().get(0).phrase()).isEqualTo("The sink");
        assertThat(a.groundings().get(0).region()).isEqualTo(new Region.Box(307, 0, 614, 223));
        assertThat(a.groundings().get(1).region()).isEqualTo(new Region.Point(307, 223));
        DetectedObjects d = a.toDetectedObjects();
        assertThat(d.getNumberOfObjects()).isEqualTo(2);
        Rectangle r = (Rectangle) d.<DetectedObjects.DetectedObject>item(0).getBoundingBox();
        assertThat(r.getX()).isEqualTo(307.0 / 615);
        assertThat(r.getWidth()).isEqualTo(308.0 / 615);
        assertThat(r.getHeight()).isEqualTo(224.0 / 446);
    }

    @Test
    void acceptsIntRgbImages() {
        Image byteImage = ImageFactory.getInstance().fromImage(new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB));

        assertThat(ferret.ground(byteImage, "a cat").imageWidth()).isEqualTo(20);
    }
}
