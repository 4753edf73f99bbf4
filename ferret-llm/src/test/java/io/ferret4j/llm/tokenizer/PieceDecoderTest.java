package io.ferret4j.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

final class PieceDecoderTest {
    private static final CharsetDecoder STRICT = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    @Test
    void classifiesUtf8PrefixesByUnicodeTable3_7() {
        assertThat(length(0x41)).isEqualTo(1);
        assertThat(length(0xC3, 0xA9)).isEqualTo(2);
        assertThat(length(0xC3)).as("needs one more byte").isZero();
        assertThat(length(0xEF, 0xBF, 0xBD)).as("U+FFFD itself is a valid character").isEqualTo(3);
        assertThat(length(0xF0, 0x9F, 0xA6)).isZero();
        assertThat(length(0xF0, 0x9F, 0xA6, 0xA6)).isEqualTo(4);
        assertThat(length(0x80)).as("a lone continuation byte").isEqualTo(-1);
        assertThat(length(0xC0)).as("C0/C1 only start overlong forms").isEqualTo(-1);
        assertThat(length(0xE0, 0x80)).as("overlong 3-byte form").isEqualTo(-1);
        assertThat(length(0xED, 0xA0)).as("a surrogate").isEqualTo(-1);
        assertThat(length(0xF4, 0x90)).as("above U+10FFFF").isEqualTo(-1);
        assertThat(length(0xF5)).isEqualTo(-1);
        assertThat(length(0xE2, 0x41)).as("second byte not a continuation").isEqualTo(-1);
    }

    @Test
    void agreesWithTheJdkStrictDecoderOnEveryOneAndTwoBytePrefix() {
        for (int b0 = 0; b0 < 0x100; b0++) {
            assertThat(length(b0)).as("%02X", b0).isEqualTo(jdkLength(b0));
            for (int b1 = 0; b1 < 0x100; b1++) {
                assertThat(length(b0, b1)).as("%02X %02X", b0, b1).isEqualTo(jdkLength(b0, b1));
            }
        }
    }

    /** The same classification found by trying the JDK's strict decoder on the prefix and its completions. */
    private static int jdkLength(int... prefix) {
        for (int n = 1; n <= prefix.length; n++) {
            if (isOneCharacter(Arrays.copyOf(prefix, n))) {
                return n;
            }
        }
        int[] boundaries = {0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF};
        for (int a : boundaries) {
            for (int b : boundaries) {
                int[] completed = Arrays.copyOf(prefix, 4);
                Arrays.fill(completed, prefix.length, 4, 0x80);
                completed[prefix.length] = a;
                if (prefix.length + 1 < 4) {
                    completed[prefix.length + 1] = b;
                }
                for (int n = prefix.length + 1; n <= 4; n++) {
                    if (isOneCharacter(Arrays.copyOf(completed, n))) {
                        return 0;
                    }
                }
            }
        }
        return -1;
    }

    private static int length(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return PieceDecoder.utf8CharLength(b, b.length);
    }

    private static boolean isOneCharacter(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        CharBuffer out = CharBuffer.allocate(8);
        CoderResult result = STRICT.reset().decode(ByteBuffer.wrap(b), out, true);
        if (result.isError() || STRICT.flush(out).isError()) {
            return false;
        }
        out.flip();
        return Character.codePointCount(out, 0, out.length()) == 1;
    }
}
