package io.ferret4j.llm.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferret4j.core.config.ConfigJson;

/**
 * The Hugging Face files saved beside {@code tokenizer.model}, read the way transformers 4.31
 * {@code LlamaTokenizer.from_pretrained} reads them: {@code tokenizer_config.json} gives the constructor
 * arguments, {@code special_tokens_map.json} then overrides the special tokens, and {@code added_tokens.json}
 * lists the tokens added after the SentencePiece vocabulary. Every file is optional. Settings that would change
 * the ids or the decoded text in ways this port does not implement are refused, naming the file and key.
 */
final class TokenizerFiles {
    static final String CONFIG = "tokenizer_config.json";
    static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";
    static final String ADDED_TOKENS = "added_tokens.json";

    /** The special-token attributes LlamaTokenizer has, in HF's {@code SPECIAL_TOKENS_ATTRIBUTES} order. */
    private static final List<String> SUPPORTED_SPECIALS = List.of("bos_token", "eos_token", "unk_token", "pad_token");
    private static final List<String> UNSUPPORTED_SPECIALS = List.of("sep_token", "cls_token", "mask_token",
            "additional_special_tokens");
    private static final Map<String, String> LLAMA_DEFAULTS = Map.of(
            "bos_token", "<s>", "eos_token", "</s>", "unk_token", "<unk>");

    /**
     * A special token. {@code addedToken} is true when HF holds it as an {@code AddedToken}, whose
     * {@code lstrip}/{@code rstrip} flags then decide whitespace stripping; a plain string strips both sides.
     */
    record SpecialToken(String content, boolean addedToken, boolean lstrip, boolean rstrip) {
    }

    final boolean addBosToken;
    final boolean addEosToken;
    /** Attribute name ({@code bos_token}, ...) to token, in HF order; unset attributes are absent. */
    final Map<String, SpecialToken> specialTokens;
    /** {@code added_tokens.json}, sorted by id as {@code from_pretrained} adds them. */
    final Map<String, Integer> addedTokens;
    final Path addedTokensFile;

    private TokenizerFiles(boolean addBosToken, boolean addEosToken, Map<String, SpecialToken> specialTokens,
                           Map<String, Integer> addedTokens, Path addedTokensFile) {
        this.addBosToken = addBosToken;
        this.addEosToken = addEosToken;
        this.specialTokens = specialTokens;
        this.addedTokens = addedTokens;
        this.addedTokensFile = addedTokensFile;
    }

    static TokenizerFiles read(Path dir) {
        Path configFile = dir.resolve(CONFIG);
        JsonNode config = Files.exists(configFile) ? ConfigJson.tree(configFile) : ConfigJson.mapper().createObjectNode();
        checkSupported(config, configFile);
        Map<String, SpecialToken> specials = new LinkedHashMap<>();
        for (String attribute : SUPPORTED_SPECIALS) {
            JsonNode value = config.has(attribute) ? config.get(attribute) : textNode(LLAMA_DEFAULTS.get(attribute));
            // LlamaTokenizer.__init__ wraps plain strings as AddedToken(lstrip=False, rstrip=False).
            putSpecial(specials, attribute, value, true, configFile);
        }
        Path mapFile = dir.resolve(SPECIAL_TOKENS_MAP);
        if (Files.exists(mapFile)) {
            JsonNode map = ConfigJson.tree(mapFile);
            refuseUnsupportedSpecials(map, mapFile);
            // from_pretrained sets these attributes afterwards: a plain string stays a plain string here.
            for (String attribute : SUPPORTED_SPECIALS) {
                if (map.has(attribute)) {
                    putSpecial(specials, attribute, map.get(attribute), false, mapFile);
                }
            }
        }
        Path addedFile = dir.resolve(ADDED_TOKENS);
        Map<String, Integer> added = Files.exists(addedFile) ? readAddedTokens(addedFile) : Map.of();
        return new TokenizerFiles(flag(config, "add_bos_token", true, configFile),
                flag(config, "add_eos_token", false, configFile), specials, added, addedFile);
    }

    private static void checkSupported(JsonNode config, Path file) {
        refuseUnsupportedSpecials(config, file);
        if (config.path("legacy").isBoolean() && !config.get("legacy").asBoolean()) {
            throw new TokenizerException(file, "legacy is false; only legacy LlamaTokenizer behaviour (legacy true or"
                    + " absent, as the Ferret/Vicuna tokenizers use) is supported");
        }
        if (flag(config, "clean_up_tokenization_spaces", false, file)) {
            throw new TokenizerException(file, "clean_up_tokenization_spaces is true; only false (the LlamaTokenizer"
                    + " default) is supported");
        }
        JsonNode spKwargs = config.path("sp_model_kwargs");
        if (!spKwargs.isMissingNode() && !spKwargs.isNull() && !spKwargs.isEmpty()) {
            throw new TokenizerException(file, "sp_model_kwargs " + spKwargs + " is not supported (only {})");
        }
    }

    private static void refuseUnsupportedSpecials(JsonNode node, Path file) {
        for (String attribute : UNSUPPORTED_SPECIALS) {
            JsonNode value = node.path(attribute);
            if (!value.isMissingNode() && !value.isNull() && !(value.isArray() && value.isEmpty())) {
                throw new TokenizerException(file, attribute + " " + value + " is not supported; LlamaTokenizer"
                        + " special tokens are bos_token, eos_token, unk_token and pad_token");
            }
        }
    }

    private static void putSpecial(Map<String, SpecialToken> specials, String attribute, JsonNode value,
                                   boolean wrapStrings, Path file) {
        if (value == null || value.isNull()) {
            specials.remove(attribute);
        } else if (value.isTextual()) {
            specials.put(attribute, new SpecialToken(value.asText(), wrapStrings, false, false));
        } else if (value.isObject() && value.path("content").isTextual()) {
            specials.put(attribute, new SpecialToken(value.get("content").asText(), true,
                    value.path("lstrip").asBoolean(false), value.path("rstrip").asBoolean(false)));
        } else {
            throw new TokenizerException(file, attribute + " is " + value
                    + "; expected a string or an AddedToken object with a \"content\" string");
        }
    }

    private static Map<String, Integer> readAddedTokens(Path file) {
        JsonNode json = ConfigJson.tree(file);
        if (!json.isObject()) {
            throw new TokenizerException(file, "expected an object of token -> id, found " + json.getNodeType());
        }
        Map<String, Integer> added = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt()) {
                throw new TokenizerException(file, "id of '" + e.getKey() + "' is " + e.getValue() + ", expected an int");
            }
            added.put(e.getKey(), e.getValue().asInt());
        }
        List<Map.Entry<String, Integer>> byId = new ArrayList<>(added.entrySet());
        byId.sort(Map.Entry.comparingByValue());
        Map<String, Integer> sorted = new LinkedHashMap<>();
        byId.forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    private static boolean flag(JsonNode config, String key, boolean defaultValue, Path file) {
        JsonNode value = config.path(key);
        if (value.isMissingNode() || value.isNull()) {
            return defaultValue;
        }
        if (!value.isBoolean()) {
            throw new TokenizerException(file, key + " is " + value + ", expected true or false");
        }
        return value.asBoolean();
    }

    private static JsonNode textNode(String text) {
        return text == null ? null : ConfigJson.mapper().getNodeFactory().textNode(text);
    }
}
