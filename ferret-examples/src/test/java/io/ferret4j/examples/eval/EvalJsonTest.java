package io.ferret4j.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Prediction lines are written byte for byte as Python's {@code json.dumps} writes them. */
final class EvalJsonTest {
    @Test
    void linesUsePythonSeparatorsAndLowerCaseAsciiEscapes() {
        String line = EvalJson.line(EvalFiles.json(
                "{\"text\": \"caf\\u00e9 \\ud83d\\ude00\\u0001\\u007f\\n\\\"\", \"box\": [1, 2], \"w\": 0.25}"));

        // json.dumps({"text": "café 😀\x01\x7f\n\"", "box": [1, 2], "w": 0.25})
        assertThat(line).isEqualTo(
                "{\"text\": \"caf\\u00e9 \\ud83d\\ude00\\u0001\\u007f\\n\\\"\", \"box\": [1, 2], \"w\": 0.25}");
    }
}
