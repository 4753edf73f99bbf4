package io.ferret4j.llm.prompt;

import java.util.List;

import io.ferret4j.llm.tokenizer.LlamaTokenizer;

/**
 * Ferret's {@code ferret_v1} conversation template (ml-ferret {@code conversation.py}, separator style TWO):
 * {@code system + " "}, then {@code role + ": " + text} followed by {@code " "} after user turns and
 * {@code "</s>"} after assistant turns; an open assistant turn renders as {@code "ASSISTANT:"}.
 */
public final class ConversationTemplate {
    /** The system prompt, verbatim (the trailing space is part of it). */
    public static final String SYSTEM = "A chat between a human and an AI that understands visuals. In images, [x, y] "
            + "denotes points: top-left [0, 0], bottom-right [width-1, height-1]. Increasing x moves right; y moves "
            + "down. Bounding box: [x1, y1, x2, y2]. Image size: 1000x1000. Follow instructions. ";
    public static final String USER = "USER";
    public static final String ASSISTANT = "ASSISTANT";
    private static final String SEP = " ";
    private static final String SEP2 = "</s>";

    private ConversationTemplate() {
    }

    /** One finished exchange: what the user asked and what the assistant answered. */
    public record Turn(String user, String assistant) {
    }

    /**
     * Renders earlier turns plus a new user message, ending with the open {@code "ASSISTANT:"} turn. The first
     * user message gets {@code "<image>\n"} in front, as every reference script does.
     *
     * @param history finished turns, oldest first (empty for a single question)
     * @param question the new user message, without {@code <image>}
     */
    public static String render(List<Turn> history, String question) {
        StringBuilder sb = new StringBuilder(SYSTEM).append(SEP);
        boolean first = true;
        for (Turn t : history) {
            appendUser(sb, first ? withImage(t.user()) : t.user());
            sb.append(ASSISTANT).append(": ").append(t.assistant()).append(SEP2);
            first = false;
        }
        appendUser(sb, first ? withImage(question) : question);
        return sb.append(ASSISTANT).append(':').toString();
    }

    private static void appendUser(StringBuilder sb, String text) {
        sb.append(USER).append(": ").append(text).append(SEP);
    }

    private static String withImage(String text) {
        if (text.contains(LlamaTokenizer.IMAGE_TOKEN)) {
            throw new IllegalArgumentException("the question must not contain " + LlamaTokenizer.IMAGE_TOKEN
                    + "; the template places the image itself: " + text);
        }
        return LlamaTokenizer.IMAGE_TOKEN + "\n" + text;
    }
}
