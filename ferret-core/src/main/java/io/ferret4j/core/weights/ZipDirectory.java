package io.ferret4j.core.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The central directory of a ZIP archive, read straight from a {@link FileChannel} with 64-bit offsets
 * (ZIP64 end records and extra fields), so that entry data can be memory-mapped in place instead of being
 * streamed through an inflater. Only what a PyTorch checkpoint needs is supported: one disk, no encryption.
 * Every offset and size is checked against the file before it is used.
 */
final class ZipDirectory {
    /** A data.pkl or a storage record of a multi-gigabyte shard is far below this; the directory too. */
    static final long MAX_DIRECTORY_BYTES = 64L * 1024 * 1024;

    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int CENTRAL_SIG = 0x02014b50;
    private static final int LOCAL_SIG = 0x04034b50;
    private static final int EOCD_SIZE = 22;
    private static final int LOCAL_HEADER_SIZE = 30;
    private static final long U32_MAX = 0xffffffffL;

    /** Compression method 0: the bytes are stored as they are. */
    static final int STORED = 0;

    /**
     * One archive member.
     *
     * @param method     compression method (0 = stored, 8 = deflated, ...)
     * @param size       uncompressed size in bytes
     * @param storedSize size of the bytes in the archive
     * @param dataOffset file offset of the member's first data byte (after its local header)
     */
    record Entry(String name, int method, long size, long storedSize, long dataOffset) {
    }

    private ZipDirectory() {
    }

    /**
     * Reads the directory of the archive open on {@code channel}.
     *
     * @throws CheckpointException naming {@code path} if the file is not a well-formed ZIP archive
     */
    static Map<String, Entry> read(Path path, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        long eocd = findEndRecord(path, channel, fileSize);
        ByteBuffer end = readAt(channel, eocd, EOCD_SIZE);
        long count = end.getShort(10) & 0xffff;
        long dirSize = end.getInt(12) & U32_MAX;
        long dirOffset = end.getInt(16) & U32_MAX;
        long dirEnd = eocd;
        if (eocd >= 20 && readAt(channel, eocd - 20, 4).getInt(0) == ZIP64_LOCATOR_SIG) {
            long zip64 = readAt(channel, eocd - 20, 20).getLong(8);
            if (zip64 < 0 || zip64 > eocd - 20 - 56) {
                throw new CheckpointException(path, "zip64 end record offset " + zip64 + " is outside the file");
            }
            ByteBuffer z = readAt(channel, zip64, 56);
            if (z.getInt(0) != ZIP64_EOCD_SIG) {
                throw new CheckpointException(path, "no zip64 end record at offset " + zip64);
            }
            count = z.getLong(32);
            dirSize = z.getLong(40);
            dirOffset = z.getLong(48);
            dirEnd = zip64;
        }
        if (dirOffset < 0 || dirSize < 0 || dirSize > MAX_DIRECTORY_BYTES || dirOffset > dirEnd - dirSize) {
            throw new CheckpointException(path, "central directory [" + dirOffset + ", +" + dirSize
                    + "] does not fit before the end record at " + dirEnd + " (truncated or not a zip archive?)");
        }
        ByteBuffer dir = readAt(channel, dirOffset, (int) dirSize);
        Map<String, Entry> entries = new LinkedHashMap<>();
        int pos = 0;
        for (long i = 0; i < count; i++) {
            Central c = parseCentral(path, dir, pos);
            Entry e = resolve(path, channel, c, dirOffset);
            if (entries.put(e.name(), e) != null) {
                throw new CheckpointException(path, "zip entry '" + e.name() + "' appears twice");
            }
            pos = c.next();
        }
        return Collections.unmodifiableMap(entries);
    }

    /** A central directory record before its local header is checked. */
    private record Central(String name, byte[] rawName, int method, long size, long storedSize,
                           long localOffset, int next) {
    }

