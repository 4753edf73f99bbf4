package io.ferret4j.llm;

import java.util.ArrayList;
import java.util.List;

import io.ferret4j.core.region.Region;
import io.ferret4j.core.region.VocabCoordinates;
import io.ferret4j.llm.prompt.ConversationTemplate;
import io.ferret4j.llm.prompt.RegionPrompt;

/**
 * The turns of a conversation about one image and the regions bound to their {@code <region_fea>} slots, and the
 * prompt of its next question, written as the reference's template writes it. Not thread-safe.
 */
final class ConversationPrompt {
    private final int imageWidth;
    private final int imageHeight;
    private final List<ConversationTemplate.Turn> history = new ArrayList<>();
    private final List<Region> regions = new ArrayList<>();

    ConversationPrompt(int imageWidth, int imageHeight) {
        this.imageWidth = imageWidth;
        this.imageHeight = imageHeight;
    }

    /**
     * The prompt of one question.
     *
     * @param question the question with its regions' coordinates bound in
     * @param text     the whole prompt: every earlier turn, then the question
     * @param regions  the regions of every turn, in slot order
     */
    record Next(String question, String text, List<Region> regions) {
    }

    /**
     * The prompt asking {@code question} next, its {@code <region>} slots bound to {@code newRegions}.
     *
     * @throws IllegalArgumentException if the number of slots differs from the number of regions, or a region lies
     *         outside the image
     */
    Next next(String question, List<? extends Region> newRegions) {
        String bound = bind(question, newRegions);
        List<Region> all = new ArrayList<>(regions);
        all.addAll(newRegions);
        return new Next(bound, ConversationTemplate.render(history, bound), List.copyOf(all));
    }

    /** Records {@code next} as answered by {@code answer}. */
    void answered(Next next, String answer) {
        history.add(new ConversationTemplate.Turn(next.question(), answer));
        regions.clear();
        regions.addAll(next.regions());
    }

    /** Records a turn answered elsewhere; fails as {@link #next} does. */
    void addTurn(String question, List<? extends Region> turnRegions, String answer) {
        answered(next(question, turnRegions), answer);
    }

    /** The turns so far, oldest first. */
    List<ConversationTemplate.Turn> history() {
        return List.copyOf(history);
    }

    private String bind(String question, List<? extends Region> newRegions) {
        List<String> coordinates = new ArrayList<>();
        for (Region r : newRegions) {
            coordinates.add(VocabCoordinates.text(r, imageWidth, imageHeight));
        }
        return RegionPrompt.bind(question, coordinates);
    }
}
