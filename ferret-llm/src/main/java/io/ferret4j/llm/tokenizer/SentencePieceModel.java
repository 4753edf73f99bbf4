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
import java.util.stream.IntStream;

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

    private SentencePieceModel(ModelProto p, Path file) {
        int n = p.pieces.size();
        this.pieces = p.pieces.toArray(new String[0]);
        this.scores = new float[n];
        this.types = p.types.toArray(new PieceType[0]);
        this.mergeable = new HashMap<>(n * 2);
        this.reserved = new HashMap<>();
        for (int id = 0; id < n; id++) {
            scores[id] = p.scores.get(id);
            register(id, file);
        }
        List<String> users = new ArrayList<>(piecesOfType(PieceType.USER_DEFINED));
        users.sort(Comparator.comparingInt(String::length).reversed());
        this.userDefined = List.copyOf(users);
        this.unkId = findUnknownPiece(file);
        this.byteIds = findBytePieces(file);
        this.addDummyPrefix = p.addDummyPrefix;
        this.unkSurface = p.unkSurface;
    }

    /** Files piece {@code id} under the pieces BPE may merge into or the reserved ones; refuses duplicates. */
    private void register(int id, Path file) {
        String piece = pieces[id];
        if (piece.isEmpty()) {
            throw new TokenizerException(file, "piece " + id + " is empty");
        }
        boolean isMergeable = types[id] == PieceType.NORMAL || types[id] == PieceType.USER_DEFINED
                || types[id] == PieceType.UNUSED;
        Integer previous = (isMergeable ? mergeable : reserved).put(piece, id);
        if (previous == null) {
            previous = (isMergeable ? reserved : mergeable).get(piece);
        }
        if (previous != null) {
            throw new TokenizerException(file, "piece '" + piece + "' is defined twice (ids " + previous + " and "
                    + id + ")");
        }
    }

    private List<String> piecesOfType(PieceType type) {
        return IntStream.range(0, pieces.length).filter(id -> types[id] == type).mapToObj(id -> pieces[id]).toList();
    }

    private int findUnknownPiece(Path file) {
        int[] unknown = IntStream.range(0, pieces.length).filter(id -> types[id] == PieceType.UNKNOWN).toArray();
        if (unknown.length != 1) {
            throw new TokenizerException(file, unknown.length + " UNKNOWN pieces " + Arrays.toString(unknown)
                    + "; sentencepiece requires exactly one");
        }
        return unknown[0];
    }

    /** Byte value to id of its {@code <0xNN>} piece; byte fallback needs all 256. */
    private int[] findBytePieces(Path file) {
        int[] bytes = new int[256];
        Arrays.fill(bytes, -1);
        for (int id = 0; id < pieces.length; id++) {
            if (types[id] == PieceType.BYTE) {
                bytes[parseByte(pieces[id], id, file)] = id;
            }
        }
        for (int b = 0; b < 256; b++) {
            if (bytes[b] < 0) {
                throw new TokenizerException(file, String.format(
                        "trainer_spec.byte_fallback is true but the BYTE piece <0x%02X> is missing", b));
            }
        }
        return bytes;
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
        ModelProto parsed;
        try {
            parsed = ModelProto.parse(bytes);
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
}
