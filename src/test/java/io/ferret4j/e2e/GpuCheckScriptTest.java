package io.ferret4j.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/gpu-check.sh} with everything but the GPU: on ND4J's CPU backend ({@code GPU_CHECK_CPU=1}), the
 * tiny shape, no build (this build made the launcher's class path) and no nested test run. Its bench step runs
 * {@code ferret bench --engine nd4j} and its last step prints the one JSON line a GPU run prints.
 */
final class GpuCheckScriptTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent().getParent();   // from src/test

    @TempDir
    Path work;

    @Test
    void printsOneJsonLineWithTheNd4jEnginesBenchFigures() throws IOException, InterruptedException {
        Path out = work.resolve("out.txt");
        Path err = work.resolve("err.txt");
        ProcessBuilder script = new ProcessBuilder(List.of("bash", ROOT.resolve("scripts/gpu-check.sh").toString()))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        script.environment().putAll(java.util.Map.of("GPU_CHECK_CPU", "1", "GPU_CHECK_BUILD", "0",
                "GPU_CHECK_TESTS", "0", "GPU_CHECK_SHAPE", "tiny", "GPU_CHECK_NEW_TOKENS", "2",
                "GPU_CHECK_WORK", work.toString()));
        Process p = script.start();

        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("finished within 5 minutes").isTrue();
        assertThat(p.exitValue()).as(Files.readString(err, StandardCharsets.UTF_8)).isZero();
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(1);
        JsonNode json = new ObjectMapper().readTree(lines.get(0));
        assertThat(json.get("backend").asText()).isEqualTo("cpu");
        assertThat(json.get("gpu").isNull()).isTrue();
        assertThat(json.get("gpu_memory_peak_mib").isNull()).isTrue();
        assertThat(json.get("golden_tests").asText()).isEqualTo("skipped");
        assertThat(json.get("engine").asText()).isEqualTo("nd4j");
        assertThat(json.get("weights").asText()).isEqualTo("f16");
        assertThat(json.get("model").asText()).isNotBlank();
        for (String figure : List.of("encode_ms", "prefill_tokens_per_s", "decode_tokens_per_s", "peak_rss_bytes")) {
            assertThat(json.get(figure).isNumber()).as(figure).isTrue();
            assertThat(json.get(figure).asDouble()).as(figure).isPositive();
        }
    }
}
