package io.ferret4j.llm.prompt;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ferret4j.llm.tokenizer.LlamaTokenizer;

/**
 * Binds a caller's question to its regions. Each {@code <region>} placeholder becomes that region's text form
 * ({@code "[x1, y1, x2, y2] <region_fea>"} or {@code "[x, y] <region_fea>"}); a literal {@code <region_fea>}
 * written by the caller is kept verbatim. Both consume regions in the order they appear, so a reference prompt can
 * be reproduced exactly and the k-th {@code <region_fea>} of the final text always belongs to the k-th region.
 */
public final class RegionPrompt {
    /** The placeholder callers write. */
    public static final String PLACEHOLDER = "<region>";
    private static final Pattern SLOT = Pattern.compile("<region>|<region_fea>");

    private RegionPrompt() {
    }

    /**
     * Replaces placeholders by the text forms of {@code regionCoordinates} (each the region's grid coordinates
     * already written as {@code "[x1, y1, x2, y2]"} or {@code "[x, y]"}).
     *
     * @throws IllegalArgumentException if the number of slots differs from the number of regions
     */
    public static String bind(String question, List<String> regionCoordinates) {
        Matcher m = SLOT.matcher(question);
        StringBuilder out = new StringBuilder();
        int slot = 0;
        while (m.find()) {
            String replacement = m.group().equals(PLACEHOLDER) && slot < regionCoordinates.size()
                    ? regionCoordinates.get(slot) + " " + LlamaTokenizer.REGION_FEA_TOKEN
                    : m.group();
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
            slot++;
        }
        m.appendTail(out);
        if (slot != regionCoordinates.size()) {
            throw new IllegalArgumentException("the prompt has " + slot + " region slot(s) (" + PLACEHOLDER + " or "
                    + LlamaTokenizer.REGION_FEA_TOKEN + ") but " + regionCoordinates.size() + " region(s) were given: " + question);
        }
        return out.toString();
    }
}
