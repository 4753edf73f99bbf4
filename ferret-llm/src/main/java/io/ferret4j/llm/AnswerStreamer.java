package io.ferret4j.llm;

import io.ferret4j.llm.generate.GenerationConfig;
import io.ferret4j.llm.generate.GenerationResult;
import io.ferret4j.llm.generate.PrefixReuse;
import io.ferret4j.llm.generate.StopReason;
import io.ferret4j.llm.generate.StopStrings;
import io.ferret4j.llm.tokenizer.StreamingDecoder;

/**
 * Generates one answer after a prepared prompt: streams its text to {@link AskOptions#onText()} as it comes (never
 * half a character), stops at the first stop string or when {@link AskOptions#cancelled()} says so, and times the
 * prefill (until the first token) and the decoding after it (until the last token).
 */
final class AnswerStreamer {
    private AnswerStreamer() {
    }

    /**
     * One generated answer.
     *
     * @param result       the generation (token ids, first step's logits)
     * @param text         the answer's text, cut before a stop string that ended it
     * @param stopReason   why it ended ({@link StopReason#STOP_SEQUENCE} for a stop string)
     * @param prefillNanos from the start of generation to the first token
     * @param decodeNanos  from the first token to the last (not the copy the prefix cache keeps after it)
     */
    record Answer(GenerationResult result, String text, StopReason stopReason, long prefillNanos, long decodeNanos) {
    }

    /** Generates after {@code prepared} with {@code generation}, from the rows {@code reuse} restores, as {@code ask} says. */
    static Answer generate(FerretModel model, FerretModel.Prepared prepared, GenerationConfig generation,
                           PrefixReuse reuse, AskOptions ask) {
        StreamingDecoder stream = model.newStreamingDecoder();
        StopStrings stops = new StopStrings(ask.stopStrings(), ask.onText());
        long start = System.nanoTime();
        long[] firstToken = {0};
        long[] lastToken = {0};
        GenerationResult result = model.generate(prepared, generation, reuse, id -> {
            lastToken[0] = System.nanoTime();
            if (firstToken[0] == 0) {
                firstToken[0] = lastToken[0];
            }
            boolean goOn = stops.accept(stream.accept(id));
            return goOn && !ask.cancelled().getAsBoolean();
        });
        stops.accept(stream.finish());
        stops.finish();
        String text = model.decodeAnswer(result.tokenIds());
        StopReason reason = result.stopReason();
        if (stops.stopped()) {
            text = StopStrings.cut(text, ask.stopStrings());
            reason = StopReason.STOP_SEQUENCE;
        }
        return new Answer(result, text, reason, firstToken[0] - start, lastToken[0] - firstToken[0]);
    }
}
