package io.ferret4j.core.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A memory-mapped {@code .safetensors} file. The header is validated completely when the file is opened
 * (size limit, JSON shape, known dtypes, offsets inside the file, no overlaps or holes, shape × dtype size ==
 * byte length); tensor bytes are mapped on demand and never copied onto the Java heap.
 */
public final class SafeTensors implements TensorSource {
    /** Same limit as the reference Rust implementation. */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Entry(DType dtype, long[] shape, long begin, long end) {
    }

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafeTensors(Path path, FileChannel channel, long dataStart, Map<String, Entry> entries,
                        Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    /**
     * Opens and validates a safetensors file.
     *
     * @throws CheckpointException naming the file and the problem if it cannot be read or is malformed
     */
    public static SafeTensors open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException(path, "cannot open: " + e, e);
        }
        try {
            return read(path, channel);
        } catch (RuntimeException e) {
            closeQuietly(channel, e);
            throw e;
        }
    }

    private static SafeTensors read(Path path, FileChannel channel) {
        try {
            long size = channel.size();
            if (size < 8) {
                throw new CheckpointException(path, "file is " + size + " bytes, too short for a safetensors header");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
                throw new CheckpointException(path, "header length " + headerLen + " outside [2, " + MAX_HEADER_BYTES + "]");
            }
            if (8 + headerLen > size) {
                throw new CheckpointException(path, "header length " + headerLen + " runs past the end of the file ("
                        + size + " bytes)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(channel, header, 8);
            long dataStart = 8 + headerLen;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, Entry> entries = parseHeader(path, header.array(), size - dataStart, metadata);
            return new SafeTensors(path, channel, dataStart, entries, Collections.unmodifiableMap(metadata));
        } catch (IOException e) {
            throw new CheckpointException(path, "read failed: " + e, e);
        }
    }

    private static Map<String, Entry> parseHeader(Path path, byte[] bytes, long dataLen, Map<String, String> metadata) {
        JsonNode root;
        try {
            root = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new CheckpointException(path, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(path, "header is not a JSON object");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals("__metadata__")) {
                readMetadata(path, f.getValue(), metadata);
            } else {
                entries.put(f.getKey(), parseEntry(path, f.getKey(), f.getValue(), dataLen));
            }
        }
        checkLayout(path, entries, dataLen);
        return entries;
    }

    private static void readMetadata(Path path, JsonNode node, Map<String, String> metadata) {
        if (!node.isObject()) {
            throw new CheckpointException(path, "__metadata__ is not an object");
        }
        node.fields().forEachRemaining(m -> {
            if (!m.getValue().isTextual()) {
                throw new CheckpointException(path, "__metadata__ value for '" + m.getKey() + "' is not a string");
            }
            metadata.put(m.getKey(), m.getValue().asText());
        });
    }

    private static Entry parseEntry(Path path, String name, JsonNode node, long dataLen) {
        String where = "tensor '" + name + "': ";
        if (!node.isObject() || !node.path("dtype").isTextual() || !node.path("shape").isArray()
                || !node.path("data_offsets").isArray() || node.path("data_offsets").size() != 2) {
            throw new CheckpointException(path, where + "entry needs dtype, shape and data_offsets [begin, end]");
        }
        DType dtype;
        try {
            dtype = DType.fromSafetensors(node.get("dtype").asText());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(path, where + e.getMessage());
        }
        JsonNode shapeNode = node.get("shape");
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw new CheckpointException(path, where + "bad dimension " + d + " in shape " + shapeNode);
            }
            shape[i] = d.asLong();
        }
        JsonNode off = node.get("data_offsets");
        if (!off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber()) {
            throw new CheckpointException(path, where + "data_offsets " + off + " are not integers");
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (begin < 0 || end < begin || end > dataLen) {
            throw new CheckpointException(path, where + "data_offsets [" + begin + ", " + end
                    + "] outside the data section of " + dataLen + " bytes");
        }
        long expected;
        try {
            expected = Math.multiplyExact(RawTensor.numel(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new CheckpointException(path, where + "shape " + shapeNode + " overflows");
        }
        if (end - begin != expected) {
            throw new CheckpointException(path, where + dtype + shapeNode + " needs " + expected
                    + " bytes but data_offsets span " + (end - begin));
        }
        return new Entry(dtype, shape, begin, end);
    }

    /** Tensors must tile the data section exactly, as the reference implementation requires. */
    private static void checkLayout(Path path, Map<String, Entry> entries, long dataLen) {
        List<Map.Entry<String, Entry>> sorted = new ArrayList<>(entries.entrySet());
        sorted.sort(Comparator.comparingLong((Map.Entry<String, Entry> e) -> e.getValue().begin())
                .thenComparingLong(e -> e.getValue().end()));
        long cursor = 0;
        String previous = null;
        for (Map.Entry<String, Entry> e : sorted) {
            Entry t = e.getValue();
            if (t.begin() < cursor) {
                throw new CheckpointException(path, "tensor '" + e.getKey() + "' [" + t.begin() + ", " + t.end()
                        + "] overlaps tensor '" + previous + "' ending at " + cursor);
            }
            if (t.begin() > cursor) {
                throw new CheckpointException(path, "gap of " + (t.begin() - cursor) + " bytes before tensor '"
                        + e.getKey() + "' at offset " + t.begin());
            }
            cursor = t.end();
            previous = e.getKey();
        }
        if (cursor != dataLen) {
            throw new CheckpointException(path, "tensors cover " + cursor + " bytes but the data section has "
                    + dataLen);
        }
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    /** The {@code __metadata__} strings (empty if the file has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public RawTensor get(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new CheckpointException(path, "no tensor '" + name + "'");
        }
        try {
            if (e.end() == e.begin()) {
                return new RawTensor(name, e.dtype(), e.shape(), ByteBuffer.allocate(0), path);
            }
            return RawTensor.owning(name, e.dtype(), e.shape(),
                    channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.end() - e.begin()), path);
        } catch (IOException ex) {
            throw new CheckpointException(path, "cannot map tensor '" + name + "': " + ex, ex);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new CheckpointException(path, "close failed: " + e, e);
        }
    }

    static void readFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at offset " + pos);
            }
            pos += n;
        }
    }

    static void closeQuietly(AutoCloseable c, Throwable failure) {
        try {
            c.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }

    @Override
    public String toString() {
        return "SafeTensors[" + path + ", " + entries.size() + " tensors]";
    }
}
