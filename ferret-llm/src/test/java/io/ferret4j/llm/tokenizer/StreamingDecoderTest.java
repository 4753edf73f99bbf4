package io.ferret4j.llm.tokenizer;

import static io.ferret4j.llm.tokenizer.TokenizerGoldens.ints;
import static io.ferret4j.llm.tokenizer.TokenizerGoldens.tokenizer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

final class StreamingDecoderTest {

    @Test
    void concatenatesToTheHuggingFaceDecodeOfEveryGoldenString() {
        List<String> mismatches = new ArrayList<>();
        for (JsonNode c : TokenizerGoldens.cases()) {
            int[] ids = ints(c.get("hf_ids"));
            check(ids, false, c.get("hf_decoded").asText(), mismatches);
            check(ids, true, c.get("hf_decoded_skip_special").asText(), mismatches);
            check(ints(c.get("sp_ids")), true, tokenizer().decode(ints(c.get("sp_ids")), true), mismatches);
        }
        for (JsonNode c : TokenizerGoldens.TESTS.get("decode_cases")) {
            check(ints(c.get("ids")), false, c.get("hf_decoded").asText(), mismatches);
            check(ints(c.get("ids")), true, c.get("hf_decoded_skip_special").asText(), mismatches);
        }

        assertThat(mismatches).isEmpty();
    }

    @Test
    void holdsTheBytesOfACharacterUntilItIsComplete() {
        StreamingDecoder decoder = tokenizer().newStreamingDecoder(true);

        List<String> fragments = feed(decoder, 278, 243, 162, 169, 169, 278);

        assertThat(fragments).containsExactly("the", "", "", "", "\uD83E\uDDA6", " the", "");
    }

    @Test
    void turnsAnIncompleteCharacterIntoReplacementCharactersOnlyWhenItCannotComplete() {
        assertThat(feed(tokenizer().newStreamingDecoder(true), 243, 162, 169))
                .containsExactly("", "", "", "\uFFFD\uFFFD\uFFFD");
        // <0xF0> then "▁the": the byte run ends, so the lone lead byte is decoded as U+FFFD right away.
        assertThat(feed(tokenizer().newStreamingDecoder(true), 243, 278)).containsExactly("", "\uFFFD the", "");
        // <0xC3> cannot continue <0xF0>: the first byte is released as U+FFFD, the second waits.
        assertThat(feed(tokenizer().newStreamingDecoder(true), 243, 198, 172))
                .containsExactly("", "\uFFFD", "\u00E9", "");
    }

    @Test
    void streamsPieceByPieceWhenSkippingSpecialTokens() {
        List<String> fragments = feed(tokenizer().newStreamingDecoder(true), 1, 15043, 3186, 32000, 278, 2);

        assertThat(fragments).containsExactly("", "Hello", " world", " <region_fea>", " the", "", "");
    }

    @Test
    void holdsARunUntilItsEndWhenSpecialTokensAreKept() {
        // HF 4.31 writes a space before a run of ordinary pieces that a special token closes.
        List<String> fragments = feed(tokenizer().newStreamingDecoder(false), 15043, 3186, 2, 278, 32000, 278);

        assertThat(fragments).containsExactly("", "", " Hello world</s>", "", "the <region_fea>", " ", "the");
        assertThat(String.join("", fragments)).isEqualTo(tokenizer().decode(new int[] {15043, 3186, 2, 278, 32000, 278}, false));
    }

    @Test
    void refusesUseAfterFinish() {
        StreamingDecoder decoder = tokenizer().newStreamingDecoder(true);
        decoder.accept(278);
        decoder.finish();

        assertThatThrownBy(() -> decoder.accept(278)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(decoder::finish).isInstanceOf(IllegalStateException.class);
    }

    private static void check(int[] ids, boolean skip, String expected, List<String> mismatches) {
        List<String> fragments = feed(tokenizer().newStreamingDecoder(skip), ids);
        String joined = String.join("", fragments);
        if (!joined.equals(expected)) {
            mismatches.add("skip=" + skip + " ids " + Arrays.toString(ids) + ": streamed '" + joined
                    + "', expected '" + expected + "'");
        }
        for (String fragment : fragments) {
            if (!isWellFormed(fragment)) {
                mismatches.add("skip=" + skip + " ids " + Arrays.toString(ids) + ": fragment '" + fragment
                        + "' has an unpaired surrogate");
            }
        }
    }

    /** Every fragment, then the one {@link StreamingDecoder#finish} returns. */
    private static List<String> feed(StreamingDecoder decoder, int... ids) {
        List<String> fragments = new ArrayList<>();
        for (int id : ids) {
            fragments.add(decoder.accept(id));
        }
        fragments.add(decoder.finish());
        return fragments;
    }

    private static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
