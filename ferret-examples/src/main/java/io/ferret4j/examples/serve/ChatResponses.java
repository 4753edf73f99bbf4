package io.ferret4j.examples.serve;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.ferret4j.core.region.Region;
import io.ferret4j.llm.FerretAnswer;
import io.ferret4j.llm.Grounding;
import io.ferret4j.llm.generate.StopReason;

/** The JSON the chat-completions route answers with, as OpenAI's API shapes it, plus Ferret's groundings. */
final class ChatResponses {
    private ChatResponses() {
    }

    /** A whole answer: {@code object = "chat.completion"}. */
    record Completion(String id, String object, long created, String model, List<Choice> choices, Usage usage) {
    }

    /** The one choice of a whole answer. */
    record Choice(int index, Message message, String finishReason) {
    }

    /** The assistant's message, with the boxes its text names. */
    record Message(String role, String content, List<GroundingJson> groundings) {
    }

    /**
     * A box the answer names.
     *
     * @param phrase  the words it belongs to
     * @param box     {@code [x1, y1, x2, y2]} in pixels of the image, inclusive (a point gives {@code [x, y, x, y]})
     * @param box1000 the same as the model wrote it, on its 0–999 grid
     */
    record GroundingJson(String phrase, int[] box, @JsonProperty("box_1000") int[] box1000) {
    }

    /** Token counts: the prompt's decoder rows (text and image) and the generated tokens. */
    record Usage(int promptTokens, int completionTokens, int totalTokens) {
    }

    /** One Server-Sent Event of a streamed answer: {@code object = "chat.completion.chunk"}. */
    record Chunk(String id, String object, long created, String model, List<ChunkChoice> choices, Usage usage) {
    }

    /** The one choice of a chunk; {@code finish_reason} is written, as null, until the last chunk. */
    record ChunkChoice(int index, Delta delta,
                       @JsonInclude(JsonInclude.Include.ALWAYS) String finishReason) {
    }

    /** What a chunk adds: the role (first chunk), text, or the groundings (last chunk). */
    record Delta(String role, String content, List<GroundingJson> groundings) {
    }

    /** The whole-answer object for {@code answer}. */
    static Completion completion(String id, long created, String model, FerretAnswer answer) {
        Message message = new Message("assistant", answer.text(), groundings(answer));
        return new Completion(id, "chat.completion", created, model,
                List.of(new Choice(0, message, finishReason(answer.stopReason()))), usage(answer));
    }

    /** A chunk with one delta and no finish reason. */
    static Chunk chunk(String id, long created, String model, Delta delta) {
        return new Chunk(id, "chat.completion.chunk", created, model, List.of(new ChunkChoice(0, delta, null)), null);
    }

    /** The last chunk of the answer: its groundings and finish reason. */
    static Chunk lastChunk(String id, long created, String model, FerretAnswer answer) {
        Delta delta = new Delta(null, null, groundings(answer));
        return new Chunk(id, "chat.completion.chunk", created, model,
                List.of(new ChunkChoice(0, delta, finishReason(answer.stopReason()))), null);
    }

    /** The usage chunk OpenAI sends after the last one when {@code stream_options.include_usage} is set. */
    static Chunk usageChunk(String id, long created, String model, FerretAnswer answer) {
        return new Chunk(id, "chat.completion.chunk", created, model, List.of(), usage(answer));
    }

    /** {@code stop} for an end of sequence or a stop text, {@code length} for {@code max_tokens}. */
    static String finishReason(StopReason reason) {
        return switch (reason) {
            case EOS, STOP_SEQUENCE -> "stop";
            case MAX_NEW_TOKENS -> "length";
            case CANCELLED -> throw new IllegalStateException("a cancelled answer has no finish reason");
        };
    }

    static Usage usage(FerretAnswer answer) {
        int prompt = answer.timings().promptRows();
        int completion = answer.outputIds().length;
        return new Usage(prompt, completion, prompt + completion);
    }

    private static List<GroundingJson> groundings(FerretAnswer answer) {
        return answer.groundings().stream().map(ChatResponses::grounding).toList();
    }

    private static GroundingJson grounding(Grounding g) {
        int[] grid = g.grid();
        if (g.region() instanceof Region.Box b) {
            return new GroundingJson(g.phrase(), new int[] {b.x1(), b.y1(), b.x2(), b.y2()}, grid);
        }
        Region.Point p = (Region.Point) g.region();
        return new GroundingJson(g.phrase(), new int[] {p.x(), p.y(), p.x(), p.y()},
                new int[] {grid[0], grid[1], grid[0], grid[1]});
    }
}
