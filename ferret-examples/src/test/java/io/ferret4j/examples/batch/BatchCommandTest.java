package io.ferret4j.examples.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.examples.FerretCli;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferret batch} on the reference's tiny checkpoint: answers as the CLI gives them, restarts, bad tasks. */
final class BatchCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CHECKPOINT = Goldens.path("ferret/checkpoint");
    private static final List<String> MODEL_OPTIONS = List.of("--model", CHECKPOINT.toString(),
            "--max-new-tokens", "6", "--deterministic");

    @TempDir
    static Path dir;
    static Path tasks;
    static List<String> firstRun;

    @BeforeAll
    static void writeTasksAndRunOnce() throws IOException {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        Files.copy(Goldens.path("clip/images/bathroom.jpg"), photos.resolve("bathroom.jpg"));
        Files.copy(Goldens.path("clip/images/kitchen.png"), photos.resolve("kitchen.png"));
        writeMask(photos.resolve("sink-mask.png"), 615, 446);
        tasks = dir.resolve("tasks.jsonl");
        Files.writeString(tasks, String.join("\n", TwentyTasks.LINES) + "\n");
        firstRun = answerLines(run(dir.resolve("answers.jsonl")));
    }

    @Test
    void everyTaskHasOneLineInTaskOrderAndTheTwoBadOnesNameTheirProblem() {
        assertThat(firstRun).hasSize(20);
        List<JsonNode> lines = firstRun.stream().map(BatchCommandTest::parse).toList();
        assertThat(lines).extracting(l -> l.get("id").asText()).containsExactlyElementsOf(TwentyTasks.IDS);
        assertThat(lines).filteredOn(l -> l.has("error")).extracting(l -> l.get("id").asText())
                .containsExactly("no-image", "bad-box");
        assertThat(lines.get(TwentyTasks.IDS.indexOf("no-image")).get("error").asText())
                .isEqualTo("no such file: " + dir.resolve("photos/missing.jpg"));
        assertThat(lines.get(TwentyTasks.IDS.indexOf("bad-box")).get("error").asText())
                .isEqualTo("Invalid value for option '--box' (X1,Y1,X2,Y2): expected 4 comma-separated integers but was "
                        + "'10,20,30'");
        assertThat(lines).filteredOn(l -> !l.has("error"))
                .allSatisfy(l -> assertThat(l.get("timings").get("generated_tokens").asInt()).isPositive());
    }

    @Test
    void eachGoodAnswerEqualsWhatTheCommandLineAnswers() throws IOException {
        for (String line : firstRun) {
            ObjectNode batch = (ObjectNode) parse(line);
            if (batch.has("error")) {
                continue;
            }
            JsonNode task = parse(TwentyTasks.LINES.get(TwentyTasks.IDS.indexOf(batch.get("id").asText())));

            JsonNode cli = askTheCommandLine(task);

            batch.remove(List.of("id", "timings"));
            assertThat(batch).as(task.toString()).isEqualTo(cli);
        }
    }

    @Test
    void aRunKilledHalfWayAndRestartedWritesTheSameFileAsOneUninterruptedRun() throws IOException {
        byte[] whole = Files.readAllBytes(dir.resolve("answers.jsonl"));
        int cut = nthNewline(whole, 9) + 25;                  // 9 whole lines, then a line torn mid-way
        Path restarted = dir.resolve("restarted.jsonl");
        Files.write(restarted, Arrays.copyOf(whole, cut));

        String summary = run(restarted);

        assertThat(summary).contains("10 answered, 1 failed, 9 skipped");
        assertThat(withoutTimings(answerLines(restarted))).isEqualTo(withoutTimings(firstRun));
        assertThat(Files.readString(restarted)).endsWith("\n");
    }

    @Test
    void aRunInterruptedMidWayAndRestartedWritesTheSameFileAsOneUninterruptedRun() throws Exception {
        Path interrupted = dir.resolve("interrupted.jsonl");
        int[] code = new int[1];
        Thread run = new Thread(() -> code[0] = FerretCli.run(args(interrupted), new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        run.start();
        while (lineCount(interrupted) < 3 && run.isAlive()) {
            Thread.sleep(5);
        }
        run.interrupt();
        run.join();
        int linesLeft = lineCount(interrupted);

        String summary = run(interrupted);

        assertThat(code[0]).as("the interrupted run's exit code").isEqualTo(1);
        assertThat(linesLeft).as("whole lines written before the interrupt").isBetween(3, 19);
        assertThat(summary).contains(", " + linesLeft + " skipped");
        assertThat(withoutTimings(answerLines(interrupted))).isEqualTo(withoutTimings(firstRun));
    }

    @Test
    void aFinishedRunRestartedHasNothingToDo() throws IOException {
        Path again = dir.resolve("again.jsonl");
        Files.copy(dir.resolve("answers.jsonl"), again);

        String summary = run(again);

        assertThat(summary).contains("0 answered, 0 failed, 20 skipped");
        assertThat(answerLines(again)).isEqualTo(firstRun);
    }

    private static String[] args(Path answers) {
        List<String> args = new ArrayList<>(List.of("batch", "--input", tasks.toString(), "--output",
                answers.toString()));
        args.addAll(MODEL_OPTIONS);
        return args.toArray(String[]::new);
    }

    private static int lineCount(Path file) throws IOException {
        return Files.exists(file) ? (int) Files.readString(file).chars().filter(c -> c == '\n').count() : 0;
    }

    private static String run(Path answers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FerretCli.run(args(answers), new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    /** {@code ferret refer|ground|ask --json} with the task's image, regions, prompt and settings. */
    private static JsonNode askTheCommandLine(JsonNode task) throws IOException {
        String command = task.get("task").asText();
        List<String> args = new ArrayList<>(List.of(command, "--model", CHECKPOINT.toString(), "--deterministic",
                "--json", "--image", dir.resolve(task.get("image").asText()).toString(),
                "--max-new-tokens", task.path("max_new_tokens").asText("6")));
        for (JsonNode region : task.path("regions")) {
            Map.Entry<String, JsonNode> e = region.fields().next();
            args.add("--" + e.getKey());
            args.add(e.getKey().equals("mask") ? dir.resolve(e.getValue().asText()).toString()
                    : join(e.getValue()));
        }
        if (task.has("prompt")) {
            args.add(switch (command) {
                case "refer" -> "--question";
                case "ground" -> "--text";
                default -> "--prompt";
            });
            args.add(task.get("prompt").asText());
        }
        for (String setting : List.of("temperature", "top_p", "seed")) {
            if (task.has(setting)) {
                args.add("--" + setting.replace('_', '-'));
                args.add(task.get(setting).asText());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FerretCli.run(args.toArray(String[]::new), new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return JSON.readTree(out.toString(StandardCharsets.UTF_8));
    }

    private static String join(JsonNode values) {
        List<String> out = new ArrayList<>();
        for (Iterator<JsonNode> it = values.elements(); it.hasNext(); ) {
            out.add(it.next().asText());
        }
        return String.join(",", out);
    }

    private static List<String> answerLines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }

    private static List<String> answerLines(String summary) throws IOException {
        assertThat(summary).contains("18 answered, 2 failed, 0 skipped");
        return answerLines(dir.resolve("answers.jsonl"));
    }

    private static List<JsonNode> withoutTimings(List<String> lines) {
        return lines.stream().map(l -> {
            ObjectNode o = (ObjectNode) parse(l);
            o.remove("timings");
            return (JsonNode) o;
        }).toList();
    }

    private static int nthNewline(byte[] bytes, int n) {
        int seen = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n' && ++seen == n) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("fewer than " + n + " lines");
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new IllegalArgumentException(line, e);
        }
    }

    private static void writeMask(Path file, int width, int height) throws IOException {
        BufferedImage mask = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 120; y < 260; y++) {
            for (int x = 300; x < 480; x++) {
                mask.getRaster().setSample(x, y, 0, 255);
            }
        }
        ImageIO.write(mask, "png", file.toFile());
    }
}
