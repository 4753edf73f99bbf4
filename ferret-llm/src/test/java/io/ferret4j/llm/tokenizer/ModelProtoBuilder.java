package io.ferret4j.llm.tokenizer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes small SentencePiece {@code ModelProto}s for tests, in the protobuf wire format of
 * {@code sentencepiece_model.proto}. By default: a BPE model with LLaMA's settings (identity normalizer,
 * dummy prefix, kept whitespace, byte fallback) and LLaMA's first 259 pieces ({@code <unk>}, {@code <s>},
 * {@code </s>}, {@code <0x00>}..{@code <0xFF>}); tests add the pieces they need after those.
 */
final class ModelProtoBuilder {
    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;
    static final int BYTE = 6;
    /** The id of the first piece a test adds after the LLaMA-like reserved ones. */
    static final int FIRST_FREE_ID = 259;

    private final ByteArrayOutputStream pieces = new ByteArrayOutputStream();
    private int modelType = 2;
    private boolean byteFallback = true;
    private boolean removeExtraWhitespaces;
    private byte[] charsmap = new byte[0];

    static ModelProtoBuilder llamaLike() {
        ModelProtoBuilder b = new ModelProtoBuilder();
        b.piece("<unk>", 0, UNKNOWN).piece("<s>", 0, CONTROL).piece("</s>", 0, CONTROL);
        for (int i = 0; i < 256; i++) {
            b.piece(String.format("<0x%02X>", i), 0, BYTE);
        }
        return b;
    }

    static ModelProtoBuilder empty() {
        return new ModelProtoBuilder();
    }

    ModelProtoBuilder piece(String piece, float score, int type) {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        string(message, 1, piece);
        key(message, 2, 5);
        int bits = Float.floatToIntBits(score);
        for (int i = 0; i < 4; i++) {
            message.write(bits >>> (8 * i));
        }
        key(message, 3, 0);
        varint(message, type);
        bytes(pieces, 1, message.toByteArray());
        return this;
    }

    ModelProtoBuilder modelType(int type) {
        this.modelType = type;
        return this;
    }

    ModelProtoBuilder byteFallback(boolean on) {
        this.byteFallback = on;
        return this;
    }

    ModelProtoBuilder removeExtraWhitespaces(boolean on) {
        this.removeExtraWhitespaces = on;
        return this;
    }

    ModelProtoBuilder charsmap(byte[] map) {
        this.charsmap = map;
        return this;
    }

    byte[] build() {
        ByteArrayOutputStream trainer = new ByteArrayOutputStream();
        key(trainer, 3, 0);
        varint(trainer, modelType);
        key(trainer, 35, 0);
        varint(trainer, byteFallback ? 1 : 0);
        key(trainer, 43, 0);
        varint(trainer, -1L);
        ByteArrayOutputStream normalizer = new ByteArrayOutputStream();
        string(normalizer, 1, charsmap.length == 0 ? "identity" : "nmt_nfkc");
        bytes(normalizer, 2, charsmap);
        key(normalizer, 3, 0);
        varint(normalizer, 1);
        key(normalizer, 4, 0);
        varint(normalizer, removeExtraWhitespaces ? 1 : 0);
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        model.writeBytes(pieces.toByteArray());
        bytes(model, 2, trainer.toByteArray());
        bytes(model, 3, normalizer.toByteArray());
        return model.toByteArray();
    }

    /** Writes {@code dir/tokenizer.model} and returns {@code dir}. */
    Path writeTo(Path dir) {
        try {
            Files.write(dir.resolve(LlamaTokenizer.MODEL_FILE), build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    private static void string(ByteArrayOutputStream out, int field, String s) {
        bytes(out, field, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void bytes(ByteArrayOutputStream out, int field, byte[] b) {
        key(out, field, 2);
        varint(out, b.length);
        out.writeBytes(b);
    }

    private static void key(ByteArrayOutputStream out, int field, int wireType) {
        varint(out, (long) field << 3 | wireType);
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }
}
