package io.ferret4j.llm.tokenizer;

import static io.ferret4j.llm.tokenizer.TokenizerGoldens.ints;
import static io.ferret4j.llm.tokenizer.TokenizerGoldens.tokenizer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferret4j.core.testing.Goldens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference spec's test vectors (§4.5, §14), the Ferret prompts of the end-to-end golden, and bad input. */
final class LlamaTokenizerTest {
    private static final String SYSTEM = "A chat between a human and an AI that understands visuals. In images, [x, y]"
            + " denotes points: top-left [0, 0], bottom-right [width-1, height-1]. Increasing x moves right; y moves"
            + " down. Bounding box: [x1, y1, x2, y2]. Image size: 1000x1000. Follow instructions. ";
    private static final int[] SYSTEM_PIECE_IDS = {1, 319, 13563, 1546, 263, 5199, 322, 385, 319, 29902, 393, 2274,
            29879, 7604, 29879, 29889, 512, 4558, 29892, 518, 29916, 29892, 343, 29962, 20169, 3291, 29901, 2246, 29899,
            1563, 518, 29900, 29892, 29871, 29900, 1402, 5970, 29899, 1266, 518, 2103, 29899, 29896, 29892, 3171, 29899,
            29896, 1822, 512, 1037, 5832, 921, 16229, 1492, 29936, 343, 16229, 1623, 29889, 350, 12449, 3800, 29901,
            518, 29916, 29896, 29892, 343, 29896, 29892, 921, 29906, 29892, 343, 29906, 1822, 7084, 2159, 29901, 29871,
            29896, 29900, 29900, 29900, 29916, 29896, 29900, 29900, 29900, 29889, 10306, 11994, 29889, 29871, 3148,
            1001, 29901, 29871};

    @TempDir
    Path dir;

    @Test
    void matchesTheSpecVectorForTheFerretSystemPrompt() {
        assertThat(SYSTEM_PIECE_IDS).hasSize(98);

        assertThat(tokenizer().encode(SYSTEM + " USER: ")).containsExactly(SYSTEM_PIECE_IDS);
    }

    @Test
    void matchesTheSpecVectorsForQuestionsAfterTheImage() {
        assertThat(withoutBos("\nWhat is the location of the man in the image? ASSISTANT:")).containsExactly(
                29871, 13, 5618, 338, 278, 4423, 310, 278, 767, 297, 278, 1967, 29973, 319, 1799, 9047, 13566, 29901);
        assertThat(withoutBos("\nWhat is the class of object [500, 500] <region_fea>? ASSISTANT:")).containsExactly(
                29871, 13, 5618, 338, 278, 770, 310, 1203, 518, 29945, 29900, 29900, 29892, 29871, 29945, 29900, 29900,
                29962, 32000, 1577, 319, 1799, 9047, 13566, 29901);
        assertThat(withoutBos("\nIs the object [123, 456, 789, 999] <region_fea> of the image a cat or a dog? ASSISTANT:"))
                .containsExactly(29871, 13, 3624, 278, 1203, 518, 29896, 29906, 29941, 29892, 29871, 29946, 29945,
                        29953, 29892, 29871, 29955, 29947, 29929, 29892, 29871, 29929, 29929, 29929, 29962, 32000, 310,
                        278, 1967, 263, 6635, 470, 263, 11203, 29973, 319, 1799, 9047, 13566, 29901);
    }

    @Test
    void splicesTheImageIntoTheSpecPrompt() {
        int[] ids = tokenizer().encodeWithImage(
                SYSTEM + " USER: <image>\nWhat is the location of the man in the image? ASSISTANT:");

        assertThat(ids).hasSize(117);
        assertThat(Arrays.copyOf(ids, 98)).containsExactly(SYSTEM_PIECE_IDS);
        assertThat(ids[98]).isEqualTo(LlamaTokenizer.IMAGE_TOKEN_INDEX);
        assertThat(Arrays.copyOfRange(ids, 99, 101)).containsExactly(29871, 13);
    }

    @Test
    void matchesTheValidationPlanVectors() {
        assertThat(tokenizer().encode("\n")).containsExactly(1, 29871, 13);
        assertThat(tokenizer().encode("</s>")).containsExactly(1, 2);
    }

    @Test
    void reproducesTheInputIdsOfBothFerretGoldenPrompts() {
        JsonNode cases = TokenizerGoldens.readJson(Goldens.path("ferret/ferret_meta.json")).get("cases");
        LlamaTokenizer checkpointTokenizer = LlamaTokenizer.load(Goldens.path("ferret/checkpoint"));

        for (String name : List.of("ground", "refer")) {
            JsonNode c = cases.get(name);
            assertThat(checkpointTokenizer.encodeWithImage(c.get("prompt").asText())).as(name)
                    .containsExactly(ints(c.get("input_ids")));
        }
        JsonNode refer = cases.get("refer");
        int[] ids = tokenizer().encodeWithImage(refer.get("prompt").asText());
        assertThat(ids[refer.get("region_token_pos_in_input_ids").asInt()]).isEqualTo(32000);
        assertThat(ids[refer.get("image_token_pos_in_input_ids").asInt()]).isEqualTo(LlamaTokenizer.IMAGE_TOKEN_INDEX);
    }

