package io.ferret4j.llm.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The vocabulary and settings of a SentencePiece {@code tokenizer.model} (a serialized {@code ModelProto}),
 * parsed without a protobuf dependency. Only what the LLaMA tokenizer needs is accepted: a BPE model with the
 * identity normalizer (no precompiled charsmap, no whitespace collapsing, spaces escaped as {@code ▁}) and byte
 * fallback; any other setting is refused at load time, naming the file and the setting.
 *
 * <p>As in sentencepiece's {@code ModelInterface}, NORMAL, USER_DEFINED and UNUSED pieces are the ones BPE can
 * merge into, while CONTROL, UNKNOWN and BYTE pieces are reserved and only reachable by id.
 */
final class SentencePieceModel {
    /** {@code SentencePiece.Type} of {@code sentencepiece_model.proto}, in proto order. */
    enum PieceType { NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE }

    /** U+2581, the piece character that stands for a space. */
    static final String SPACE_SYMBOL = "\u2581";

    private static final int MODEL_TYPE_UNIGRAM = 1;
    private static final int MODEL_TYPE_BPE = 2;
    private static final String[] MODEL_TYPE_NAMES = {"?", "UNIGRAM", "BPE", "WORD", "CHAR"};
    private static final String DEFAULT_UNK_SURFACE = " \u2047 ";

    private final String[] pieces;
    private final float[] scores;
    private final PieceType[] types;
    private final Map<String, Integer> mergeable;
    private final Map<String, Integer> reserved;
    private final List<String> userDefined;
    private final int unkId;
    private final int[] byteIds;
    private final boolean addDummyPrefix;
    private final String unkSurface;

    private SentencePieceModel(Parsed p, Path file) {
        int n = p.pieces.size();
        this.pieces = p.pieces.toArray(new String[0]);
        this.scores = new float[n];
        this.types = p.types.toArray(new PieceType[0]);
        this.mergeable = new HashMap<>(n * 2);
        this.reserved = new HashMap<>();
        List<String> users = new ArrayList<>();
        int unk = -1;
        int[] bytes = new int[256];
        Arrays.fill(bytes, -1);
        for (int id = 0; id < n; id++) {
            scores[id] = p.scores.get(id);
            String piece = pieces[id];
            PieceType type = types[id];
            if (piece.isEmpty()) {
                throw new TokenizerException(file, "piece " + id + " is empty");
            }
            boolean isMergeable = type == PieceType.NORMAL || type == PieceType.USER_DEFINED || type == PieceType.UNUSED;
            Integer previous = (isMergeable ? mergeable : reserved).put(piece, id);
            if (previous == null) {
                previous = (isMergeable ? reserved : mergeable).get(piece);
            }
            if (previous != null) {
                throw new TokenizerException(file, "piece '" + piece + "' is defined twice (ids " + previous + " and "
                        + id + ")");
            }
            switch (type) {
                case USER_DEFINED -> users.add(piece);
                case UNKNOWN -> {
                    if (unk >= 0) {
                        throw new TokenizerException(file, "two UNKNOWN pieces: ids " + unk + " and " + id);
                    }
                    unk = id;
                }
                case BYTE -> bytes[parseByte(piece, id, file)] = id;
                default -> { }
            }
        }
        if (unk < 0) {
            throw new TokenizerException(file, "no UNKNOWN piece (sentencepiece requires one)");
        }
        for (int b = 0; b < 256; b++) {
            if (bytes[b] < 0) {
                throw new TokenizerException(file, String.format(
                        "trainer_spec.byte_fallback is true but the BYTE piece <0x%02X> is missing", b));
            }
        }
        users.sort(Comparator.comparingInt(String::length).reversed());
        this.userDefined = List.copyOf(users);
        this.unkId = unk;
        this.byteIds = bytes;
        this.addDummyPrefix = p.addDummyPrefix;
        this.unkSurface = p.unkSurface;
    }

    /**
     * Reads and validates {@code file}.
     *
     * @throws TokenizerException naming the file if it is not a SentencePiece model or uses settings not
     *                            supported here
     */
    static SentencePieceModel read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read SentencePiece model " + file, e);
        }
        Parsed parsed;
        try {
            parsed = Parsed.of(new ProtoReader(bytes));
        } catch (IllegalArgumentException e) {
            throw new TokenizerException(file, "not a SentencePiece model (" + e.getMessage() + ")", e);
        }
        if (parsed.pieces.isEmpty()) {
            throw new TokenizerException(file, "not a SentencePiece model (" + bytes.length
                    + " bytes, no vocabulary pieces)");
        }
        if (!parsed.hasTrainerSpec || !parsed.hasNormalizerSpec) {
            throw new TokenizerException(file, "not a complete SentencePiece model (" + parsed.pieces.size()
                    + " pieces but no " + (parsed.hasTrainerSpec ? "normalizer_spec" : "trainer_spec")
                    + "; truncated file?)");
        }
        parsed.checkSupported(file);
        return new SentencePieceModel(parsed, file);
    }

    int size() {
        return pieces.length;
    }

    String piece(int id) {
        return pieces[id];
    }

    float score(int id) {
        return scores[id];
    }

    PieceType type(int id) {
        return types[id];
    }

    int unkId() {
        return unkId;
    }

    boolean addDummyPrefix() {
        return addDummyPrefix;
    }

    /** What sentencepiece prints for the {@code <unk>} id ({@code trainer_spec.unk_surface}, default " ⁇ "). */
    String unkSurface() {
        return unkSurface;
    }

    /** The id of the BYTE piece {@code <0xNN>} for {@code b} in 0..255. */
    int byteId(int b) {
        return byteIds[b];
    }

    /** The byte a BYTE piece stands for. */
    int byteValue(int id) {
        return Integer.parseInt(pieces[id], 3, 5, 16);
    }

    /** The id of a piece BPE may produce (NORMAL, USER_DEFINED, UNUSED), or -1. */
    int mergeableId(String piece) {
        Integer id = mergeable.get(piece);
        return id == null ? -1 : id;
    }

    /** sentencepiece's {@code PieceToId}: reserved pieces first, then the others, else the unknown id. */
    int pieceToId(String piece) {
        Integer id = reserved.get(piece);
        if (id == null) {
            id = mergeable.get(piece);
        }
        return id == null ? unkId : id;
    }

    /** Length in chars of the longest USER_DEFINED piece that starts at {@code from} in {@code text}, or 0. */
    int userDefinedPrefixLength(String text, int from) {
        for (String piece : userDefined) {
            if (text.startsWith(piece, from)) {
                return piece.length();
            }
        }
        return 0;
    }

    private static int parseByte(String piece, int id, Path file) {
        if (piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")) {
            String hex = piece.substring(3, 5);
            if (hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) {
                return Integer.parseInt(hex, 16);
            }
        }
        throw new TokenizerException(file, "BYTE piece " + id + " is '" + piece + "', expected the form <0xNN>");
    }

    /** The raw fields of a {@code ModelProto}, with the proto2 defaults of the schema. */
    private static final class Parsed {
        final List<String> pieces = new ArrayList<>();
        final List<Float> scores = new ArrayList<>();
        final List<PieceType> types = new ArrayList<>();
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

        static Parsed of(ProtoReader model) {
            Parsed p = new Parsed();
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
            if (type < 1 || type > PieceType.values().length) {
                throw new IllegalArgumentException("piece " + pieces.size() + " ('" + piece + "') has unknown type " + type);
            }
            pieces.add(piece);
            scores.add(score);
            types.add(PieceType.values()[type - 1]);
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
}
