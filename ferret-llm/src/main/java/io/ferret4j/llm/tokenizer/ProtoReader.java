package io.ferret4j.llm.tokenizer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The part of the protobuf wire format that {@code sentencepiece_model.proto} uses: varints, 32-bit and 64-bit
 * fixed fields and length-delimited fields (strings, bytes, sub-messages). Groups (wire types 3 and 4) never
 * occur in that schema and are rejected, which is also what makes most non-protobuf files fail fast.
 * Every malformation throws {@link IllegalArgumentException} naming the byte offset.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final byte[] buf;
    private final int end;
    private int pos;

    ProtoReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    private ProtoReader(byte[] buf, int start, int end) {
        this.buf = buf;
        this.pos = start;
        this.end = end;
    }

    boolean hasNext() {
        return pos < end;
    }

    /** Reads a field key; {@code key >>> 3} is the field number and {@code key & 7} the wire type. */
    int readKey() {
        int at = pos;
        long key = readVarint();
        int wireType = (int) (key & 7);
        if (key >>> 3 == 0 || key >>> 3 > 0x1FFFFFFF) {
            throw new IllegalArgumentException("invalid field number " + (key >>> 3) + " at byte " + at);
        }
        if (wireType != VARINT && wireType != FIXED64 && wireType != LENGTH_DELIMITED && wireType != FIXED32) {
            throw new IllegalArgumentException("unsupported wire type " + wireType + " at byte " + at);
        }
        return (int) key;
    }

    long readVarint() {
        long value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            require(1);
            byte b = buf[pos++];
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint longer than 10 bytes at byte " + (pos - 10));
    }

    boolean readBool() {
        return readVarint() != 0;
    }

    float readFloat() {
        require(4);
        int bits = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16 | (buf[pos + 3] & 0xFF) << 24;
        pos += 4;
        return Float.intBitsToFloat(bits);
    }

    /** A reader over the next length-delimited field, which this reader then skips. */
    ProtoReader readMessage() {
        int length = readLength();
        ProtoReader sub = new ProtoReader(buf, pos, pos + length);
        pos += length;
        return sub;
    }

    byte[] readBytes() {
        int length = readLength();
        byte[] out = new byte[length];
        System.arraycopy(buf, pos, out, 0, length);
        pos += length;
        return out;
    }

    /** A length-delimited field decoded as strict UTF-8 (protobuf {@code string}). */
    String readString() {
        int at = pos;
        byte[] bytes = readBytes();
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("string field at byte " + at + " is not valid UTF-8", e);
        }
    }

    /** Skips the value of a field of the given wire type. */
    void skip(int wireType) {
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> advance(8);
            case FIXED32 -> advance(4);
            case LENGTH_DELIMITED -> advance(readLength());
            default -> throw new IllegalArgumentException("unsupported wire type " + wireType + " at byte " + pos);
        }
    }

    private int readLength() {
        int at = pos;
        long length = readVarint();
        if (length < 0 || length > end - pos) {
            throw new IllegalArgumentException("length " + length + " at byte " + at + " runs past the end of its message ("
                    + (end - pos) + " bytes left)");
        }
        return (int) length;
    }

    private void advance(int n) {
        require(n);
        pos += n;
    }

    private void require(int n) {
        if (end - pos < n) {
            throw new IllegalArgumentException("truncated field at byte " + pos + ": need " + n + " bytes, "
                    + (end - pos) + " left");
        }
    }
}
