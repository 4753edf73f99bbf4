package io.ferret4j.llm.tokenizer;

import static io.ferret4j.llm.tokenizer.ModelProtoBuilder.FIRST_FREE_ID;
import static io.ferret4j.llm.tokenizer.ModelProtoBuilder.NORMAL;
import static io.ferret4j.llm.tokenizer.ModelProtoBuilder.UNUSED;
import static io.ferret4j.llm.tokenizer.ModelProtoBuilder.USER_DEFINED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The BPE merge order of sentencepiece's {@code bpe_model.cc}, on tiny hand-made vocabularies. */
final class BpeEncoderTest {
    @TempDir
    Path dir;

    @Test
    void mergesTheLeftmostPairWhenScoresTie() {
        // "ab" and "bc" score the same: "ab" (further left) is merged first, which leaves no "bc".
        SentencePieceModel model = model(ModelProtoBuilder.llamaLike()
                .piece("▁", -1, NORMAL).piece("a", -2, NORMAL).piece("b", -2, NORMAL).piece("c", -2, NORMAL)
                .piece("ab", -5, NORMAL).piece("bc", -5, NORMAL));

        assertThat(pieces(model, "abc")).containsExactly("▁", "ab", "c");
    }

    @Test
    void mergesTheHighestScoringPairFirstWhereverItIs() {
        SentencePieceModel model = model(ModelProtoBuilder.llamaLike()
                .piece("▁", -1, NORMAL).piece("a", -2, NORMAL).piece("b", -2, NORMAL).piece("c", -2, NORMAL)
                .piece("ab", -6, NORMAL).piece("bc", -5, NORMAL));

        assertThat(pieces(model, "abc")).containsExactly("▁", "a", "bc");
    }

    @Test
    void keepsMergingNewlyFormedPairs() {
        SentencePieceModel model = model(ModelProtoBuilder.llamaLike()
                .piece("▁", -1, NORMAL).piece("a", -2, NORMAL).piece("b", -2, NORMAL)
                .piece("ab", -3, NORMAL).piece("▁ab", -4, NORMAL).piece("▁ab▁ab", -9, NORMAL));

        assertThat(pieces(model, "ab ab")).containsExactly("▁ab▁ab");
        assertThat(pieces(model, "ab  ab")).containsExactly("▁ab", "▁", "▁ab");
    }

    @Test
    void spellsCharactersOutsideTheVocabularyAsUtf8Bytes() {
        SentencePieceModel model = model(ModelProtoBuilder.llamaLike().piece("▁", -1, NORMAL).piece("a", -2, NORMAL));

        assertThat(new BpeEncoder(model).encode("aé😀"))
                .containsExactly(FIRST_FREE_ID, FIRST_FREE_ID + 1, 3 + 0xC3, 3 + 0xA9, 3 + 0xF0, 3 + 0x9F, 3 + 0x98, 3 + 0x80);
    }

    @Test
    void splitsUnusedPiecesBackIntoTheirHalves() {
        // "ab" may be merged through (it leads to "abc") but must not be output itself.
        SentencePieceModel model = model(ModelProtoBuilder.llamaLike()
                .piece("▁", -1, NORMAL).piece("a", -2, NORMAL).piece("b", -2, NORMAL).piece("c", -2, NORMAL)
                .piece("ab", -3, UNUSED).piece("abc", -4, NORMAL));

        assertThat(pieces(model, "abc")).containsExactly("▁", "abc");
        assertThat(pieces(model, "ab")).containsExactly("▁", "a", "b");
    }

    @Test
    void neverMergesIntoOrAcrossUserDefinedPieces() {
        SentencePieceModel model = model(ModelProtoBuilder.llamaLike()
                .piece("▁", -1, NORMAL).piece("a", -2, NORMAL).piece("<", -2, NORMAL).piece("▁a<", -1, NORMAL)
                .piece("▁a", -3, NORMAL).piece("<x>", 0, USER_DEFINED));

        assertThat(pieces(model, "a<x>a<")).containsExactly("▁a", "<x>", "a", "<");
    }

    @Test
    void encodesTheEmptyStringAsNoPieces() {
        SentencePieceModel model = model(ModelProtoBuilder.llamaLike().piece("▁", -1, NORMAL));

        assertThat(new BpeEncoder(model).encode("")).isEmpty();
    }

    @Test
    void rejectsAnUnpairedSurrogateNamingItsIndex() {
        SentencePieceModel model = model(ModelProtoBuilder.llamaLike().piece("▁", -1, NORMAL));

        assertThatThrownBy(() -> new BpeEncoder(model).encode("ab\uD83D"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("U+D83D at index 2");
        assertThatThrownBy(() -> new BpeEncoder(model).encode("\uDE00x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("U+DE00 at index 0");
    }

    private SentencePieceModel model(ModelProtoBuilder builder) {
        return SentencePieceModel.read(builder.writeTo(dir).resolve(LlamaTokenizer.MODEL_FILE));
    }

    private static List<String> pieces(SentencePieceModel model, String text) {
        return Arrays.stream(new BpeEncoder(model).encode(text)).mapToObj(model::piece).toList();
    }
}
