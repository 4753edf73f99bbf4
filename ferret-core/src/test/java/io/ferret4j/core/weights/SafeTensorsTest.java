package io.ferret4j.core.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.ferret4j.core.testing.Goldens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

final class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void readsTheGoldenClipModel() {
        try (SafeTensors st = SafeTensors.open(Goldens.path("clip/model/model.safetensors"))) {
            RawTensor patch = st.get("vision_model.embeddings.patch_embedding.weight");
            assertThat(patch.dtype()).isEqualTo(DType.F32);
            assertThat(patch.shape()).containsExactly(64, 3, 14, 14);
            INDArray a = patch.toFloatArray();
            assertThat(a.shape()).containsExactly(64, 3, 14, 14);
            assertThat(a.getFloat(0, 0, 0, 0)).isEqualTo(patch.bytes().getFloat(0));
            assertThat(a.getFloat(63, 2, 13, 13)).isEqualTo(patch.bytes().getFloat((int) (patch.numel() - 1) * 4));
        }
    }

    @Test
    void roundTripsEveryDtypeThroughTheWriter() {
        Path file = dir.resolve("t.safetensors");
        ByteBuffer f16 = le(4);
        f16.putShort(0, Float16.fromFloat(1.5f)).putShort(2, Float16.fromFloat(-2.25f));
        ByteBuffer bf16 = le(4);
        bf16.putShort(0, Float16.floatToBf16(3f)).putShort(2, Float16.floatToBf16(-0.5f));
        ByteBuffer i64 = le(16);
        i64.putLong(0, -200).putLong(8, 1L << 40);
        ByteBuffer i32 = le(8);
        i32.putInt(0, 7).putInt(4, -7);
        ByteBuffer u8 = le(2);
        u8.put(0, (byte) 255).put(1, (byte) 1);
        ByteBuffer i8 = le(2);
        i8.put(0, (byte) -128).put(1, (byte) 127);
        new SafeTensorsWriter()
                .metadata("format", "pt")
                .addF32("f32", new long[] {2, 2}, new float[] {1, 2, 3, 4})
                .add("f16", DType.F16, new long[] {2}, f16)
                .add("bf16", DType.BF16, new long[] {2}, bf16)
                .add("i64", DType.I64, new long[] {2}, i64)
                .add("i32", DType.I32, new long[] {2}, i32)
                .add("u8", DType.U8, new long[] {2}, u8)
                .add("i8", DType.I8, new long[] {2}, i8)
                .add("empty", DType.F32, new long[] {0, 3}, ByteBuffer.allocate(0))
                .write(file);

        try (SafeTensors st = SafeTensors.open(file)) {
            assertThat(st.metadata()).containsEntry("format", "pt");
            assertThat(st.names()).containsExactly("f32", "f16", "bf16", "i64", "i32", "u8", "i8", "empty");
            assertThat(st.get("f32").toFloats()).containsExactly(1, 2, 3, 4);
            assertThat(st.get("f32").toFloatArray().getFloat(1, 0)).isEqualTo(3f);
            assertThat(st.get("f16").toFloats()).containsExactly(1.5f, -2.25f);
            assertThat(st.get("bf16").toFloats()).containsExactly(3f, -0.5f);
            assertThat(st.get("i64").toLongs()).containsExactly(-200, 1L << 40);
            assertThat(st.get("i32").toInts()).containsExactly(7, -7);
            assertThat(st.get("u8").toLongs()).containsExactly(255, 1);
            assertThat(st.get("i8").toLongs()).containsExactly(-128, 127);
            assertThat(st.get("empty").numel()).isZero();
        }
        assertThat(dir.resolve("t.safetensors.partial")).doesNotExist();
    }

    @Test
    void rejectsATruncatedFile() throws IOException {
        Path good = writeOne();
        byte[] bytes = Files.readAllBytes(good);
        Path bad = dir.resolve("truncated.safetensors");
        Files.write(bad, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        assertThatThrownBy(() -> SafeTensors.open(bad))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("truncated.safetensors")
                .hasMessageContaining("outside the data section");
    }

    @Test
    void rejectsAFileShorterThanItsLengthPrefix() throws IOException {
        Path bad = dir.resolve("short.safetensors");
        Files.write(bad, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SafeTensors.open(bad)).hasMessageContaining("short.safetensors")
                .hasMessageContaining("too short");
    }

    @Test
    void rejectsAHeaderLengthPastTheEnd() throws IOException {
        assertThatThrownBy(() -> SafeTensors.open(raw("past.safetensors", 1000, "{}")))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("past.safetensors")
                .hasMessageContaining("runs past the end");
        assertThatThrownBy(() -> SafeTensors.open(raw("huge.safetensors", 1L << 40, "{}")))
                .hasMessageContaining("header length");
    }

    @Test
    void rejectsMalformedJson() throws IOException {
        assertThatThrownBy(() -> SafeTensors.open(raw("json.safetensors", -1, "{\"a\": [")))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("json.safetensors")
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> SafeTensors.open(raw("array.safetensors", -1, "[1,2]")))
                .hasMessageContaining("not a JSON object");
    }

    @Test
    void rejectsOffsetsOutOfRangeOverlappingOrWithGaps() throws IOException {
        String data = "\0".repeat(16);
        assertThatThrownBy(() -> SafeTensors.open(raw("range.safetensors", -1,
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[0,32]}}", data)))
                .hasMessageContaining("range.safetensors").hasMessageContaining("tensor 'a'")
                .hasMessageContaining("outside the data section");
        assertThatThrownBy(() -> SafeTensors.open(raw("overlap.safetensors", -1,
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", data)))
                .hasMessageContaining("overlap.safetensors").hasMessageContaining("overlaps tensor 'a'");
        assertThatThrownBy(() -> SafeTensors.open(raw("gap.safetensors", -1,
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", data)))
                .hasMessageContaining("gap of 8 bytes before tensor 'a'");
        assertThatThrownBy(() -> SafeTensors.open(raw("size.safetensors", -1,
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", data)))
                .hasMessageContaining("needs 12 bytes but data_offsets span 16");
    }

    @Test
    void rejectsAnUnknownDtype() throws IOException {
        assertThatThrownBy(() -> SafeTensors.open(raw("dtype.safetensors", -1,
                "{\"a\":{\"dtype\":\"F8_E9\",\"shape\":[2],\"data_offsets\":[0,2]}}", "\0\0")))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("dtype.safetensors").hasMessageContaining("tensor 'a'")
                .hasMessageContaining("unknown dtype 'F8_E9'");
    }

    @Test
    void namesTheFileAndTensorWhenATensorIsMissing() {
        try (SafeTensors st = SafeTensors.open(writeOne())) {
            assertThatThrownBy(() -> st.get("nope")).hasMessageContaining("one.safetensors")
                    .hasMessageContaining("no tensor 'nope'");
        }
    }

    @Test
    void failedOpensDoNotLeakFileHandles() throws IOException {
        Path bad = raw("leak.safetensors", -1, "{\"a\": [");
        long before = openFiles();
        for (int i = 0; i < 200; i++) {
            assertThatThrownBy(() -> SafeTensors.open(bad)).isInstanceOf(CheckpointException.class);
        }
        assertThat(openFiles()).isLessThan(before + 10);
    }

    private static long openFiles() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private Path writeOne() {
        Path p = dir.resolve("one.safetensors");
        new SafeTensorsWriter().addF32("x", new long[] {3}, new float[] {1, 2, 3}).write(p);
        return p;
    }

    private Path raw(String name, long declaredLength, String header) throws IOException {
        return raw(name, declaredLength, header, "");
    }

    private Path raw(String name, long declaredLength, String header, String data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        byte[] d = data.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = le(8 + h.length + d.length);
        b.putLong(declaredLength < 0 ? h.length : declaredLength).put(h).put(d);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
