package io.ferret4j.llm.tokenizer;

import static io.ferret4j.llm.tokenizer.ModelProtoBuilder.NORMAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SentencePieceModelTest {
    @TempDir
    Path dir;

    @Test
    void readsTheGoldenLlamaModel() {
        SentencePieceModel model = SentencePieceModel.read(TokenizerGoldens.DIR.resolve("tokenizer.model"));

        assertThat(model.size()).isEqualTo(32000);
        assertThat(countsByType(model)).containsEntry(SentencePieceModel.PieceType.NORMAL, 31741L)
                .containsEntry(SentencePieceModel.PieceType.BYTE, 256L)
                .containsEntry(SentencePieceModel.PieceType.CONTROL, 2L)
                .containsEntry(SentencePieceModel.PieceType.UNKNOWN, 1L);
        assertThat(model.piece(0)).isEqualTo("<unk>");
        assertThat(model.unkId()).isZero();
        assertThat(model.piece(13)).isEqualTo("<0x0A>");
        assertThat(model.byteValue(13)).isEqualTo(10);
        assertThat(model.byteId(0xFF)).isEqualTo(258);
        assertThat(model.mergeableId("▁the")).isEqualTo(278);
        assertThat(model.mergeableId("<s>")).as("control pieces are not mergeable").isEqualTo(-1);
        assertThat(model.pieceToId("<s>")).isEqualTo(1);
        assertThat(model.pieceToId("no such piece")).isZero();
        assertThat(model.score(278)).isNegative();
        assertThat(model.unkSurface()).isEqualTo(" \u2047 ");
        assertThat(model.addDummyPrefix()).isTrue();
    }

    @Test
    void rejectsRandomBytesNamingTheFile() throws IOException {
        Random random = new Random(42);
        for (int trial = 0; trial < 50; trial++) {
            byte[] noise = new byte[1 + random.nextInt(4096)];
            random.nextBytes(noise);
            Path file = Files.write(dir.resolve("noise" + trial + ".model"), noise);

            assertThatThrownBy(() -> SentencePieceModel.read(file)).isInstanceOf(TokenizerException.class)
                    .hasMessageStartingWith(file.toString()).hasMessageContaining("not a SentencePiece model");
        }
    }

    @Test
    void rejectsAnEmptyFile() throws IOException {
        Path file = Files.write(dir.resolve("empty.model"), new byte[0]);

        assertThatThrownBy(() -> SentencePieceModel.read(file)).isInstanceOf(TokenizerException.class)
                .hasMessage(file + ": not a SentencePiece model (0 bytes, no vocabulary pieces)");
    }

    @Test
    void rejectsAJsonFile() throws IOException {
        Path file = Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\", \"vocab\": {}}}");

        assertThatThrownBy(() -> SentencePieceModel.read(file)).isInstanceOf(TokenizerException.class)
                .hasMessageStartingWith(file.toString()).hasMessageContaining("not a SentencePiece model")
                .hasMessageContaining("unsupported wire type 3 at byte 0");
    }

    @Test
    void rejectsATruncatedModel() throws IOException {
        byte[] whole = Files.readAllBytes(TokenizerGoldens.DIR.resolve("tokenizer.model"));
        Path atPieceBoundary = Files.write(dir.resolve("cut1.model"), Arrays.copyOf(whole, 100_000));
        Path insideAPiece = Files.write(dir.resolve("cut2.model"), Arrays.copyOf(whole, 100_001));

        assertThatThrownBy(() -> SentencePieceModel.read(atPieceBoundary)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("not a complete SentencePiece model").hasMessageContaining("truncated file?");
        assertThatThrownBy(() -> SentencePieceModel.read(insideAPiece)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("not a SentencePiece model (truncated field at byte 100001");
    }

    @Test
    void refusesAUnigramModel() {
        Path file = write(ModelProtoBuilder.llamaLike().piece("▁", 0, NORMAL).modelType(1));

        assertThatThrownBy(() -> SentencePieceModel.read(file)).isInstanceOf(TokenizerException.class)
                .hasMessage(file + ": trainer_spec.model_type is 1 (UNIGRAM), only BPE (2) is supported");
    }

    @Test
    void refusesANormalizerWithACharsmap() {
        Path file = write(ModelProtoBuilder.llamaLike().charsmap(new byte[] {1, 2, 3}));

        assertThatThrownBy(() -> SentencePieceModel.read(file)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("normalizer 'nmt_nfkc' has a precompiled charsmap of 3 bytes");
    }

    @Test
    void refusesWhitespaceCollapsing() {
        Path file = write(ModelProtoBuilder.llamaLike().removeExtraWhitespaces(true));

        assertThatThrownBy(() -> SentencePieceModel.read(file)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("remove_extra_whitespaces is true");
    }

    @Test
    void refusesAModelWithoutByteFallback() {
        Path file = write(ModelProtoBuilder.empty().piece("<unk>", 0, ModelProtoBuilder.UNKNOWN).byteFallback(false));

        assertThatThrownBy(() -> SentencePieceModel.read(file)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("byte_fallback is false");
    }

    @Test
    void refusesAByteFallbackModelMissingABytePiece() {
        Path file = write(ModelProtoBuilder.empty().piece("<unk>", 0, ModelProtoBuilder.UNKNOWN)
                .piece("<0x00>", 0, ModelProtoBuilder.BYTE));

        assertThatThrownBy(() -> SentencePieceModel.read(file)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("the BYTE piece <0x01> is missing");
    }

    @Test
    void refusesDuplicatePiecesAndAMissingUnknownPiece() {
        Path duplicate = write(ModelProtoBuilder.llamaLike().piece("a", 0, NORMAL).piece("a", -1, NORMAL));
        assertThatThrownBy(() -> SentencePieceModel.read(duplicate)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("piece 'a' is defined twice (ids 259 and 260)");

        Path noUnk = write(ModelProtoBuilder.empty().piece("a", 0, NORMAL));
        assertThatThrownBy(() -> SentencePieceModel.read(noUnk)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("0 UNKNOWN pieces [];").hasMessageContaining("requires exactly one");
    }

    @Test
    void refusesAPieceOfUnknownType() {
        Path file = write(ModelProtoBuilder.llamaLike().piece("a", 0, 9));

        assertThatThrownBy(() -> SentencePieceModel.read(file)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("piece 259 ('a') has unknown type 9");
    }

    private Path write(ModelProtoBuilder builder) {
        return builder.writeTo(dir).resolve(LlamaTokenizer.MODEL_FILE);
    }

    private static Map<SentencePieceModel.PieceType, Long> countsByType(SentencePieceModel model) {
        return IntStream.range(0, model.size()).mapToObj(model::type)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }
}
