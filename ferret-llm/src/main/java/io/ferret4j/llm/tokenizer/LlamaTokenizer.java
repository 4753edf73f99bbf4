package io.ferret4j.llm.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The LLaMA/Vicuna tokenizer exactly as Ferret runs it: HF transformers 4.31 {@code LlamaTokenizer} with
 * {@code use_fast=False} (legacy mode) over a SentencePiece BPE model, in pure Java.
 *
 * <p>{@link #encode} is {@code tokenizer(text).input_ids}: the text is cut at the no-split tokens
 * ({@code <s>}, {@code </s>}, {@code <unk>}, {@code <region_fea>}, and any added with
 * {@link #withAddedTokens}); whitespace next to plain added tokens such as {@code <region_fea>} is stripped on
 * both sides; each remaining chunk is encoded by SentencePiece on its own (so each gets its own dummy-prefix
 * {@code ▁}); BOS is prepended and no EOS appended (per {@code tokenizer_config.json}). {@link #encodeWithImage}
 * adds Ferret's {@code <image>} splicing. {@link #decode} is {@code tokenizer.decode(ids, skip_special_tokens)}.
 *
 * <p>Immutable and thread-safe; {@link StreamingDecoder}s are per sequence.
 * <pre>{@code
 * LlamaTokenizer tok = LlamaTokenizer.load(Path.of("weights/ferret-7b"));
 * int[] ids = tok.encodeWithImage(prompt);   // [1, ..., -200, 29871, 13, ...]
 * String answer = tok.decode(newIds, true);
 * }</pre>
 */
public final class LlamaTokenizer {
    /** The id {@code tokenizer_image_token} puts where the image features go ({@code IMAGE_TOKEN_INDEX}). */
    public static final int IMAGE_TOKEN_INDEX = -200;
    /** The prompt text replaced by {@link #IMAGE_TOKEN_INDEX}. */
    public static final String IMAGE_TOKEN = "<image>";
    /** The region placeholder, id 32000 in the released Ferret tokenizer ({@code added_tokens.json}). */
    public static final String REGION_FEA_TOKEN = "<region_fea>";
    /** Added by Ferret's builder only when {@code mm_use_im_patch_token} is on. */
    public static final String IMAGE_PATCH_TOKEN = "<im_patch>";
    /** Added by Ferret's builder (with {@link #IM_END_TOKEN}) only when {@code mm_use_im_start_end} is on. */
    public static final String IM_START_TOKEN = "<im_start>";
    /** See {@link #IM_START_TOKEN}. */
    public static final String IM_END_TOKEN = "<im_end>";
    private static final String EOS_TEXT = "</s>";

    static final String MODEL_FILE = "tokenizer.model";

    private final SentencePieceModel model;
    private final BpeEncoder bpe;
    private final AddedTokens added;
    private final TokenizerFiles files;

    private LlamaTokenizer(SentencePieceModel model, AddedTokens added, TokenizerFiles files) {
        this.model = model;
        this.bpe = new BpeEncoder(model);
        this.added = added;
        this.files = files;
    }

    /**
     * Loads {@code tokenizer.model} and, where present, {@code tokenizer_config.json},
     * {@code special_tokens_map.json} and {@code added_tokens.json} from a model folder.
     *
     * @throws TokenizerException naming the file if one is missing, malformed or asks for unsupported behaviour
     */
    public static LlamaTokenizer load(Path modelDir) {
        Path modelFile = modelDir.resolve(MODEL_FILE);
        if (!Files.isRegularFile(modelFile)) {
            throw new TokenizerException(modelFile, "no SentencePiece model file in " + modelDir);
        }
        SentencePieceModel model = SentencePieceModel.read(modelFile);
        TokenizerFiles files = TokenizerFiles.read(modelDir);
        return new LlamaTokenizer(model, AddedTokens.load(model, files), files);
    }

    /**
     * This tokenizer after {@code tokenizer.add_tokens(tokens, special_tokens=True)}: each token not yet known
     * gets the next id ({@link #vocabSize()} grows), and all become no-split. Ferret's builder calls it with
     * {@code <im_patch>} (if {@code mm_use_im_patch_token}), then {@code <region_fea>}, then
     * {@code <im_start>, <im_end>} (if {@code mm_use_im_start_end}); on the released tokenizer, where
     * {@code <region_fea>} is already 32000, that gives {@code <im_patch>}=32001, {@code <im_start>}=32002 and
     * {@code <im_end>}=32003. The embedding matrix must then have {@link #vocabSize()} rows.
     */
    public LlamaTokenizer withAddedTokens(String... tokens) {
        return new LlamaTokenizer(model, added.with(List.of(tokens)), files);
    }

    /**
     * {@code tokenizer(text).input_ids}: BOS, then the ids of the text split at no-split tokens (see the class
     * comment). The empty string gives {@code [1]} (BOS alone).
     *
     * @throws IllegalArgumentException if the text holds an unpaired surrogate
     */
    public int[] encode(String text) {
        IntStream.Builder ids = IntStream.builder();
        if (files.addBosToken) {
            ids.add(bosId());
        }
        for (AddedTokens.Segment segment : added.split(text)) {
            if (segment.isToken()) {
                ids.add(segment.tokenId());
            } else {
                Arrays.stream(bpe.encode(segment.text())).forEach(ids::add);
            }
        }
        if (files.addEosToken) {
            ids.add(eosId());
        }
        return ids.build().toArray();
    }

    /**
     * Ferret's {@code tokenizer_image_token}: the prompt is split on the literal {@code <image>}, each part is
     * {@link #encode}d on its own, and the parts are joined by {@link #IMAGE_TOKEN_INDEX} (-200), keeping only
     * the first part's BOS. {@code "<image>\nWhat is this?"} gives {@code [1, -200, 29871, 13, 5618, ...]}.
     */
    public int[] encodeWithImage(String prompt) {
        List<int[]> parts = new ArrayList<>();
        for (String part : PythonStrings.split(prompt, IMAGE_TOKEN)) {
            parts.add(encode(part));
        }
        int[] first = parts.get(0);
        int offset = first.length > 0 && first[0] == bosId() ? 1 : 0;
        IntStream.Builder ids = IntStream.builder();
        if (offset == 1) {
            ids.add(bosId());
        }
        for (int p = 0; p < parts.size(); p++) {
            if (p > 0) {
                ids.add(IMAGE_TOKEN_INDEX);
            }
            int[] part = parts.get(p);
            for (int i = offset; i < part.length; i++) {
                ids.add(part[i]);
            }
        }
        return ids.build().toArray();
    }

    /**
     * SentencePiece alone ({@code sp.encode(chunk)}): dummy prefix, BPE, byte fallback; no BOS, no splitting at
     * special or added tokens ({@code "<s>"} is the three pieces {@code ▁<}, {@code s}, {@code >}).
     *
     * @throws IllegalArgumentException if the text holds an unpaired surrogate
     */
    public int[] encodeRaw(String chunk) {
        return bpe.encode(chunk);
    }

    /**
     * {@code tokenizer.decode(ids, skip_special_tokens)} with transformers 4.31's slow-tokenizer rules: runs of
     * ordinary pieces are decoded by SentencePiece (bytes reassembled as UTF-8, invalid bytes U+FFFD, the
     * first piece's leading {@code ▁} dropped); {@code <s>}/{@code </s>}/{@code <unk>} are written literally,
     * a space before one that ends a run of ordinary pieces, or dropped when {@code skipSpecialTokens}; added
     * tokens such as {@code <region_fea>} are written literally and joined to their neighbours with single
     * spaces. No clean-up of spaces before punctuation.
     *
     * @throws IllegalArgumentException naming the id if one is not in {@code [0, vocabSize())}
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> subTexts = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        for (int id : ids) {
            requireKnownId(id);
            if (skipSpecialTokens && added.isSpecial(id)) {
                continue;
            }
            String addedToken = added.added(id);
            if (addedToken == null) {
                current.add(id);
                continue;
            }
            if (!current.isEmpty()) {
                subTexts.add(tokensToString(current));
                current.clear();
            }
            subTexts.add(addedToken);
        }
        if (!current.isEmpty()) {
            subTexts.add(tokensToString(current));
        }
        return String.join(" ", subTexts);
    }

    /**
     * An answer as the reference scripts print it: {@code batch_decode(ids, skip_special_tokens=True)}, then
     * Python's {@code strip()}, a trailing {@code "</s>"} removed, and {@code strip()} again.
     *
     * @throws IllegalArgumentException naming the id if one is not in {@code [0, vocabSize())}
     */
    public String decodeAnswer(int[] generatedIds) {
        String text = PythonStrings.strip(decode(generatedIds, true));
        if (text.endsWith(EOS_TEXT)) {
            text = text.substring(0, text.length() - EOS_TEXT.length());
        }
        return PythonStrings.strip(text);
    }

    /**
     * SentencePiece alone ({@code sp.decode(ids)}): control pieces are invisible and {@code <unk>} prints
     * " ⁇ ".
     *
     * @throws IllegalArgumentException naming the id if one is not a SentencePiece id (added tokens are not)
     */
    public String decodeRaw(int[] ids) {
        PieceDecoder decoder = new PieceDecoder(model);
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            if (id < 0 || id >= model.size()) {
                throw new IllegalArgumentException(unknownIdMessage(id, model.size()) + " of tokenizer.model");
            }
            out.append(decoder.append(id));
        }
        return out.append(decoder.finish()).toString();
    }

    /** {@code convert_ids_to_tokens}: each id's piece ({@code ▁the}, {@code <0x0A>}) or added token text. */
    public List<String> pieces(int[] ids) {
        List<String> pieces = new ArrayList<>(ids.length);
        for (int id : ids) {
            pieces.add(tokenText(requireKnownId(id)));
        }
        return pieces;
    }

    /** A decoder fed one id at a time whose concatenated output equals {@link #decode} of all the ids. */
    public StreamingDecoder newStreamingDecoder(boolean skipSpecialTokens) {
        return new StreamingDecoder(this, skipSpecialTokens);
    }

    /** {@code len(tokenizer)}: SentencePiece pieces plus added tokens (32001 for Ferret). */
    public int vocabSize() {
        return added.size();
    }

    /** The id of the BOS token {@code <s>} (1 for LLaMA), which {@link #encode} prepends. */
    public int bosId() {
        return specialId("bos_token");
    }

    /** The id of the EOS token {@code </s>} (2 for LLaMA), which ends generation. */
    public int eosId() {
        return specialId("eos_token");
    }

    /** The id of {@code <unk>} (0 for LLaMA); byte fallback means encoding never produces it. */
    public int unkId() {
        return specialId("unk_token");
    }

    /**
     * The id of a piece or added token ({@code "▁the"} → 278, {@code "<region_fea>"} → 32000).
     *
     * @throws IllegalArgumentException if it is neither (HF would silently return the unknown id)
     */
    public int tokenId(String piece) {
        if (!added.isKnown(piece)) {
            throw new IllegalArgumentException("'" + piece + "' is neither a piece of tokenizer.model nor an added token");
        }
        return added.idOf(piece);
    }

    /** LlamaTokenizer.convert_tokens_to_string for ids with no added token among them. */
    private String tokensToString(List<Integer> ids) {
        StringBuilder out = new StringBuilder();
        List<Integer> run = new ArrayList<>();
        boolean prevIsSpecial = false;
        for (int i = 0; i < ids.size(); i++) {
            int id = ids.get(i);
            if (!added.isSpecial(id)) {
                run.add(id);
                prevIsSpecial = false;
                continue;
            }
            if (!prevIsSpecial && i != 0) {
                out.append(' ');
            }
            out.append(decodeRaw(run.stream().mapToInt(Integer::intValue).toArray())).append(tokenText(id));
            run.clear();
            prevIsSpecial = true;
        }
        return out.append(decodeRaw(run.stream().mapToInt(Integer::intValue).toArray())).toString();
    }

    SentencePieceModel model() {
        return model;
    }

    boolean isSpecial(int id) {
        return added.isSpecial(id);
    }

    /** The added token text of {@code id}, or null for a SentencePiece id. */
    String addedToken(int id) {
        return added.added(id);
    }

    String tokenText(int id) {
        String addedToken = added.added(id);
        return addedToken != null ? addedToken : model.piece(id);
    }

    int requireKnownId(int id) {
        if (id == IMAGE_TOKEN_INDEX) {
            throw new IllegalArgumentException("token id " + id + " is the <image> placeholder (IMAGE_TOKEN_INDEX),"
                    + " which has no text; it cannot be decoded");
        }
        if (id < 0 || id >= vocabSize()) {
            throw new IllegalArgumentException(unknownIdMessage(id, vocabSize()));
        }
        return id;
    }

    private static String unknownIdMessage(int id, int size) {
        return "token id " + id + " is not in the vocabulary (ids 0.." + (size - 1) + ")";
    }

    private int specialId(String attribute) {
        TokenizerFiles.SpecialToken token = files.specialTokens.get(attribute);
        if (token == null) {
            throw new IllegalStateException("the tokenizer has no " + attribute);
        }
        return added.idOf(token.content());
    }
}
