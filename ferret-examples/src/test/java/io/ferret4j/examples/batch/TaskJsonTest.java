package io.ferret4j.examples.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferret4j.core.region.Region;
import io.ferret4j.llm.Ferret;
import io.ferret4j.llm.generate.GenerationConfig;
import org.junit.jupiter.api.Test;

final class TaskJsonTest {
    private static final Path BASE = Path.of("data");

    @Test
    void readsRegionsInTheCommandLinesFormAndResolvesPathsAgainstTheBase() throws IOException {
        FerretTask t = parse("{\"id\":1,\"task\":\"ask\",\"image\":\"a.jpg\",\"prompt\":\"Is <region> near <region>"
                + " or <region> or <region>?\",\"regions\":[{\"point\":[1,2]},{\"box\":[1,2,3,4]},"
                + "{\"polygon\":[0,0,5,0,5,5]},{\"mask\":\"m.png\"}]}");

        assertThat(t.kind()).isEqualTo(TaskKind.ASK);
        assertThat(t.image()).isEqualTo(BASE.resolve("a.jpg"));
        assertThat(t.regions()).containsExactly(new RegionSpec("point", "1,2"), new RegionSpec("box", "1,2,3,4"),
                new RegionSpec("polygon", "0,0,5,0,5,5"), new RegionSpec("mask", BASE.resolve("m.png").toString()));
        assertThat(t.question()).isEqualTo("Is <region> near <region> or <region> or <region>?");
        assertThat(t.generation()).isEqualTo(GenerationSettings.NONE);
    }

    @Test
    void buildsTheQuestionsOfTheReferAndGroundCommands() throws IOException {
        assertThat(parse("{\"task\":\"refer\",\"image\":\"a.jpg\",\"regions\":[{\"point\":[1,2]}]}").question())
                .isEqualTo(Ferret.DEFAULT_REFER_QUESTION);
        assertThat(parse("{\"task\":\"ground\",\"image\":\"a.jpg\",\"prompt\":\"the cat, left\"}").question())
                .isEqualTo("What is the location of the cat left in the image?");
    }

    @Test
    void generationSettingsOverrideOnlyWhatTheTaskGives() throws IOException {
        FerretTask t = parse("{\"task\":\"ask\",\"image\":\"a.jpg\",\"prompt\":\"p\",\"max_new_tokens\":9,"
                + "\"temperature\":0.5,\"seed\":3}");

        GenerationConfig g = t.generation().over(GenerationConfig.sampling(100, 1, 7, 0.8, 1)).orElseThrow();

        assertThat(g).isEqualTo(GenerationConfig.sampling(9, 0.5, 7, 0.8, 3));
        assertThat(GenerationSettings.NONE.over(GenerationConfig.greedy(5))).isEmpty();
    }

    @Test
    void badTasksAreNamedPlainly() {
        assertError("{\"task\":\"ask\",\"image\":\"a.jpg\",\"promt\":\"p\"}", "unknown field 'promt'");
        assertError("{\"task\":\"refer\",\"regions\":[{\"point\":[1,2]}]}", "missing image");
        assertError("{\"task\":\"describe\",\"image\":\"a.jpg\"}",
                "task must be one of [refer, ground, ask], got 'describe'");
        assertError("{\"task\":\"refer\",\"image\":\"a.jpg\"}", "refer needs exactly one region, got 0");
        assertError("{\"task\":\"ground\",\"image\":\"a.jpg\",\"prompt\":\"x\",\"regions\":[{\"point\":[1,2]}]}",
                "ground takes no regions, got 1");
        assertError("{\"task\":\"ask\",\"image\":\"a.jpg\"}", "ask needs a prompt");
        assertError("{\"task\":\"refer\",\"image\":\"a.jpg\",\"regions\":[{\"point\":[1,2],\"box\":[1,2,3,4]}]}",
                "each region is an object with one key of [point, box, polygon, mask]");
        assertError("{\"task\":\"refer\",\"image\":\"a.jpg\",\"regions\":[{\"box\":\"1,2,3,4\"}]}",
                "box must be an array of integers, got \"1,2,3,4\"");
        assertError("{\"task\":\"ask\",\"image\":\"a.jpg\",\"prompt\":\"p\",\"max_new_tokens\":1.5}",
                "max_new_tokens must be an integer, got 1.5");
        assertError("[1, 2]", "a task is a JSON object, got ARRAY");
    }

    private static void assertError(String json, String message) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    private static FerretTask parse(String json) throws IOException {
        JsonNode node = new ObjectMapper().readTree(json);
        return TaskJson.parse(node, BASE);
    }

    @Test
    void regionsAreReadByTheCommandLinesRegionOptions() throws IOException {
        FerretTask t = parse("{\"task\":\"ask\",\"image\":\"a.jpg\",\"prompt\":\"<region> <region>\","
                + "\"regions\":[{\"box\":[1,2,3,4]},{\"point\":[5,6]}]}");
        FerretTask bad = parse("{\"task\":\"refer\",\"image\":\"a.jpg\",\"regions\":[{\"point\":[1]}]}");

        assertThat(t.regionsOn(10, 10)).containsExactly(new Region.Box(1, 2, 3, 4), new Region.Point(5, 6));
        assertThatThrownBy(() -> bad.regionsOn(10, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid value for option '--point' (X,Y): expected 2 comma-separated integers but was '1'");
    }
}
