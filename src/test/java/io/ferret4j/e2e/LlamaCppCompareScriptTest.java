package io.ferret4j.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docs/bench/llama-cpp-compare.sh} without llama.cpp: the script parses, prints its usage, and refuses a
 * folder that is no llama.cpp tree and a checkpoint folder without a manifest before building or running anything.
 */
final class LlamaCppCompareScriptTest {
    private static final Path SCRIPT = Path.of("").toAbsolutePath().getParent().getParent()   // from src/test
            .resolve("docs/bench/llama-cpp-compare.sh");

    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private Result bash(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash"));
        command.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(1, TimeUnit.MINUTES)).as("finished").isTrue();
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void parsesAndPrintsItsOptions() throws Exception {
        assertThat(bash("-n", SCRIPT.toString()).code()).isZero();

        Result help = bash(SCRIPT.toString(), "--help");

        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--llama-src DIR").contains("--checkpoint DIR").contains("--threads");
    }

    @Test
    void refusesWhatItCannotUseBeforeBuildingAnything() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("llama.cpp/gguf-py/gguf"));
        Files.writeString(dir.resolve("llama.cpp/CMakeLists.txt"), "");
        Path checkpoint = Files.createDirectories(dir.resolve("ckpt"));

        Result noTree = bash(SCRIPT.toString(), "--llama-src", dir.toString(), "--checkpoint", checkpoint.toString());
        Result noManifest = bash(SCRIPT.toString(), "--llama-src", tree.getParent().getParent().toString(),
                "--checkpoint", checkpoint.toString());

        assertThat(noTree.code()).isEqualTo(2);
        assertThat(noTree.err()).isEqualTo("llama-cpp-compare: " + dir + " is not a llama.cpp source tree "
                + "(expected CMakeLists.txt and gguf-py/gguf)\n");
        assertThat(noManifest.code()).isEqualTo(2);
        assertThat(noManifest.err()).isEqualTo("llama-cpp-compare: " + checkpoint + " holds no ferret-bench.json: "
                + "write it with ferret bench --keep " + checkpoint + "\n");
        assertThat(dir.resolve("llama.cpp/build-cpu")).doesNotExist();
    }
}
