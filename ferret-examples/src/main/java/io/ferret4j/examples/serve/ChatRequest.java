package io.ferret4j.examples.serve;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

import io.ferret4j.core.region.Region;
import io.ferret4j.llm.generate.GenerationConfig;

/**
 * A chat-completion request, checked and decoded: the one image, the earlier turns, the question to answer now,
 * and the sampling settings.
 *
 * @param model        the model name the client asked for (echoed back; one model is served)
 * @param image        the conversation's image, decoded
 * @param history      earlier user questions with the assistant's answers, oldest first
 * @param question     the last user message, to be answered
 * @param sampling     the request's generation settings
 * @param stream       whether to answer with Server-Sent Events
 * @param includeUsage whether a streamed answer ends with a usage chunk ({@code stream_options.include_usage})
 */
public record ChatRequest(String model, BufferedImage image, List<Turn> history, Question question,
                          Sampling sampling, boolean stream, boolean includeUsage) {

    /** Copies the history. */
    public ChatRequest {
        history = List.copyOf(history);
    }

    /** Every region of the request, of all turns. */
    public int regionCount() {
        return history.stream().mapToInt(t -> t.question().regions().size()).sum() + question.regions().size();
    }

    /**
     * A user message: its text, whose {@code <region>} slots take {@code regions} in order.
     *
     * @param text    the text parts joined with newlines
     * @param regions the region parts in order, in pixels of the image
     */
    public record Question(String text, List<Region> regions) {
        /** Copies the regions. */
        public Question {
            regions = List.copyOf(regions);
        }
    }

    /**
     * An earlier exchange.
     *
     * @param question what the user asked
     * @param answer   what the assistant answered
     */
    public record Turn(Question question, String answer) {
    }

    /**
     * The OpenAI sampling fields; each empty one keeps the server's setting.
     *
     * @param maxTokens   {@code max_tokens} (or {@code max_completion_tokens})
     * @param temperature {@code temperature}, 0 = greedy
     * @param topP        {@code top_p}
     * @param seed        {@code seed}
     * @param stop        {@code stop}: texts that end the answer
     */
    public record Sampling(OptionalInt maxTokens, OptionalDouble temperature, OptionalDouble topP, OptionalLong seed,
                           List<String> stop) {
        /** Copies the stop texts. */
        public Sampling {
            stop = List.copyOf(stop);
        }

        /** The generation settings: the server's {@code defaults} with this request's fields in their place. */
        public GenerationConfig resolve(GenerationConfig defaults) {
            int max = maxTokens.orElse(defaults.maxNewTokens());
            double t = temperature.orElse(defaults.temperature());
            double p = topP.orElse(defaults.topP());
            long s = seed.orElse(defaults.seed());
            return t == 0 && p == 1 ? GenerationConfig.greedy(max) : GenerationConfig.sampling(max, t, 0, p, s);
        }
    }

    /** The model name to report: the one asked for, or the served one. */
    public String modelOr(String served) {
        return Optional.ofNullable(model).orElse(served);
    }
}
