package io.ferret4j.core.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.ferret4j.core.weights.TorchFixtures.Spec;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Corrupted checkpoints are either read or refused with a {@link CheckpointException}: no other exception, no
 * hang, whatever bytes the parser meets in the ZIP structures or the pickle.
 */
final class PyTorchCheckpointFuzzTest {
    private static final byte[] PICKLE = TorchFixtures.stateDict(List.of(
            Spec.contiguous("w", "FloatStorage", "0", 3, 4),
            new Spec("t", "FloatStorage", "0", 12, 1, new long[] {3, 3}, new long[] {1, 4}),
            Spec.contiguous("ids", "LongStorage", "1", 2)));
    private static final byte[] VALID = valid();
    private static final int PICKLE_AT = indexOf(VALID, PICKLE);

    @Property(tries = 300)
    void flippedBytesAnywhereAreReadOrRefused(@ForAll long seed) throws IOException {
        Random random = new Random(seed);
        byte[] bytes = VALID.clone();
        for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        assertReadOrRefused(bytes);
    }

    @Property(tries = 300)
    void flippedPickleBytesAreReadOrRefused(@ForAll long seed) throws IOException {
        Random random = new Random(seed);
        byte[] bytes = VALID.clone();
        for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
            bytes[PICKLE_AT + random.nextInt(PICKLE.length)] = (byte) random.nextInt(256);
        }
        assertReadOrRefused(bytes);
    }

    @Property(tries = 100)
    void everyTruncationIsRefused(@ForAll @IntRange(min = 0, max = 2000) int cut) throws IOException {
        int length = Math.min(cut, VALID.length - 1);
        Path file = Files.createTempFile("truncated", ".bin");
        try {
            Files.write(file, Arrays.copyOf(VALID, length));
            assertThatThrownBy(() -> PyTorchCheckpoint.open(file))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining(file.toString());
        } finally {
            Files.delete(file);
        }
    }

    private static void assertReadOrRefused(byte[] bytes) throws IOException {
        Path file = Files.createTempFile("fuzz", ".bin");
        try {
            Files.write(file, bytes);
            try (PyTorchCheckpoint ckpt = PyTorchCheckpoint.open(file)) {
                for (String name : ckpt.names()) {
                    try {
                        RawTensor t = ckpt.get(name);
                        assertThat(t.bytes().remaining()).isEqualTo(t.numel() * t.dtype().byteSize());
                    } catch (CheckpointException refused) {
                        assertThat(refused).hasMessageContaining(file.toString());
                    }
                }
            } catch (CheckpointException refused) {
                assertThat(refused).hasMessageContaining(file.toString());
            }
        } finally {
            Files.delete(file);
        }
    }

    private static byte[] valid() {
        try {
            Path file = Files.createTempFile("valid", ".bin");
            try {
                TorchFixtures.checkpoint(file, PICKLE, Map.of("0", TorchFixtures.f32Range(12),
                        "1", new byte[16]));
                return Files.readAllBytes(file);
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new IllegalStateException("pickle not found in the archive");
    }
}
