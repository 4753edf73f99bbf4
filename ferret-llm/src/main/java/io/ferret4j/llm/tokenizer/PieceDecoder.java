package io.ferret4j.llm.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * sentencepiece's {@code Decode} of one id sequence, fed one id at a time so that it can also stream. Rules
 * (from {@code sentencepiece_processor.cc}): CONTROL pieces print nothing; the UNKNOWN piece prints the unk
 * surface (" ⁇ "); {@code ▁} prints a space, except that the leading {@code ▁} of the first piece is dropped
 * (the dummy prefix) while the output is still empty and no earlier piece dropped one; consecutive BYTE pieces
 * are collected and decoded as UTF-8, each byte that does not start a well-formed character printing U+FFFD.
 *
 * <p>{@link #append} returns only text that later ids cannot change: bytes that may still become a character
 * are held until the character completes or the byte run ends. One instance per sequence; not thread-safe.
 */
final class PieceDecoder {
    private static final char REPLACEMENT_CHARACTER = '\uFFFD';

    private final SentencePieceModel model;
    private final byte[] pendingBytes = new byte[4];
    private int pendingCount;
    /** {@code is_bos_ws}: a leading {@code ▁} may still be dropped. */
    private boolean atStart = true;
    /** {@code bos_ws_seen}: the previous piece dropped its leading {@code ▁}. */
    private boolean droppedSpace;
    private boolean textEmpty = true;

    PieceDecoder(SentencePieceModel model) {
        this.model = model;
    }

    /** Adds one piece id (in range) and returns the text it makes final, possibly empty. */
    String append(int id) {
        StringBuilder out = new StringBuilder();
        if (model.type(id) == SentencePieceModel.PieceType.BYTE) {
            pendingBytes[pendingCount++] = (byte) model.byteValue(id);
            drainBytes(out, false);
            return out.toString();
        }
        drainBytes(out, true);
        if (droppedSpace || !textEmpty) {
            atStart = false;
        }
        String surface = surface(id);
        textEmpty &= surface.isEmpty();
        return out.append(surface).toString();
    }

    /** Ends the sequence: returns the held bytes decoded, an incomplete character becoming U+FFFD per byte. */
    String finish() {
        StringBuilder out = new StringBuilder();
        drainBytes(out, true);
        return out.toString();
    }

    private String surface(int id) {
        droppedSpace = false;
        switch (model.type(id)) {
            case CONTROL:
                return "";
            case UNKNOWN:
                return model.unkSurface();
            default:
                String piece = model.piece(id);
                if (atStart && model.addDummyPrefix() && piece.startsWith(SentencePieceModel.SPACE_SYMBOL)) {
                    piece = piece.substring(1);
                    droppedSpace = true;
                }
                return piece.replace(SentencePieceModel.SPACE_SYMBOL.charAt(0), ' ');
        }
    }

    /** Decodes the held bytes; keeps a possible prefix of a character unless {@code runEnded}. */
    private void drainBytes(StringBuilder out, boolean runEnded) {
        while (pendingCount > 0) {
            int length = utf8CharLength(pendingBytes, pendingCount);
            if (length == 0 && !runEnded) {
                return;
            }
            if (length > 0) {
                out.append(new String(pendingBytes, 0, length, StandardCharsets.UTF_8));
            } else {
                out.append(REPLACEMENT_CHARACTER);
                length = 1;
            }
            textEmpty = false;
            pendingCount -= length;
            System.arraycopy(pendingBytes, length, pendingBytes, 0, pendingCount);
        }
    }

    /**
     * The length of the well-formed UTF-8 character at the start of {@code bytes[0..count)}; 0 if those bytes
     * are a proper prefix of one (more bytes could complete it); -1 if no continuation can make them one.
     * Well-formed means Unicode table 3-7 (no overlongs, surrogates or code points above U+10FFFF), which is
     * exactly what sentencepiece's {@code IsValidDecodeUTF8} accepts.
     */
    static int utf8CharLength(byte[] bytes, int count) {
        int b0 = bytes[0] & 0xFF;
        int length;
        int secondMin = 0x80;
        int secondMax = 0xBF;
        if (b0 < 0x80) {
            return 1;
        } else if (b0 >= 0xC2 && b0 <= 0xDF) {
            length = 2;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            length = 3;
            secondMin = b0 == 0xE0 ? 0xA0 : 0x80;
            secondMax = b0 == 0xED ? 0x9F : 0xBF;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            length = 4;
            secondMin = b0 == 0xF0 ? 0x90 : 0x80;
            secondMax = b0 == 0xF4 ? 0x8F : 0xBF;
        } else {
            return -1;
        }
        for (int i = 1; i < Math.min(count, length); i++) {
            int b = bytes[i] & 0xFF;
            boolean ok = i == 1 ? b >= secondMin && b <= secondMax : b >= 0x80 && b <= 0xBF;
            if (!ok) {
                return -1;
            }
        }
        return count >= length ? length : 0;
    }
}
