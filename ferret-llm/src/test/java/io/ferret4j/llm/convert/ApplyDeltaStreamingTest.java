package io.ferret4j.llm.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import io.ferret4j.core.weights.Checkpoints;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.Float16;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.SafeTensorsWriter;
import io.ferret4j.core.weights.TensorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Converting a 326 MB base + delta pair holds one tensor at a time off the heap: the Java heap neither keeps
 * (retained growth, measured as the core checkpoint tests do) nor even allocates (bytes allocated by every
 * thread) more than a few MB, although the largest tensor alone is 65 MB.
 */
final class ApplyDeltaStreamingTest {
    private static final long HEAP_BUDGET = 8L * 1024 * 1024;
    private static final int HIDDEN = 1024;
    private static final Map<String, long[]> DELTA_SHAPES = Map.of(
            "model.embed_tokens.weight", new long[] {32001, HIDDEN},
            "lm_head.weight", new long[] {32001, HIDDEN},
            "model.layers.0.mlp.up_proj.weight", new long[] {8192, HIDDEN},
            "model.layers.0.mlp.down_proj.weight", new long[] {HIDDEN, 8192});

    @TempDir
    Path dir;

    @Test
    void convertingAFewHundredMegabytesNeitherKeepsNorAllocatesMoreThanAFewMegabytesOfHeap() throws IOException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "this JVM cannot count allocated bytes per thread");
        Path base = dir.resolve("base");
        Path delta = dir.resolve("delta");
        Path out = dir.resolve("out");
        ByteBuffer scratch = ByteBuffer.allocateDirect(32001 * HIDDEN * 2).order(ByteOrder.LITTLE_ENDIAN);
        write(base, scratch, 0, true);
        write(delta, scratch, 1, false);
        Files.writeString(delta.resolve("config.json"), "{}");
        Files.writeString(delta.resolve("tokenizer.model"), "spm");
        long inputBytes = Files.size(base.resolve("model.safetensors")) + Files.size(delta.resolve("model.safetensors"));
        assertThat(inputBytes).isGreaterThan(300L << 20);
        long probe = allocatedByAllThreads(threads);
        byte[] seen = new byte[1 << 20];
        assertThat(allocatedByAllThreads(threads) - probe).as("the counter sees heap allocations")
                .isGreaterThanOrEqualTo(seen.length);

        long retainedBefore = usedHeap();
        long allocatedBefore = allocatedByAllThreads(threads);
        ApplyDelta.Summary summary = ApplyDelta.run(base, delta, out);
        long allocated = allocatedByAllThreads(threads) - allocatedBefore;
        long retained = usedHeap() - retainedBefore;

        assertThat(allocated).as("heap bytes allocated while converting %d input bytes", inputBytes)
                .isLessThan(HEAP_BUDGET);
        assertThat(retained).as("heap growth in bytes").isLessThan(HEAP_BUDGET);
        assertThat(summary.bytes()).isEqualTo(DELTA_SHAPES.values().stream().mapToLong(s -> RawTensor.numel(s) * 2).sum());
        try (TensorSource target = Checkpoints.open(out)) {
            RawTensor embed = target.get("model.embed_tokens.weight");
            ShortBuffer halves = embed.bytes().asShortBuffer();
            for (int i : new int[] {0, 1, 12345, 32000 * HIDDEN - 1}) {
                assertThat(halves.get(i)).as("element %d", i)
                        .isEqualTo(Float16.fromFloat(Float16.toFloat(pattern(i, 1)) + Float16.toFloat(pattern(i, 0))));
            }
            assertThat(halves.get(32000 * HIDDEN + 7)).as("row 32000 from the delta")
                    .isEqualTo(pattern(32000 * HIDDEN + 7, 1));
        }
    }

    /** Writes the four tensors (32000-row embeddings for the base) from one refilled direct buffer. */
    private static void write(Path folder, ByteBuffer scratch, int seed, boolean isBase) throws IOException {
        ShortBuffer s = scratch.clear().asShortBuffer();
        for (int i = 0; i < s.capacity(); i++) {
            s.put(i, pattern(i, seed));
        }
        Files.createDirectories(folder);
        SafeTensorsWriter w = new SafeTensorsWriter();
        DELTA_SHAPES.forEach((name, deltaShape) -> {
            long[] shape = deltaShape.clone();
            if (isBase && shape[0] == 32001) {
                shape[0] = 32000;
            }
            int bytes = Math.toIntExact(RawTensor.numel(shape) * 2);
            w.add(name, DType.F16, shape, () -> scratch.duplicate().position(0).limit(bytes));
        });
        w.write(folder.resolve("model.safetensors"));
    }

    /** Values spread over a few binades, so sums round: multiples of 2^-7 (delta) and 2^-9 (base). */
    private static short pattern(int i, int seed) {
        return seed == 1 ? Float16.fromFloat(((i % 251) - 125) * 0x1p-7f)
                : Float16.fromFloat(((i * 7 % 241) - 120) * 0x1p-9f);
    }

    private static long allocatedByAllThreads(com.sun.management.ThreadMXBean threads) {
        return Arrays.stream(threads.getThreadAllocatedBytes(threads.getAllThreadIds())).filter(b -> b > 0).sum();
    }

    /** Used heap after a full collection (System.gc() twice, as one request may not finish reference processing). */
    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }
}
