package io.ferret4j.examples;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import ai.djl.modality.cv.Image;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferret4j.core.region.Region;
import io.ferret4j.core.region.VocabCoordinates;
import io.ferret4j.llm.Ferret;
import io.ferret4j.llm.FerretAnswer;
import io.ferret4j.llm.Grounding;

/** Prints an answer: its text (already streamed) and groundings, or one JSON object. */
public final class AnswerOutput {
    static final ObjectMapper JSON = new ObjectMapper();

    private AnswerOutput() {
    }

    /**
     * Asks and prints the answer: streamed as text, or as one JSON object with {@code json}.
     *
     * @param dump where to write the reference-named tensors of this answer, if anywhere
     */
    static FerretAnswer ask(Ferret ferret, Image image, String question, List<Region> regions, boolean json,
                            Optional<Path> dump, PrintStream out) {
        Consumer<String> stream = json ? t -> { } : t -> {
            out.print(t);
            out.flush();
        };
        FerretAnswer answer = ferret.conversation(image).ask(question, regions, stream, dump);
        print(answer, json, out);
        return answer;
    }

    static void print(FerretAnswer answer, boolean json, PrintStream out) {
        if (json) {
            out.println(toJson(answer));
            return;
        }
        out.println();
        for (Grounding g : answer.groundings()) {
            out.println("  " + (g.phrase().isEmpty() ? "(no phrase)" : g.phrase()) + ": "
                    + VocabCoordinates.format(pixels(g.region())) + " px");
        }
    }

    /** {@link #toNode} as one line of JSON. */
    static String toJson(FerretAnswer answer) {
        try {
            return JSON.writeValueAsString(toNode(answer));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /**
     * {@code prompt}, {@code input_ids} (with -200 where the image goes), {@code output_ids} (generated ids only),
     * {@code text}, {@code groundings} (phrase, {@code kind} box or point, {@code grid} on the 1000-grid and
     * {@code pixels} of the original image) and {@code stop_reason}.
     */
    public static ObjectNode toNode(FerretAnswer answer) {
        ObjectNode o = JSON.createObjectNode();
        o.put("prompt", answer.prompt());
        ArrayNode in = o.putArray("input_ids");
        for (int id : answer.inputIds()) {
            in.add(id);
        }
        ArrayNode outIds = o.putArray("output_ids");
        for (int id : answer.outputIds()) {
            outIds.add(id);
        }
        o.put("text", answer.text());
        ArrayNode groundings = o.putArray("groundings");
        for (Grounding g : answer.groundings()) {
            ObjectNode b = groundings.addObject();
            b.put("phrase", g.phrase());
            b.put("kind", g.region() instanceof Region.Box ? "box" : "point");
            ArrayNode grid = b.putArray("grid");
            for (int c : g.grid()) {
                grid.add(c);
            }
            ArrayNode px = b.putArray("pixels");
            for (int c : pixels(g.region())) {
                px.add(c);
            }
        }
        o.put("stop_reason", answer.stopReason().name());
        return o;
    }

    private static int[] pixels(Region r) {
        if (r instanceof Region.Box b) {
            return new int[] {b.x1(), b.y1(), b.x2(), b.y2()};
        }
        Region.Point p = (Region.Point) r;
        return new int[] {p.x(), p.y()};
    }
}
