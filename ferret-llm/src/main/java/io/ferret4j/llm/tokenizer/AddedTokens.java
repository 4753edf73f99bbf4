package io.ferret4j.llm.tokenizer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What HF's slow tokenizer (transformers 4.31) layers over the SentencePiece vocabulary: the added tokens
 * ({@code added_tokens_encoder}: ids from the vocabulary size on, e.g. {@code <region_fea>} = 32000), the
 * special tokens ({@code <s>}, {@code </s>}, {@code <unk>}: dropped by {@code skip_special_tokens}), and the
 * no-split tokens that {@code tokenize} cuts the text on before SentencePiece sees it. Immutable.
 */
final class AddedTokens {
    /** A piece of split text: a no-split token ({@code tokenId >= 0}) or a chunk for SentencePiece (-1). */
    record Segment(String text, int tokenId) {
        boolean isToken() {
            return tokenId >= 0;
        }
    }

    /** Which neighbour of a no-split token loses its adjacent whitespace. */
    private record StripRule(boolean left, boolean right) {
    }

    /** Plain-string no-split tokens strip both neighbours ("We strip left and right by default"). */
    private static final StripRule STRIP_BOTH = new StripRule(true, true);

    private final SentencePieceModel model;
    private final Map<String, Integer> encoder;
    private final Map<Integer, String> decoder;
    private final Map<String, StripRule> specialStripRules;
    private final List<String> noSplitLongestFirst;
    private final Set<String> specialContents;
    private final Set<Integer> specialIds;
    private final String unkContent;

    private AddedTokens(SentencePieceModel model, Map<String, Integer> encoder, Set<String> noSplit,
                        Map<String, StripRule> specialStripRules, Set<String> specialContents, String unkContent) {
        this.model = model;
        this.encoder = Map.copyOf(encoder);
        this.decoder = new HashMap<>();
        encoder.forEach((token, id) -> decoder.put(id, token));
        this.specialStripRules = Map.copyOf(specialStripRules);
        List<String> longestFirst = new ArrayList<>(noSplit);
        longestFirst.sort(Comparator.comparingInt(String::length).reversed());
        this.noSplitLongestFirst = List.copyOf(longestFirst);
        this.specialContents = Set.copyOf(specialContents);
        this.unkContent = unkContent;
        Set<Integer> ids = new HashSet<>();
        specialContents.forEach(token -> ids.add(idOf(token)));
        this.specialIds = Set.copyOf(ids);
    }

    /**
     * The tokens of a loaded tokenizer: {@code added_tokens.json} in id order, then the special tokens made
     * no-split (and added if not yet known), as {@code from_pretrained} and {@code sanitize_special_tokens} do.
     */
    static AddedTokens load(SentencePieceModel model, TokenizerFiles files) {
        Map<String, StripRule> rules = new HashMap<>();
        Set<String> specials = new LinkedHashSet<>();
        for (TokenizerFiles.SpecialToken special : files.specialTokens.values()) {
            specials.add(special.content());
            if (special.addedToken()) {
                rules.put(special.content(), new StripRule(special.lstrip(), special.rstrip()));
            }
        }
        TokenizerFiles.SpecialToken unk = files.specialTokens.get("unk_token");
        AddedTokens tokens = new AddedTokens(model, Map.of(), Set.of(), rules, specials, unk == null ? null : unk.content());
        for (Map.Entry<String, Integer> e : files.addedTokens.entrySet()) {
            if (e.getValue() != tokens.size()) {
                throw new TokenizerException(files.addedTokensFile, "non-consecutive added token '" + e.getKey()
                        + "': its id is " + e.getValue() + " but the next free id is " + tokens.size());
            }
            if (tokens.isKnown(e.getKey())) {
                throw new TokenizerException(files.addedTokensFile, "added token '" + e.getKey()
                        + "' is already token " + tokens.idOf(e.getKey()) + " of the vocabulary");
            }
            tokens = tokens.with(List.of(e.getKey()));
        }
        return tokens.with(specials);
    }

    /**
     * {@code tokenizer.add_tokens(tokens, special_tokens=True)}: unknown tokens get the next ids in order,
     * and every given token becomes no-split.
     */
    AddedTokens with(Collection<String> tokens) {
        Map<String, Integer> newEncoder = new LinkedHashMap<>(encoder);
        for (String token : tokens) {
            if (!token.equals(unkContent) && !newEncoder.containsKey(token) && !isKnown(token)) {
                newEncoder.put(token, model.size() + newEncoder.size());
            }
        }
        Set<String> noSplit = new LinkedHashSet<>(noSplitLongestFirst);
        noSplit.addAll(tokens);
        return new AddedTokens(model, newEncoder, noSplit, specialStripRules, specialContents, unkContent);
    }

    /** {@code len(tokenizer)}: the SentencePiece vocabulary plus the added tokens. */
    int size() {
        return model.size() + encoder.size();
    }

    /** {@code convert_tokens_to_ids}: an added token's id, else SentencePiece's (the unknown id if absent). */
    int idOf(String token) {
        Integer id = encoder.get(token);
        return id != null ? id : model.pieceToId(token);
    }

    /** Whether {@code token} has an id of its own (is not mapped to the unknown id), or is the unknown token. */
    boolean isKnown(String token) {
        return encoder.containsKey(token) || model.pieceToId(token) != model.unkId() || token.equals(unkContent);
    }

    /** The text of an added token, or null if {@code id} is not one. */
    String added(int id) {
        return decoder.get(id);
    }

    boolean isSpecial(int id) {
        return specialIds.contains(id);
    }

    /**
     * {@code tokenize}'s split: cut at no-split tokens (leftmost, longest match), strip the whitespace next to
     * them ({@code AddedToken}s by their lstrip/rstrip flags, plain strings on both sides), drop empty chunks.
     */
    List<Segment> split(String text) {
        List<Segment> parts = cutAtTokens(text);
        stripAroundTokens(parts);
        parts.removeIf(part -> !part.isToken() && part.text().isEmpty());
        return parts;
    }

    private List<Segment> cutAtTokens(String text) {
        List<Segment> parts = new ArrayList<>();
        int chunkStart = 0;
        for (int i = 0; i < text.length(); ) {
            String token = noSplitAt(text, i);
            if (token == null) {
                i++;
                continue;
            }
            if (chunkStart < i) {
                parts.add(new Segment(text.substring(chunkStart, i), -1));
            }
            parts.add(new Segment(token, idOf(token)));
            i += token.length();
            chunkStart = i;
        }
        if (chunkStart < text.length()) {
            parts.add(new Segment(text.substring(chunkStart), -1));
        }
        return parts;
    }

    private String noSplitAt(String text, int index) {
        for (String token : noSplitLongestFirst) {
            if (text.startsWith(token, index)) {
                return token;
            }
        }
        return null;
    }

    /** In list order, as HF does: a chunk already stripped by its left token is seen stripped by its right one. */
    private void stripAroundTokens(List<Segment> parts) {
        for (int k = 0; k < parts.size(); k++) {
            if (!parts.get(k).isToken()) {
                continue;
            }
            StripRule rule = specialStripRules.getOrDefault(parts.get(k).text(), STRIP_BOTH);
            if (rule.right() && k + 1 < parts.size() && !parts.get(k + 1).isToken()) {
                parts.set(k + 1, new Segment(PythonStrings.lstrip(parts.get(k + 1).text()), -1));
            }
            if (rule.left() && k > 0 && !parts.get(k - 1).isToken()) {
                parts.set(k - 1, new Segment(PythonStrings.rstrip(parts.get(k - 1).text()), -1));
            }
        }
    }
}
