package io.ferret4j.core.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

final class VectorFallbackTest {

    @Test
    void aJvmWithoutTheVectorModuleUsesTheScalarKernelsWithTheSameResults() throws Exception {
        Map<String, String> out = runProbeWithoutVectorModule();

        assertThat(out.get("kernels")).isEqualTo("scalar");
        FallbackProbe.Inputs in = FallbackProbe.inputs();
        assertThat(RowKernels.best().name()).startsWith("vector-");
        compare(in.f16(), in.x(), floats(out.get("f16")), FallbackProbe.product(in.f16(), in.x()));
        compare(in.q8(), in.x(), floats(out.get("q8")), FallbackProbe.product(in.q8(), in.x()));
        compare(in.q4(), in.x(), floats(out.get("q4")), FallbackProbe.product(in.q4(), in.x()));
    }

    private static void compare(CompactMatrix w, float[] x, float[] fallback, float[] vector) {
        TestMatrices.assertMatchesReference(w, x, FallbackProbe.N, fallback, "fallback " + w);
        TestMatrices.assertMatchesReference(w, x, FallbackProbe.N, vector, "vector " + w);
        float[] scalarHere = new float[fallback.length];
        RowKernels.scalar().multiply(w, x, FallbackProbe.N, scalarHere, 0, w.rows());
        assertThat(fallback).as("the child ran the same scalar code").containsExactly(scalarHere);
    }

    private static Map<String, String> runProbeWithoutVectorModule() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = List.of(java, "-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), FallbackProbe.class.getName());
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("probe output: %s", stdout).isZero();
        Map<String, String> fields = new HashMap<>();
        for (String line : stdout.split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0) {
                fields.put(line.substring(0, space), line.substring(space + 1).trim());
            }
        }
        return fields;
    }

    private static float[] floats(String bits) {
        return toFloats(Arrays.stream(bits.split(",")).mapToInt(Integer::parseInt).toArray());
    }

    private static float[] toFloats(int[] bits) {
        float[] f = new float[bits.length];
        for (int i = 0; i < bits.length; i++) {
            f[i] = Float.intBitsToFloat(bits[i]);
        }
        return f;
    }
}
