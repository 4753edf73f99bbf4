package io.ferret4j.llm.tokenizer;

import static io.ferret4j.llm.tokenizer.TokenizerGoldens.cases;
import static io.ferret4j.llm.tokenizer.TokenizerGoldens.ints;
import static io.ferret4j.llm.tokenizer.TokenizerGoldens.strings;
import static io.ferret4j.llm.tokenizer.TokenizerGoldens.tokenizer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * Every field of the 300 golden strings of {@code tokenizer_tests.json} (sentencepiece 0.1.97 and HF 4.31
 * slow LlamaTokenizer) and its {@code decode_cases}, compared exactly. Each test collects every mismatching
 * case so that one run shows them all.
 */
final class LlamaTokenizerGoldenTest {

    @Test
    void sentencePieceIdsMatchSentencePiece() {
        assertAllMatch("sp_ids", c -> Arrays.toString(ints(c.get("sp_ids"))),
                c -> Arrays.toString(tokenizer().encodeRaw(c.get("text").asText())));
    }

    @Test
    void sentencePiecePiecesMatchSentencePiece() {
        assertAllMatch("sp_pieces", c -> strings(c.get("sp_pieces")).toString(),
                c -> tokenizer().pieces(tokenizer().encodeRaw(c.get("text").asText())).toString());
    }

    @Test
    void sentencePieceDecodeMatchesSentencePiece() {
        assertAllMatch("sp_decoded", c -> c.get("sp_decoded").asText(),
                c -> tokenizer().decodeRaw(ints(c.get("sp_ids"))));
    }

    @Test
    void encodeMatchesHuggingFaceInputIds() {
        assertAllMatch("hf_ids", c -> Arrays.toString(ints(c.get("hf_ids"))),
                c -> Arrays.toString(tokenizer().encode(c.get("text").asText())));
    }

    @Test
    void piecesMatchHuggingFaceTokens() {
        assertAllMatch("hf_tokens", c -> strings(c.get("hf_tokens")).toString(),
                c -> tokenizer().pieces(ints(c.get("hf_ids"))).toString());
    }

    @Test
    void decodeMatchesHuggingFace() {
        assertAllMatch("hf_decoded", c -> c.get("hf_decoded").asText(),
                c -> tokenizer().decode(ints(c.get("hf_ids")), false));
    }

    @Test
    void decodeSkippingSpecialTokensMatchesHuggingFace() {
        assertAllMatch("hf_decoded_skip_special", c -> c.get("hf_decoded_skip_special").asText(),
                c -> tokenizer().decode(ints(c.get("hf_ids")), true));
    }

    @Test
    void encodeWithEveryBuilderTokenMatchesHuggingFace() {
        LlamaTokenizer all = TokenizerGoldens.tokenizerWithAllBuilderTokens();
        List<JsonNode> withField = cases().stream().filter(c -> c.has("hf_ids_all_added")).toList();

        assertThat(withField).hasSize(33);
        assertThat(all.vocabSize()).isEqualTo(TokenizerGoldens.TESTS.get("len_tokenizer_all_options").asInt());
        TokenizerGoldens.TESTS.get("added_tokens_builder_all_options").fields()
                .forEachRemaining(e -> assertThat(all.tokenId(e.getKey())).as(e.getKey()).isEqualTo(e.getValue().asInt()));
        assertAllMatch(withField, "hf_ids_all_added", c -> Arrays.toString(ints(c.get("hf_ids_all_added"))),
                c -> Arrays.toString(all.encode(c.get("text").asText())));
    }

    @Test
    void encodeWithImageMatchesTokenizerImageToken() {
        List<JsonNode> withField = cases().stream().filter(c -> c.has("image_token_ids")).toList();

        assertThat(withField).hasSize(37);
        assertAllMatch(withField, "image_token_ids", c -> Arrays.toString(ints(c.get("image_token_ids"))),
                c -> Arrays.toString(tokenizer().encodeWithImage(c.get("text").asText())));
    }

