package io.ferret4j.llm.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of a SentencePiece {@code ModelProto} ({@code sentencepiece_model.proto}) that decide how text is
 * encoded and decoded, with the schema's proto2 defaults for absent fields (note that
 * {@code remove_extra_whitespaces} defaults to true). Field numbers: ModelProto {@code pieces=1},
 * {@code trainer_spec=2}, {@code normalizer_spec=3}, {@code denormalizer_spec=5}; SentencePiece {@code piece=1},
 * {@code score=2}, {@code type=3}; TrainerSpec {@code model_type=3}, {@code treat_whitespace_as_suffix=24},
 * {@code byte_fallback=35}, {@code unk_surface=44}; NormalizerSpec {@code name=1},
 * {@code precompiled_charsmap=2}, {@code add_dummy_prefix=3}, {@code remove_extra_whitespaces=4},
 * {@code escape_whitespaces=5}. Training-only fields are skipped.
 */
final class ModelProto {
    private static final int MODEL_TYPE_UNIGRAM = 1;
    private static final int MODEL_TYPE_BPE = 2;
    private static final String[] MODEL_TYPE_NAMES = {"?", "UNIGRAM", "BPE", "WORD", "CHAR"};
    private static final String DEFAULT_UNK_SURFACE = " \u2047 ";

    final List<String> pieces = new ArrayList<>();
    final List<Float> scores = new ArrayList<>();
    final List<SentencePieceModel.PieceType> types = new ArrayList<>();
    boolean hasTrainerSpec;
    boolean hasNormalizerSpec;
    int modelType = MODEL_TYPE_UNIGRAM;
    boolean byteFallback;
    boolean treatWhitespaceAsSuffix;
    String unkSurface = DEFAULT_UNK_SURFACE;
    String normalizerName = "";
    int charsmapBytes;
    boolean addDummyPrefix = true;
    boolean removeExtraWhitespaces = true;
    boolean escapeWhitespaces = true;
    int denormalizerCharsmapBytes;

    /**
     * Parses a serialized {@code ModelProto}.
     *
     * @throws IllegalArgumentException if the bytes are not well-formed protobuf of this schema
     */
    static ModelProto parse(byte[] bytes) {
        ProtoReader model = new ProtoReader(bytes);
        ModelProto p = new ModelProto();
        while (model.hasNext()) {
            int key = model.readKey();
            switch (key) {
                case 1 << 3 | ProtoReader.LENGTH_DELIMITED -> p.readPiece(model.readMessage());
                case 2 << 3 | ProtoReader.LENGTH_DELIMITED -> p.readTrainerSpec(model.readMessage());
                case 3 << 3 | ProtoReader.LENGTH_DELIMITED -> p.readNormalizerSpec(model.readMessage(), false);
                case 5 << 3 | ProtoReader.LENGTH_DELIMITED -> p.readNormalizerSpec(model.readMessage(), true);
                default -> model.skip(key & 7);
            }
        }
        return p;
    }

    private void readPiece(ProtoReader m) {
        String piece = null;
        float score = 0f;
        int type = 1;
        while (m.hasNext()) {
            int key = m.readKey();
            switch (key) {
                case 1 << 3 | ProtoReader.LENGTH_DELIMITED -> piece = m.readString();
                case 2 << 3 | ProtoReader.FIXED32 -> score = m.readFloat();
                case 3 << 3 | ProtoReader.VARINT -> type = (int) m.readVarint();
                default -> m.skip(key & 7);
            }
        }
        if (piece == null) {
            throw new IllegalArgumentException("piece " + pieces.size() + " has no piece string");
        }
        if (type < 1 || type > SentencePieceModel.PieceType.values().length) {
            throw new IllegalArgumentException("piece " + pieces.size() + " ('" + piece + "') has unknown type " + type);
        }
        pieces.add(piece);
        scores.add(score);
        types.add(SentencePieceModel.PieceType.values()[type - 1]);
    }

    private void readTrainerSpec(ProtoReader m) {
        hasTrainerSpec = true;
        while (m.hasNext()) {
            int key = m.readKey();
            switch (key) {
                case 3 << 3 | ProtoReader.VARINT -> modelType = (int) m.readVarint();
                case 24 << 3 | ProtoReader.VARINT -> treatWhitespaceAsSuffix = m.readBool();
                case 35 << 3 | ProtoReader.VARINT -> byteFallback = m.readBool();
                case 44 << 3 | ProtoReader.LENGTH_DELIMITED -> unkSurface = m.readString();
                default -> m.skip(key & 7);
            }
        }
    }

    private void readNormalizerSpec(ProtoReader m, boolean denormalizer) {
        hasNormalizerSpec |= !denormalizer;
        while (m.hasNext()) {
            int key = m.readKey();
            if (denormalizer) {
                if (key == (2 << 3 | ProtoReader.LENGTH_DELIMITED)) {
                    denormalizerCharsmapBytes = m.readBytes().length;
                } else {
                    m.skip(key & 7);
                }
                continue;
            }
            switch (key) {
                case 1 << 3 | ProtoReader.LENGTH_DELIMITED -> normalizerName = m.readString();
                case 2 << 3 | ProtoReader.LENGTH_DELIMITED -> charsmapBytes = m.readBytes().length;
                case 3 << 3 | ProtoReader.VARINT -> addDummyPrefix = m.readBool();
                case 4 << 3 | ProtoReader.VARINT -> removeExtraWhitespaces = m.readBool();
                case 5 << 3 | ProtoReader.VARINT -> escapeWhitespaces = m.readBool();
                default -> m.skip(key & 7);
            }
        }
    }

    /** Refuses every setting whose encode/decode behaviour this port does not implement. */
    void checkSupported(Path file) {
        if (modelType != MODEL_TYPE_BPE) {
            String name = modelType > 0 && modelType < MODEL_TYPE_NAMES.length ? MODEL_TYPE_NAMES[modelType] : "?";
            throw new TokenizerException(file, "trainer_spec.model_type is " + modelType + " (" + name
                    + "), only BPE (2) is supported");
        }
        if (charsmapBytes > 0) {
            throw new TokenizerException(file, "normalizer '" + normalizerName + "' has a precompiled charsmap of "
                    + charsmapBytes + " bytes; only the identity normalizer is supported");
        }
        if (denormalizerCharsmapBytes > 0) {
            throw new TokenizerException(file, "the model has a denormalizer (" + denormalizerCharsmapBytes
                    + " bytes of charsmap), which is not supported");
        }
        if (removeExtraWhitespaces) {
            throw new TokenizerException(file, "normalizer_spec.remove_extra_whitespaces is true; only false"
                    + " (LLaMA: keep every space) is supported");
        }
        if (!escapeWhitespaces) {
            throw new TokenizerException(file, "normalizer_spec.escape_whitespaces is false; only true is supported");
        }
        if (!byteFallback) {
            throw new TokenizerException(file, "trainer_spec.byte_fallback is false; only byte-fallback models"
                    + " (LLaMA: unknown characters become <0xNN> pieces) are supported");
        }
        if (treatWhitespaceAsSuffix) {
            throw new TokenizerException(file, "trainer_spec.treat_whitespace_as_suffix is true; only false is supported");
        }
    }
}
