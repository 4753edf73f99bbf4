package io.ferret4j.examples.batch;

import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferret4j.examples.AnswerOutput;
import io.ferret4j.llm.FerretAnswer;
import io.ferret4j.llm.Timings;

/**
 * A task's outcome: the answer, or the error that stopped it (a missing image, a bad region, a malformed task).
 *
 * @param answer the answer, if the task ran
 * @param error  what went wrong, if it did not
 */
public record TaskResult(Optional<FerretAnswer> answer, Optional<String> error) {

    /** Checks that exactly one of answer and error is present. */
    public TaskResult {
        if (answer.isPresent() == error.isPresent()) {
            throw new IllegalArgumentException("a task result holds an answer or an error, got answer "
                    + answer.isPresent() + " and error " + error.isPresent());
        }
    }

    /** The task ran and gave {@code answer}. */
    public static TaskResult answered(FerretAnswer answer) {
        return new TaskResult(Optional.of(answer), Optional.empty());
    }

    /** The task failed with {@code message}. */
    public static TaskResult failed(String message) {
        return new TaskResult(Optional.empty(), Optional.of(message));
    }

    /** The task failed with {@code e}; a missing file is named plainly. */
    public static TaskResult failed(RuntimeException e) {
        if (e instanceof UncheckedIOException u && u.getCause() instanceof NoSuchFileException n) {
            return failed("no such file: " + n.getFile());
        }
        return failed(e.getMessage() == null ? e.toString() : e.getMessage());
    }

    /**
     * The result as JSON: the answer as {@code ferret ask --json} prints it ({@link AnswerOutput#toNode}) plus
     * {@code timings} in milliseconds, or {@code {"error": ...}}.
     */
    public ObjectNode toJson() {
        if (error.isPresent()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("error", error.get());
            return o;
        }
        FerretAnswer a = answer.get();
        ObjectNode o = AnswerOutput.toNode(a);
        Timings t = a.timings();
        ObjectNode timings = o.putObject("timings");
        timings.put("encode_ms", t.encodeNanos() / 1e6);
        timings.put("region_ms", t.regionNanos() / 1e6);
        timings.put("prefill_ms", t.prefillNanos() / 1e6);
        timings.put("decode_ms", t.decodeNanos() / 1e6);
        timings.put("prompt_rows", t.promptRows());
        timings.put("generated_tokens", t.generatedTokens());
        return o;
    }
}
