package io.ferret4j.core.weights;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import io.ferret4j.core.weights.TorchFixtures.Spec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multi-gigabyte checkpoints, made cheaply as sparse files: tensors are mapped, never copied onto the heap, and
 * offsets past 4 GiB (ZIP64) are read correctly.
 */
final class LargeCheckpointTest {
    private static final long HEAP_BUDGET = 8L * 1024 * 1024;
    private static final long QUARTER = 512L * 1024 * 1024;              // bytes per big safetensors tensor

    @TempDir
    Path dir;

    @Test
    void twoGigabyteSafetensorsCostsNoHeap() throws IOException {
        Path file = dir.resolve("big.safetensors");
        StringBuilder header = new StringBuilder("{");
        for (int i = 0; i < 4; i++) {
            header.append(String.format("\"big.%d\":{\"dtype\":\"F32\",\"shape\":[%d],\"data_offsets\":[%d,%d]},",
                    i, QUARTER / 4, i * QUARTER, (i + 1) * QUARTER));
        }
        header.append(String.format("\"small\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[%d,%d]}}",
                4 * QUARTER, 4 * QUARTER + 16));
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        long data = 8 + json.length;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(le(8).putLong(0, json.length).array());
            raf.write(json);
            raf.setLength(data + 4 * QUARTER + 16);
        }
        writeFloat(file, data + QUARTER + 1000 * 4, -1.25f);             // big.1[1000]
        writeFloat(file, data + 4 * QUARTER - 4, 42.5f);                 // big.3[last]
        writeFloat(file, data + 4 * QUARTER + 8, 3f);                    // small[2]
        assertThat(Files.size(file)).isGreaterThan(2L << 30);
        try {
            long before = usedHeap();
            List<RawTensor> all = new ArrayList<>();
            try (TensorSource src = Checkpoints.open(file)) {
                for (String name : src.names()) {
                    all.add(src.get(name));
                }
            }
            assertThat(all).hasSize(5);
            assertThat(all.get(1).bytes().getFloat(1000 * 4)).isEqualTo(-1.25f);
            assertThat(all.get(3).bytes().getFloat((int) QUARTER - 4)).isEqualTo(42.5f);
            assertThat(all.get(3).bytes().getFloat(0)).isZero();
            assertThat(all.get(4).toFloats()).containsExactly(0, 0, 3, 0);
            long growth = usedHeap() - before;
            assertThat(growth).as("heap growth in bytes while holding %d tensors of %d bytes", all.size(),
                    Files.size(file)).isLessThan(HEAP_BUDGET);
            Collections.reverse(all);                                     // keep every tensor reachable until here
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void zip64BinPastFourGigabytesReadsMappedStorages() throws IOException {
        // four 1.5 GiB storages: the last record starts past 4 GiB, so its offset needs a ZIP64 extra field
        long numel = 3L << 27;                                          // 402,653,184 floats = 1.5 GiB
        List<Spec> specs = List.of(
                Spec.contiguous("a", "FloatStorage", "0", numel),
                Spec.contiguous("b", "FloatStorage", "1", numel),
                Spec.contiguous("c", "FloatStorage", "2", numel),
                new Spec("d", "FloatStorage", "3", numel, numel - 6, new long[] {2, 3}, new long[] {3, 1}));
        Path file = dir.resolve("pytorch_model-00001-of-00002.bin");
        List<Record> records = new ArrayList<>();
        records.add(new Record("archive/data.pkl", TorchFixtures.stateDict(specs), 0, false));
        for (int i = 0; i < 4; i++) {
            records.add(new Record("archive/data/" + i, null, numel * 4, i == 1));
        }
        records.add(new Record("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII), 0, false));
        long[] dataAt = writeSparseZip64(file, records);
        assertThat(dataAt[4]).isGreaterThan(1L << 32);
        writeFloat(file, dataAt[1] + 7 * 4, 7.5f);                       // a[7]
        writeFloat(file, dataAt[2] + (numel - 1) * 4, -3f);              // b[last]
        for (int i = 0; i < 6; i++) {
            writeFloat(file, dataAt[4] + (numel - 6 + i) * 4, i + 1);    // d = [[1,2,3],[4,5,6]]
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {                 // the JDK agrees the fixture is a valid zip64
            ZipEntry last = zip.getEntry("archive/data/3");
            assertThat(last.getSize()).isEqualTo(numel * 4);
            assertThat(last.getMethod()).isEqualTo(ZipEntry.STORED);
        }
        try {
            long before = usedHeap();
            RawTensor a;
            RawTensor b;
            RawTensor d;
            try (TensorSource src = Checkpoints.open(file)) {
                assertThat(src.names()).containsExactly("a", "b", "c", "d");
                a = src.get("a");
                b = src.get("b");
                d = src.get("d");
                assertThat(src.get("c").bytes().getFloat(0)).isZero();
            }
            assertThat(a.bytes().getFloat(7 * 4)).isEqualTo(7.5f);
            assertThat(b.bytes().getFloat((int) (numel - 1) * 4)).isEqualTo(-3f);
            assertThat(d.shape()).containsExactly(2, 3);
            assertThat(d.toFloats()).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(usedHeap() - before).as("heap growth in bytes").isLessThan(HEAP_BUDGET);
        } finally {
            Files.delete(file);
        }
    }

    /** One archive member: {@code content}, or {@code size} zero bytes left as a hole; optionally all-ZIP64. */
    private record Record(String name, byte[] content, long size, boolean forceZip64) {
        long length() {
            return content == null ? size : content.length;
        }
    }

    /**
     * Writes a STORED archive as PyTorch's writer lays it out (each record's data 64-byte aligned by an
     * {@code FB} padding extra field in its local header), leaving the zero-filled records as holes of a sparse
     * file, and ending with ZIP64 end records. CRCs of the hole records are not computed (no reader here checks
     * them). Returns the data offset of each record.
     */
    private static long[] writeSparseZip64(Path file, List<Record> records) throws IOException {
        long[] dataAt = new long[records.size()];
        long[] headerAt = new long[records.size()];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long pos = 0;
            for (int i = 0; i < records.size(); i++) {
                Record r = records.get(i);
                byte[] name = r.name().getBytes(StandardCharsets.UTF_8);
                int pad = (int) (64 - (pos + 30 + name.length + 4) % 64) % 64;
                ByteBuffer local = le(30 + name.length + 4 + pad).putInt(0x04034b50).putShort((short) 45)
                        .putShort((short) 0).putShort((short) 0).putInt(0).putInt(crc(r))
                        .putInt((int) r.length()).putInt((int) r.length()).putShort((short) name.length)
                        .putShort((short) (4 + pad)).put(name).putShort((short) 0x4246).putShort((short) pad);
                headerAt[i] = pos;
                pos += write(ch, local, pos);
                dataAt[i] = pos;
                if (r.content() != null) {
                    write(ch, ByteBuffer.wrap(r.content()), pos);
                }
                pos += r.length();
            }
            long dirAt = pos;
            for (int i = 0; i < records.size(); i++) {
                pos += write(ch, central(records.get(i), headerAt[i]), pos);
            }
            long zip64At = pos;
            ByteBuffer end = le(56 + 20 + 22)
                    .putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                    .putLong(records.size()).putLong(records.size()).putLong(zip64At - dirAt).putLong(dirAt)
                    .putInt(0x07064b50).putInt(0).putLong(zip64At).putInt(1)
                    .putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) -1)
                    .putShort((short) -1).putInt(-1).putInt(-1).putShort((short) 0);
            write(ch, end, pos);
        }
        return dataAt;
    }

    private static ByteBuffer central(Record r, long headerAt) {
        byte[] name = r.name().getBytes(StandardCharsets.UTF_8);
        boolean bigSizes = r.forceZip64();
        boolean bigOffset = r.forceZip64() || headerAt >= 0xffffffffL;
        int extra = (bigSizes ? 16 : 0) + (bigOffset ? 8 : 0);
        ByteBuffer c = le(46 + name.length + (extra > 0 ? 4 + extra : 0))
                .putInt(0x02014b50).putShort((short) 45).putShort((short) 45).putShort((short) 0)
                .putShort((short) 0).putInt(0).putInt(crc(r))
                .putInt(bigSizes ? -1 : (int) r.length()).putInt(bigSizes ? -1 : (int) r.length())
                .putShort((short) name.length).putShort((short) (extra > 0 ? 4 + extra : 0)).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0).putInt(0).putInt(bigOffset ? -1 : (int) headerAt).put(name);
        if (extra > 0) {
            c.putShort((short) 1).putShort((short) extra);
            if (bigSizes) {
                c.putLong(r.length()).putLong(r.length());
            }
            if (bigOffset) {
                c.putLong(headerAt);
            }
        }
        return c;
    }

    private static int crc(Record r) {
        if (r.content() == null) {
            return 0;
        }
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(r.content());
        return (int) crc.getValue();
    }

    private static int write(FileChannel ch, ByteBuffer b, long at) throws IOException {
        b.rewind();
        int n = b.remaining();
        long pos = at;
        while (b.hasRemaining()) {
            pos += ch.write(b, pos);
        }
        return n;
    }

    private static void writeFloat(Path file, long at, float value) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            write(ch, le(4).putFloat(0, value), at);
        }
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Used heap after a full collection (System.gc() twice, as one request may not finish reference processing). */
    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }
}