    @Test
    void decodesTheGreedyAnswersOfTheFerretGoldenAsTheEvalScriptsDo() {
        JsonNode cases = TokenizerGoldens.readJson(Goldens.path("ferret/ferret_meta.json")).get("cases");

        for (String name : List.of("ground", "refer")) {
            JsonNode c = cases.get(name);
            assertThat(tokenizer().decodeAnswer(ints(c.get("greedy_new_ids")))).as(name)
                    .isEqualTo(c.get("greedy_decoded").asText());
        }
    }

    @Test
    void answersLoseSurroundingSpaceAndATrailingEndOfSequenceText() {
        int[] ids = tokenizer().encodeRaw("  A cat. </s> ");

        assertThat(tokenizer().decodeAnswer(ids)).isEqualTo("A cat.");
        assertThat(tokenizer().decodeAnswer(new int[] {319, 2})).isEqualTo("A");
    }

    @Test
    void encodesTheEmptyPromptAsBosAlone() {
        assertThat(tokenizer().encode("")).containsExactly(1);
        assertThat(tokenizer().encodeWithImage("")).containsExactly(1);
        assertThat(tokenizer().encodeRaw("")).isEmpty();
        assertThat(tokenizer().decode(new int[0], false)).isEmpty();
    }

    @Test
    void stripsWhitespaceOnBothSidesOfRegionFeaWithPythonsIdeaOfWhitespace() {
        int[] expected = {1, 263, 32000, 289};

        assertThat(tokenizer().encode("a<region_fea>b")).containsExactly(expected);
        assertThat(tokenizer().encode("a \t\n<region_fea>\n b")).containsExactly(expected);
        // Python's str.strip also removes U+00A0, U+2007 and U+202F, which Java's isWhitespace does not.
        assertThat(tokenizer().encode("a\u00A0\u2007<region_fea>\u202F b")).containsExactly(expected);
        assertThat(tokenizer().encode("  <region_fea>  ")).containsExactly(1, 32000);
    }

    @Test
    void keepsWhitespaceAroundSpecialTokensWhichAreAddedTokensWithoutStripping() {
        // tokenizer_config.json declares <s>, </s>, <unk> as AddedToken(lstrip=False, rstrip=False) (spec §4.3).
        LlamaTokenizer tok = tokenizer();
        int[] expected = IntStream.concat(IntStream.concat(IntStream.of(1), Arrays.stream(tok.encodeRaw("a "))),
                IntStream.concat(IntStream.of(2), Arrays.stream(tok.encodeRaw(" b")))).toArray();

        assertThat(tok.encode("a </s> b")).containsExactly(expected);
    }

    @Test
    void addsBuilderTokensAfterThoseAlreadyInTheTokenizer() {
        LlamaTokenizer all = TokenizerGoldens.tokenizerWithAllBuilderTokens();

        assertThat(tokenizer().vocabSize()).isEqualTo(32001);
        assertThat(all.vocabSize()).isEqualTo(32004);
        assertThat(all.tokenId("<im_patch>")).isEqualTo(32001);
        assertThat(all.tokenId("<region_fea>")).isEqualTo(32000);
        assertThat(all.tokenId("<im_start>")).isEqualTo(32002);
        assertThat(all.tokenId("<im_end>")).isEqualTo(32003);
        assertThat(all.encode("<im_start> x <im_end>")).containsExactly(1, 32002, 921, 32003);
        assertThat(all.decode(new int[] {1, 32002, 921, 32003}, true)).isEqualTo("<im_start> x <im_end>");
        assertThat(tokenizer().encode("<im_start>")).as("the original is unchanged").hasSize(6);
    }

    @Test
    void givesBuilderTokensTheNextIdsOnAPlainVicunaTokenizer() throws IOException {
        Files.copy(TokenizerGoldens.DIR.resolve("tokenizer.model"), dir.resolve("tokenizer.model"));
        LlamaTokenizer vicuna = LlamaTokenizer.load(dir);

        LlamaTokenizer added = vicuna.withAddedTokens("<im_patch>").withAddedTokens("<region_fea>");

        assertThat(vicuna.vocabSize()).isEqualTo(32000);
        assertThat(added.tokenId("<im_patch>")).isEqualTo(32000);
        assertThat(added.tokenId("<region_fea>")).isEqualTo(32001);
        assertThat(vicuna.encode("Hello")).as("defaults: BOS, no EOS").containsExactly(1, 15043);
    }

    @Test
    void doesNotAddTokensThatAreAlreadyPieces() {
        LlamaTokenizer tok = tokenizer().withAddedTokens("▁the", "<s>");

        assertThat(tok.vocabSize()).isEqualTo(32001);
        assertThat(tok.encode("a▁the")).as("now no-split, so its own chunk").containsExactly(1, 263, 278);
    }

