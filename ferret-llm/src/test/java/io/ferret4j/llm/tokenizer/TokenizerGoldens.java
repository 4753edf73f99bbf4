package io.ferret4j.llm.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferret4j.core.testing.Goldens;

/** The tokenizer fixtures of the reference run ({@code golden/tokenizer/}, see the README there). */
final class TokenizerGoldens {
    static final Path DIR = Goldens.path("tokenizer");
    static final JsonNode TESTS = readJson(DIR.resolve("tokenizer_tests.json"));
    private static LlamaTokenizer tokenizer;

    private TokenizerGoldens() {
    }

    /** The Ferret tokenizer, loaded once for all tests (it is immutable). */
    static synchronized LlamaTokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = LlamaTokenizer.load(DIR);
        }
        return tokenizer;
    }

    /** The tokenizer after Ferret's builder added every optional token, in the builder's order. */
    static LlamaTokenizer tokenizerWithAllBuilderTokens() {
        return tokenizer().withAddedTokens(LlamaTokenizer.IMAGE_PATCH_TOKEN)
                .withAddedTokens(LlamaTokenizer.REGION_FEA_TOKEN)
                .withAddedTokens(LlamaTokenizer.IM_START_TOKEN, LlamaTokenizer.IM_END_TOKEN);
    }

    static List<JsonNode> cases() {
        List<JsonNode> cases = new ArrayList<>();
        TESTS.get("cases").forEach(cases::add);
        if (cases.size() != 300) {
            throw new IllegalStateException("tokenizer_tests.json has " + cases.size() + " cases, the README says 300");
        }
        return cases;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static JsonNode readJson(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
