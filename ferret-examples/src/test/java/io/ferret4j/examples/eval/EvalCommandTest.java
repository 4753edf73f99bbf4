package io.ferret4j.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import io.ferret4j.examples.FerretCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferret eval} on the command line: exit codes and one-line messages. */
final class EvalCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return FerretCli.run(args, System.in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void scoresAGoldenSetPrintingTheReferenceLinesAndWritingTheMetric() {
        Path set = EvalFiles.golden("pope");
        Path metric = dir.resolve("m/metric.json");

        int code = run("eval", "score", "pope", "--predictions", set.resolve("predictions").toString(),
                "--annotations", set.resolve("coco_pope_synthetic.json").toString(), "--out", metric.toString());

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).endsWith("F1 score: 0.4615384615384615\n"
                + "Yes ratio: 0.5714285714285714\n");
        assertThat(PredictionFiles.readJson(metric)).isEqualTo(EvalFiles.expected("pope").get("metric_json"));
    }

    @Test
    void usageMistakesExitWithTwoAndDataProblemsWithOneNamingTheCause() {
        assertThat(run("eval", "score", "lvis", "--predictions", "p")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Missing required option: '--out=M'");
        err.reset();

        int code = run("eval", "score", "refexp", "--predictions", "p", "--annotations", dir.resolve("none.json")
                .toString(), "--out", "m.json");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("ferret: --annotations " + dir.resolve("none.json")
                + " does not exist\n");
    }
}
