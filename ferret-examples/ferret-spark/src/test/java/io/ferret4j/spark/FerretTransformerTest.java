package io.ferret4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.examples.FerretCli;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The transformer in {@code local[2]} on the reference's tiny checkpoint, against {@code ferret batch}. */
final class FerretTransformerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHECKPOINT = Goldens.path("ferret/checkpoint").toString();
    private static final List<String> TASKS = List.of(
            "{\"id\":\"refer-box\",\"task\":\"refer\",\"image\":\"photos/bathroom.jpg\",\"regions\":[{\"box\":[300,120,480,260]}]}",
            "{\"id\":\"refer-question\",\"task\":\"refer\",\"image\":\"photos/bathroom.jpg\",\"regions\":[{\"point\":[350,200]}],\"prompt\":\"What is the object <region> used for?\"}",
            "{\"id\":\"ground\",\"task\":\"ground\",\"image\":\"photos/bathroom.jpg\",\"prompt\":\"the white bathtub\"}",
            "{\"id\":\"ask-two\",\"task\":\"ask\",\"image\":\"photos/bathroom.jpg\",\"prompt\":\"Is <region> next to <region>?\",\"regions\":[{\"polygon\":[10,10,200,20,100,250]},{\"mask\":\"photos/sink-mask.png\"}]}",
            "{\"id\":\"short\",\"task\":\"refer\",\"image\":\"photos/bathroom.jpg\",\"regions\":[{\"box\":[0,0,100,100]}],\"max_new_tokens\":2}",
            "{\"id\":\"sampled\",\"task\":\"ask\",\"image\":\"photos/bathroom.jpg\",\"prompt\":\"What is in the image?\",\"temperature\":0.9,\"top_k\":40,\"seed\":11}",
            "{\"id\":\"no-image\",\"task\":\"refer\",\"image\":\"photos/missing.jpg\",\"regions\":[{\"box\":[1,2,3,4]}]}",
            "{\"id\":\"outside\",\"task\":\"refer\",\"image\":\"photos/bathroom.jpg\",\"regions\":[{\"box\":[10,20,900,30]}]}");

    @TempDir
    static Path dir;
    static Path tasks;
    static SparkSession spark;
    static Map<String, JsonNode> batch;

    @BeforeAll
    static void startSparkAndRunFerretBatch() throws IOException {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        Files.copy(Goldens.path("clip/images/bathroom.jpg"), photos.resolve("bathroom.jpg"));
        BufferedImage mask = new BufferedImage(615, 446, BufferedImage.TYPE_BYTE_GRAY);
        mask.getRaster().setSample(400, 200, 0, 255);
        ImageIO.write(mask, "png", photos.resolve("sink-mask.png").toFile());
        tasks = dir.resolve("tasks.jsonl");
        Files.writeString(tasks, String.join("\n", TASKS) + "\n");
        batch = ferretBatch();
        spark = SparkSession.builder().master("local[2]").appName("ferret-test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.warehouse.dir", dir.resolve("warehouse").toString()).getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void answersEqualFerretBatchsWithOneModelLoadedForTheExecutorJvm() throws IOException {
        int loadsBefore = ExecutorModels.loads();
        Dataset<Row> rows = spark.read().json(tasks.toString()).repartition(3);
        // --kv-cache f32 is the default: the same answers, but options of their own, so no other test's load counts
        FerretTransformer ferret = new FerretTransformer().setModelPath(CHECKPOINT).setMaxNewTokens(6)
                .setDeterministic(true).setModelArgs("--kv-cache", "f32").setImageRoot(dir.toString());

        Map<String, JsonNode> answers = byId(ferret.transform(rows));
        Map<String, JsonNode> again = byId(ferret.transform(rows.limit(2)));

        assertThat(answers).isEqualTo(batch);
        assertThat(batch).containsAllEntriesOf(again);
        assertThat(answers.get("no-image").get("error").asText()).contains("photos/missing.jpg");
        assertThat(ExecutorModels.loads() - loadsBefore).as("models loaded by 3 partitions on 2 threads, twice")
                .isEqualTo(1);
    }

    @Test
    void theSparkSubmitJobWritesTheSameAnswers() throws IOException {
        Path out = dir.resolve("job-answers");

        int code = new CommandLine(new FerretSparkJob()).execute("--input", tasks.toString(), "--output",
                out.toString(), "--partitions", "2", "--model", CHECKPOINT, "--max-new-tokens", "6",
                "--deterministic");

        assertThat(code).isZero();
        Map<String, JsonNode> written = new LinkedHashMap<>();
        try (Stream<Path> parts = Files.list(out)) {
            for (Path part : parts.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
                for (String line : Files.readAllLines(part)) {
                    ObjectNode o = (ObjectNode) JSON.readTree(line);
                    written.put(o.remove("id").asText(), o);
                }
            }
        }
        assertThat(written).isEqualTo(batch);
    }

    @Test
    void aMisspeltModelOptionFailsOnTheDriver() {
        FerretTransformer ferret = new FerretTransformer().setModelPath(CHECKPOINT).setModelArgs("--wieghts", "q8_0");

        assertThatThrownBy(() -> ferret.transform(spark.read().json(tasks.toString())))
                .hasMessageContaining("--wieghts");
    }

    /** {@code ferret batch} on the same tasks: each line's fields that the answer struct holds, by id. */
    private static Map<String, JsonNode> ferretBatch() throws IOException {
        Path answers = dir.resolve("batch-answers.jsonl");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FerretCli.run(new String[] {"batch", "--input", tasks.toString(), "--output", answers.toString(),
            "--model", CHECKPOINT, "--max-new-tokens", "6", "--deterministic"}, new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(answers)) {
            ObjectNode o = (ObjectNode) JSON.readTree(line);
            out.put(o.get("id").asText(), o.retain("text", "output_ids", "groundings", "stop_reason", "error"));
        }
        assertThat(out).hasSize(TASKS.size());
        assertThat(out.values()).filteredOn(o -> o.has("error")).hasSize(2);
        return out;
    }

    /** The answer structs as JSON, by task id. */
    private static Map<String, JsonNode> byId(Dataset<Row> answers) throws IOException {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Row r : answers.select(functions.col("id"), functions.to_json(functions.col("answer"))).collectAsList()) {
            out.put(r.getString(0), JSON.readTree(r.getString(1)));
        }
        return out;
    }
}
