package io.ferret4j.core.weights;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds {@code torch.save}-style checkpoints in tests: pickle bytes opcode by opcode (as CPython's pickler
 * writes them at protocol 2) and ZIP archives through {@code java.util.zip}, so malicious and malformed fixtures
 * live in the test code rather than as opaque binary files.
 */
public final class TorchFixtures {
    private TorchFixtures() {
    }

    /** One tensor of a state dict: a view of storage record {@code key}. */
    public record Spec(String name, String storageClass, String key, long storageNumel, long offset, long[] size,
                       long[] stride) {
        /** A tensor that is all of its storage, in C order. */
        public static Spec contiguous(String name, String storageClass, String key, long... size) {
            long[] stride = new long[size.length];
            long s = 1;
            for (int i = size.length - 1; i >= 0; i--) {
                stride[i] = s;
                s *= size[i];
            }
            return new Spec(name, storageClass, key, s, 0, size, stride);
        }
    }

    /** Pickle bytes, written opcode by opcode. */
    static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int... bytes) {
            for (int b : bytes) {
                out.write(b);
            }
            return this;
        }

        Pickle proto(int version) {
            return op(0x80, version);
        }

        Pickle global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickle str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X').int32(b.length);
            out.writeBytes(b);
            return this;
        }

        Pickle shortStr(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op(0x8c, b.length);
            out.writeBytes(b);
            return this;
        }

        /** The smallest of BININT1 / BININT2 / BININT, as CPython picks. */
        Pickle integer(long v) {
            if (v >= 0 && v < 256) {
                return op('K', (int) v);
            }
            if (v >= 0 && v < 65536) {
                return op('M', (int) v & 0xff, (int) (v >>> 8));
            }
            if (v == (int) v) {
                return op('J').int32((int) v);
            }
            op(0x8a, 8);
            for (int i = 0; i < 8; i++) {
                out.write((int) (v >>> (8 * i)));
            }
            return this;
        }

        Pickle ints(long[] values) {
            op('(');
            for (long v : values) {
                integer(v);
            }
            return op('t');
        }

        Pickle int32(int v) {
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
            return this;
        }

        Pickle emptyOrderedDict() {
            return global("collections", "OrderedDict").op(')', 'R');
        }

        /** {@code _rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())}. */
        Pickle tensor(Spec t) {
            global("torch._utils", "_rebuild_tensor_v2").op('(');
            op('(').str("storage").global("torch", t.storageClass()).str(t.key()).str("cpu")
                    .integer(t.storageNumel()).op('t', 'Q');
            integer(t.offset()).ints(t.size()).ints(t.stride()).op(0x89);
            return emptyOrderedDict().op('t', 'R');
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** The pickle torch.save writes for a state dict: {@code {name: tensor, ...}} via EMPTY_DICT + SETITEMS. */
    public static byte[] stateDict(List<Spec> tensors) {
        Pickle p = new Pickle().proto(2).op('}', '(');
        for (Spec t : tensors) {
            p.str(t.name()).tensor(t);
        }
        return p.op('u', '.').bytes();
    }

    /** A checkpoint file: {@code archive/data.pkl} plus the given storage records, all STORED. */
    public static Path checkpoint(Path file, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put("archive/data.pkl", pickle);
        storages.forEach((key, bytes) -> records.put("archive/data/" + key, bytes));
        records.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return zip(file, records, List.of());
    }

    /** Writes a ZIP archive; the records named in {@code deflated} are compressed, all others STORED. */
    static Path zip(Path file, Map<String, byte[]> records, List<String> deflated) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> r : records.entrySet()) {
                ZipEntry e = new ZipEntry(r.getKey());
                if (!deflated.contains(r.getKey())) {
                    CRC32 crc = new CRC32();
                    crc.update(r.getValue());
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(r.getValue().length);
                    e.setCompressedSize(r.getValue().length);
                    e.setCrc(crc.getValue());
                }
                zip.putNextEntry(e);
                zip.write(r.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }

    /** Little-endian float32 bytes. */
    static byte[] f32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    /** Float32 bytes 0, 1, 2, ... n-1. */
    static byte[] f32Range(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return f32(v);
    }

    static boolean allFinite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    static long openFiles() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