    private static Central parseCentral(Path path, ByteBuffer dir, int pos) {
        if (pos + 46 > dir.limit() || dir.getInt(pos) != CENTRAL_SIG) {
            throw new CheckpointException(path, "corrupt central directory at record offset " + pos);
        }
        int flags = dir.getShort(pos + 8) & 0xffff;
        int method = dir.getShort(pos + 10) & 0xffff;
        long storedSize = dir.getInt(pos + 20) & U32_MAX;
        long size = dir.getInt(pos + 24) & U32_MAX;
        int nameLen = dir.getShort(pos + 28) & 0xffff;
        int extraLen = dir.getShort(pos + 30) & 0xffff;
        int commentLen = dir.getShort(pos + 32) & 0xffff;
        int disk = dir.getShort(pos + 34) & 0xffff;
        long localOffset = dir.getInt(pos + 42) & U32_MAX;
        int next = pos + 46 + nameLen + extraLen + commentLen;
        if (next > dir.limit()) {
            throw new CheckpointException(path, "corrupt central directory: record at " + pos + " runs past its end");
        }
        byte[] rawName = new byte[nameLen];
        dir.get(pos + 46, rawName);
        String name = new String(rawName, StandardCharsets.UTF_8);
        if ((flags & 1) != 0) {
            throw new CheckpointException(path, "zip entry '" + name + "' is encrypted");
        }
        // ZIP64 extended information: the 64-bit values of exactly the fields saturated above, in this order.
        int extra = pos + 46 + nameLen;
        int extraEnd = extra + extraLen;
        while (extra + 4 <= extraEnd) {
            int id = dir.getShort(extra) & 0xffff;
            int len = dir.getShort(extra + 2) & 0xffff;
            int field = extra + 4;
            if (field + len > extraEnd) {
                throw new CheckpointException(path, "zip entry '" + name + "' has a malformed extra field");
            }
            if (id == 0x0001) {
                int p = field;
                if (size == U32_MAX) {
                    size = zip64Field(path, name, dir, p, field + len);
                    p += 8;
                }
                if (storedSize == U32_MAX) {
                    storedSize = zip64Field(path, name, dir, p, field + len);
                    p += 8;
                }
                if (localOffset == U32_MAX) {
                    localOffset = zip64Field(path, name, dir, p, field + len);
                }
            }
            extra = field + len;
        }
        if (disk != 0 && disk != 0xffff) {
            throw new CheckpointException(path, "zip entry '" + name + "' is on disk " + disk
                    + "; multi-volume archives are not supported");
        }
        return new Central(name, rawName, method, size, storedSize, localOffset, next);
    }

    private static long zip64Field(Path path, String name, ByteBuffer dir, int at, int end) {
        if (at + 8 > end) {
            throw new CheckpointException(path, "zip entry '" + name + "' has a short zip64 extra field");
        }
        long v = dir.getLong(at);
        if (v < 0) {
            throw new CheckpointException(path, "zip entry '" + name + "' has a zip64 value " + v + " out of range");
        }
        return v;
    }

    /** Reads the local header to find where the entry's data starts, and checks it lies before the directory. */
    private static Entry resolve(Path path, FileChannel channel, Central c, long dirOffset) throws IOException {
        if (c.localOffset() > dirOffset - LOCAL_HEADER_SIZE) {
            throw new CheckpointException(path, "zip entry '" + c.name() + "' has its local header at "
                    + c.localOffset() + ", past the central directory at " + dirOffset);
        }
        ByteBuffer local = readAt(channel, c.localOffset(), LOCAL_HEADER_SIZE);
        int nameLen = local.getShort(26) & 0xffff;
        int extraLen = local.getShort(28) & 0xffff;
        if (local.getInt(0) != LOCAL_SIG || nameLen != c.rawName().length) {
            throw new CheckpointException(path, "zip entry '" + c.name() + "' has no matching local header at "
                    + c.localOffset());
        }
        long nameAt = c.localOffset() + LOCAL_HEADER_SIZE;
        if (nameAt + nameLen > dirOffset
                || !Arrays.equals(readAt(channel, nameAt, nameLen).array(), c.rawName())) {
            throw new CheckpointException(path, "zip entry '" + c.name() + "': local header names another file");
        }
        long dataOffset = nameAt + nameLen + extraLen;
        if (c.storedSize() > dirOffset - dataOffset) {
            throw new CheckpointException(path, "zip entry '" + c.name() + "' data [" + dataOffset + ", +"
                    + c.storedSize() + "] runs into the central directory at " + dirOffset + " (truncated?)");
        }
        return new Entry(c.name(), c.method(), c.size(), c.storedSize(), dataOffset);
    }

    /** The end-of-central-directory record sits in the last 64 KiB + 22 bytes, its comment reaching the end. */
    private static long findEndRecord(Path path, FileChannel channel, long fileSize) throws IOException {
        int tail = (int) Math.min(fileSize, EOCD_SIZE + 0xffff);
        if (tail < EOCD_SIZE) {
            throw new CheckpointException(path, "file is " + fileSize + " bytes, too short for a zip archive");
        }
        ByteBuffer buf = readAt(channel, fileSize - tail, tail);
        for (int i = tail - EOCD_SIZE; i >= 0; i--) {
            if (buf.getInt(i) == EOCD_SIG && i + EOCD_SIZE + (buf.getShort(i + 20) & 0xffff) == tail) {
                return fileSize - tail + i;
            }
        }
        throw new CheckpointException(path, "not a zip archive: no end-of-central-directory record "
                + "(truncated file, or a legacy pre-1.6 torch.save file?)");
    }

    /** Reads {@code length} bytes at {@code offset} into a little-endian heap buffer. */
    static ByteBuffer readAt(FileChannel channel, long offset, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        SafeTensors.readFully(channel, buf, offset);
        buf.flip();
        return buf;
    }
}