    @Test
    void refusesToDecodeUnknownIdsNamingThem() {
        LlamaTokenizer tok = tokenizer();

        assertThatThrownBy(() -> tok.decode(new int[] {278, 32001}, true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("token id 32001 is not in the vocabulary (ids 0..32000)");
        assertThatThrownBy(() -> tok.decode(new int[] {-1}, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token id -1 is not in the vocabulary");
        assertThatThrownBy(() -> tok.decode(new int[] {1, -200}, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-200 is the <image> placeholder");
        assertThatThrownBy(() -> tok.pieces(new int[] {Integer.MAX_VALUE})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token id " + Integer.MAX_VALUE);
        assertThatThrownBy(() -> tok.decodeRaw(new int[] {32000})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token id 32000 is not in the vocabulary (ids 0..31999) of tokenizer.model");
        assertThatThrownBy(() -> tok.newStreamingDecoder(true).accept(40000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id 40000");
    }

    @Test
    void refusesUnknownTokenStrings() {
        assertThatThrownBy(() -> tokenizer().tokenId("<im_patch>")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'<im_patch>' is neither a piece of tokenizer.model nor an added token");
        assertThat(tokenizer().tokenId("<unk>")).isZero();
    }

    @Test
    void refusesTextWithAnUnpairedSurrogate() {
        assertThatThrownBy(() -> tokenizer().encode("<region_fea> \uD83D!")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unpaired surrogate U+D83D");
    }

    @Test
    void givesTheSameIdsFromManyThreads() throws Exception {
        List<String> texts = TokenizerGoldens.cases().stream().map(c -> c.get("text").asText()).toList();
        List<int[]> sequential = texts.stream().map(tokenizer()::encode).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<int[]>>> results = pool.invokeAll(IntStream.range(0, 4)
                    .mapToObj(t -> (Callable<List<int[]>>) () ->
                            texts.stream().map(tokenizer()::encode).toList())
                    .toList());
            for (Future<List<int[]>> result : results) {
                List<int[]> ids = result.get();
                for (int i = 0; i < texts.size(); i++) {
                    assertThat(ids.get(i)).containsExactly(sequential.get(i));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusesAFolderWithoutATokenizerModel() {
        assertThatThrownBy(() -> LlamaTokenizer.load(dir)).isInstanceOf(TokenizerException.class)
                .hasMessageStartingWith(dir.resolve("tokenizer.model").toString());
    }

    @Test
    void refusesTokenizerModelsThatAreNotSentencePieceModels() throws IOException {
        for (byte[] content : List.of(new byte[0], "{\"added_tokens\": []}".getBytes(), randomBytes())) {
            Files.write(dir.resolve("tokenizer.model"), content);

            assertThatThrownBy(() -> LlamaTokenizer.load(dir)).isInstanceOf(TokenizerException.class)
                    .hasMessageStartingWith(dir.resolve("tokenizer.model") + ": not a SentencePiece model");
        }
    }

    @Test
    void refusesNonLegacyAndCleanUpSettings() throws IOException {
        Files.copy(TokenizerGoldens.DIR.resolve("tokenizer.model"), dir.resolve("tokenizer.model"));
        Path config = dir.resolve("tokenizer_config.json");

        Files.writeString(config, "{\"legacy\": false}");
        assertThatThrownBy(() -> LlamaTokenizer.load(dir)).isInstanceOf(TokenizerException.class)
                .hasMessageStartingWith(config + ": legacy is false");

        Files.writeString(config, "{\"clean_up_tokenization_spaces\": true}");
        assertThatThrownBy(() -> LlamaTokenizer.load(dir)).isInstanceOf(TokenizerException.class)
                .hasMessageStartingWith(config + ": clean_up_tokenization_spaces is true");

        Files.writeString(config, "{\"additional_special_tokens\": [\"<x>\"]}");
        assertThatThrownBy(() -> LlamaTokenizer.load(dir)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("additional_special_tokens [\"<x>\"] is not supported");
    }

    @Test
    void refusesNonConsecutiveAddedTokens() throws IOException {
        Files.copy(TokenizerGoldens.DIR.resolve("tokenizer.model"), dir.resolve("tokenizer.model"));
        Path added = Files.writeString(dir.resolve("added_tokens.json"), "{\"<region_fea>\": 32001}");

        assertThatThrownBy(() -> LlamaTokenizer.load(dir)).isInstanceOf(TokenizerException.class)
                .hasMessage(added + ": non-consecutive added token '<region_fea>': its id is 32001 but the next free id"
                        + " is 32000");
    }

    @Test
    void honoursAddEosToken() throws IOException {
        Files.copy(TokenizerGoldens.DIR.resolve("tokenizer.model"), dir.resolve("tokenizer.model"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"add_bos_token\": false, \"add_eos_token\": true}");

        assertThat(LlamaTokenizer.load(dir).encode("Hello")).containsExactly(15043, 2);
    }

    private static int[] withoutBos(String text) {
        int[] ids = tokenizer().encode(text);
        assertThat(ids[0]).isEqualTo(1);
        return Arrays.copyOfRange(ids, 1, ids.length);
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[2048];
        new Random(7).nextBytes(bytes);
        return bytes;
    }
}