    @Test
    void decodeCasesMatchBothDecoders() {
        List<JsonNode> decodeCases = new ArrayList<>();
        TokenizerGoldens.TESTS.get("decode_cases").forEach(decodeCases::add);
        LlamaTokenizer tok = tokenizer();
        // sp_decoded of the golden was produced from the ids sentencepiece knows: ids >= 32000 were left out.
        Function<JsonNode, int[]> spIds = c -> Arrays.stream(ints(c.get("ids"))).filter(id -> id < 32000).toArray();

        assertThat(decodeCases).hasSize(15);
        assertAllMatch(decodeCases, "decode_cases.sp_decoded", c -> c.get("sp_decoded").asText(),
                c -> tok.decodeRaw(spIds.apply(c)));
        assertAllMatch(decodeCases, "decode_cases.hf_tokens", c -> strings(c.get("hf_tokens")).toString(),
                c -> tok.pieces(ints(c.get("ids"))).toString());
        assertAllMatch(decodeCases, "decode_cases.hf_decoded", c -> c.get("hf_decoded").asText(),
                c -> tok.decode(ints(c.get("ids")), false));
        assertAllMatch(decodeCases, "decode_cases.hf_decoded_skip_special",
                c -> c.get("hf_decoded_skip_special").asText(), c -> tok.decode(ints(c.get("ids")), true));
    }

    @Test
    void sentencePieceChecksMatch() {
        JsonNode checks = TokenizerGoldens.TESTS.get("sentencepiece_checks");
        LlamaTokenizer tok = tokenizer();

        assertThat(tok.bosId()).isEqualTo(checks.get("bos_id").asInt());
        assertThat(tok.eosId()).isEqualTo(checks.get("eos_id").asInt());
        assertThat(tok.unkId()).isEqualTo(checks.get("unk_id").asInt());
        assertThat(tok.vocabSize()).isEqualTo(TokenizerGoldens.TESTS.get("len_tokenizer_ferret").asInt());
        checks.get("known_ids").fields().forEachRemaining(e -> {
            int expected = e.getValue().asInt();
            if (expected == checks.get("unk_id").asInt() && !e.getKey().equals("<unk>")) {
                // sentencepiece maps a string that is not a piece to the unknown id; tokenId refuses it.
                assertThatThrownBy(() -> tok.tokenId(e.getKey())).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(e.getKey());
            } else {
                assertThat(tok.tokenId(e.getKey())).as(e.getKey()).isEqualTo(expected);
            }
        });
    }

    @Test
    void encodesAndDecodesAllGoldenStringsWellUnderASecond() {
        List<String> texts = cases().stream().map(c -> c.get("text").asText()).toList();
        LlamaTokenizer tok = tokenizer();
        texts.forEach(tok::encode);

        long start = System.nanoTime();
        for (String text : texts) {
            tok.decode(tok.encode(text), false);
            tok.encodeWithImage(text);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(millis).as("ms for 300 encode + decode + encodeWithImage").isLessThan(500);
    }

    private static void assertAllMatch(String field, Function<JsonNode, String> expected, Function<JsonNode, String> actual) {
        assertAllMatch(cases(), field, expected, actual);
    }

    private static void assertAllMatch(List<JsonNode> cases, String field, Function<JsonNode, String> expected,
                                       Function<JsonNode, String> actual) {
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            String want = expected.apply(c);
            String got;
            try {
                got = actual.apply(c);
            } catch (RuntimeException e) {
                got = "threw " + e;
            }
            if (!Objects.equals(want, got)) {
                String label = c.has("text") ? "text " + quote(c.get("text").asText()) : "ids " + c.get("ids");
                mismatches.add(field + " of case " + i + " (" + label + "):\n  expected " + quote(want)
                        + "\n  actual   " + quote(got));
            }
        }
        assertThat(mismatches).as(mismatches.size() + " mismatches").isEmpty();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\n", "\\n").replace("\t", "\\t") + "\"";
    }
}
