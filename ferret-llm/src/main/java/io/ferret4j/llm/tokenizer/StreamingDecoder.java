package io.ferret4j.llm.tokenizer;

/**
 * Decodes generated ids one at a time. The fragments returned by {@link #accept} and {@link #finish}, joined,
 * equal {@link LlamaTokenizer#decode} of all the ids, and no fragment ends inside a character: the bytes of a
 * character spelled as {@code <0xNN>} pieces are held until it is complete (or, at {@link #finish}, turned into
 * U+FFFD per byte as the full decode does).
 *
 * <p>With {@code skipSpecialTokens} (how Ferret decodes answers) text is released piece by piece. Without it,
 * HF's slow decoder writes a space before the text of a run of ordinary pieces that a special token
 * ({@code <s>}, {@code </s>}, {@code <unk>}) ends, so such a run is held until the next special or added token
 * or {@link #finish}. One instance per sequence; not thread-safe.
 */
public final class StreamingDecoder {
    private final LlamaTokenizer tokenizer;
    private final boolean skipSpecialTokens;
    /** Whether a sub-text (HF {@code sub_texts}, joined by single spaces) has been started. */
    private boolean anySubText;
    /** Whether ordinary or special tokens are being collected into the current sub-text. */
    private boolean inSubText;
    private boolean subTextHasTokens;
    private boolean prevIsSpecial;
    private PieceDecoder run;
    /** Text of the current run not yet released (only without {@code skipSpecialTokens}). */
    private final StringBuilder held = new StringBuilder();
    private boolean finished;

    StreamingDecoder(LlamaTokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /**
     * Adds the next id and returns the text that became final, possibly empty.
     *
     * @throws IllegalArgumentException naming the id if it is not in the vocabulary
     * @throws IllegalStateException    after {@link #finish}
     */
    public String accept(int id) {
        if (finished) {
            throw new IllegalStateException("accept(" + id + ") after finish()");
        }
        tokenizer.requireKnownId(id);
        boolean special = tokenizer.isSpecial(id);
        if (skipSpecialTokens && special) {
            return "";
        }
        String addedToken = tokenizer.addedToken(id);
        return addedToken != null ? acceptAddedToken(addedToken) : acceptInSubText(id, special);
    }

    /** Ends the sequence and returns the rest of the text (held bytes and held run text). */
    public String finish() {
        if (finished) {
            throw new IllegalStateException("finish() called twice");
        }
        finished = true;
        StringBuilder out = new StringBuilder();
        closeSubText(out);
        return out.toString();
    }

    /** An added token is a sub-text of its own: it closes the current one. */
    private String acceptAddedToken(String addedToken) {
        StringBuilder out = new StringBuilder();
        closeSubText(out);
        startSubText(out);
        return out.append(addedToken).toString();
    }

    /** LlamaTokenizer.convert_tokens_to_string, one token at a time. */
    private String acceptInSubText(int id, boolean special) {
        StringBuilder out = new StringBuilder();
        if (!inSubText) {
            startSubText(out);
            inSubText = true;
            subTextHasTokens = false;
            prevIsSpecial = false;
            run = new PieceDecoder(tokenizer.model());
        }
        if (special) {
            if (!prevIsSpecial && subTextHasTokens) {
                out.append(' ');
            }
            out.append(held).append(run.finish()).append(tokenizer.tokenText(id));
            held.setLength(0);
            run = new PieceDecoder(tokenizer.model());
        } else {
            (skipSpecialTokens ? out : held).append(run.append(id));
        }
        prevIsSpecial = special;
        subTextHasTokens = true;
        return out.toString();
    }

    private void startSubText(StringBuilder out) {
        if (anySubText) {
            out.append(' ');
        }
        anySubText = true;
    }

    private void closeSubText(StringBuilder out) {
        if (inSubText) {
            out.append(held).append(run.finish());
            held.setLength(0);
            inSubText = false;
        }
    }
}
