package io.ferret4j.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import ai.djl.modality.cv.Image;
import io.ferret4j.core.plan.KvCacheFormat;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.core.region.Region;
import io.ferret4j.core.testing.AtOnce;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.weights.DType;
import io.ferret4j.examples.RandomCheckpoint;
import io.ferret4j.llm.AskOptions;
import io.ferret4j.llm.Ferret;
import io.ferret4j.llm.FerretAnswer;
import io.ferret4j.llm.FerretOptions;
import io.ferret4j.llm.generate.GenerationConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Eight different questions asked at once on one {@link Ferret} decode together and get exactly the answers they get
 * one by one: greedy and sampled with fixed seeds, on the golden checkpoint (fp32) and on a random checkpoint with
 * Q8_0 weights and an fp16 key/value cache (F16 weights: {@code DecodeBatcherTest}).
 */
final class BatchedDecodingTest {
    private static final RandomCheckpoint.Shapes SHAPES = new RandomCheckpoint.Shapes(256, 704, 4, 4, 64, 128, 3, 4);
    private static final int NEW_TOKENS = 12;

    @TempDir
    static Path dir;
    private static Path random;

    @BeforeAll
    static void writeModel() {
        random = dir.resolve("model");
        RandomCheckpoint.write(random, SHAPES, DType.F16, 11);
    }

    @ParameterizedTest
    @ValueSource(strings = {"golden F32", "random Q8_0"})
    void eightQuestionsAtOnceGetTheAnswersTheyGetOneByOne(String model) throws Exception {
        String[] parts = model.split(" ");
        Path folder = parts[0].equals("golden") ? Goldens.path("ferret/checkpoint") : random;
        FerretOptions options = FerretOptions.defaults().withMaxNewTokens(NEW_TOKENS).withDeterministicSampler(true)
                .withWeightFormat(WeightFormat.valueOf(parts[1]))
                .withKvCacheFormat(parts[0].equals("golden") ? KvCacheFormat.F32 : KvCacheFormat.F16);
        List<Function<Ferret, FerretAnswer>> questions = questions(FerretGoldens.image());
        try (Ferret ferret = Ferret.load(folder, options)) {
            List<int[]> alone = new ArrayList<>();
            for (Function<Ferret, FerretAnswer> q : questions) {
                alone.add(q.apply(ferret).outputIds());
            }
            assertThat(ferret.stats().decodeSteps()).as("one by one").containsOnlyKeys(1);

            List<FerretAnswer> together = AtOnce.run(questions.size(), i -> questions.get(i).apply(ferret));

            for (int i = 0; i < questions.size(); i++) {
                assertThat(together.get(i).outputIds()).as("question %d", i).containsExactly(alone.get(i));
            }
            assertThat(ferret.stats().decodeSteps().keySet().stream().mapToInt(Integer::intValue).max()
                    .orElseThrow()).as("answers that decoded in one step").isGreaterThanOrEqualTo(2);
        }
    }

    /** Grounding, referring and sampled questions about one image. */
    private static List<Function<Ferret, FerretAnswer>> questions(Image image) {
        List<Function<Ferret, FerretAnswer>> questions = new ArrayList<>();
        for (String thing : List.of("the bathtub", "the sink", "the mirror")) {
            questions.add(f -> f.ground(image, thing));
        }
        for (Region region : List.of(new Region.Point(100, 200), new Region.Box(300, 50, 600, 300),
                new Region.Box(20, 40, 300, 420))) {
            questions.add(f -> f.refer(image, region));
        }
        for (long seed : new long[] {17, 18}) {
            GenerationConfig sampled = GenerationConfig.sampling(NEW_TOKENS, 0.9, 20, 0.95, seed);
            questions.add(f -> f.ask(image, "Where is the towel?", List.of(),
                    AskOptions.defaults().withGeneration(sampled)));
        }
        return questions;
    }
}
