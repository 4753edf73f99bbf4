package io.ferret4j.core.weights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Writes a {@code .safetensors} file tensor by tensor. Data can be given up front or as a supplier that is
 * called only when that tensor is written, so a converter never holds a whole model in memory. The file
 * appears atomically: it is written beside the target and moved into place when complete.
 */
public final class SafeTensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Pending(String name, DType dtype, long[] shape, Supplier<ByteBuffer> data) {
    }

    private final List<Pending> tensors = new ArrayList<>();
    private final Set<String> names = new LinkedHashSet<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /** Adds a {@code __metadata__} entry. */
    public SafeTensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds a tensor whose little-endian bytes are already at hand. */
    public SafeTensorsWriter add(String name, DType dtype, long[] shape, ByteBuffer data) {
        ByteBuffer copy = data.duplicate();
        return add(name, dtype, shape, () -> copy.duplicate());
    }

    /** Adds a tensor whose bytes are produced when the writer reaches it. */
    public SafeTensorsWriter add(String name, DType dtype, long[] shape, Supplier<ByteBuffer> data) {
        if (name.equals("__metadata__") || !names.add(name)) {
            throw new IllegalArgumentException("duplicate or reserved tensor name '" + name + "'");
        }
        tensors.add(new Pending(name, dtype, shape.clone(), data));
        return this;
    }

    /** Adds float values as F32. */
    public SafeTensorsWriter addF32(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return add(name, DType.F32, shape, b);
    }

    /** Adds a tensor copied from another checkpoint, under a possibly new name. */
    public SafeTensorsWriter add(String name, RawTensor t) {
        return add(name, t.dtype(), t.shape(), t.bytes());
    }

    /** Writes the file; on any failure the target is left untouched and no partial file remains. */
    public void write(Path target) {
        Path tmp = target.resolveSibling(target.getFileName() + ".partial");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeTo(out);
                out.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("writing " + target + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    private void writeTo(FileChannel out) throws IOException {
        byte[] header = header();
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
        writeFully(out, len);
        writeFully(out, ByteBuffer.wrap(header));
        for (Pending t : tensors) {
            ByteBuffer data = t.data().get().duplicate();
            long expected = RawTensor.numel(t.shape()) * t.dtype().byteSize();
            if (data.remaining() != expected) {
                throw new IllegalStateException("tensor '" + t.name() + "' should have " + expected
                        + " bytes, its supplier gave " + data.remaining());
            }
            writeFully(out, data);
        }
    }

    private byte[] header() {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = root.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Pending t : tensors) {
            ObjectNode e = root.putObject(t.name());
            e.put("dtype", t.dtype().safetensorsName());
            ArrayNode shape = e.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            long bytes = RawTensor.numel(t.shape()) * t.dtype().byteSize();
            e.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;                     // keep the data 8-byte aligned
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            out[i] = ' ';
        }
        return out;
    }

    private static void writeFully(FileChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // the original failure is what the caller needs to see
        }
    }
}
