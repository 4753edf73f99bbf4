package io.ferret4j.examples.eval;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * POPE as {@code model_pope.py} asks it: each annotation line's {@code text} as the question about its
 * {@code image}; each answer becomes {@code {question, answer}} with the answer lower-cased.
 */
final class PopeBenchmark implements EvalBenchmark {
    private final List<JsonLine> questions;
    private final Path imageDir;

    PopeBenchmark(List<JsonLine> questions, Path imageDir) {
        this.questions = questions;
        this.imageDir = imageDir;
    }

    @Override
    public int size() {
        return questions.size();
    }

    @Override
    public EvalSample sample(int index) {
        JsonLine q = questions.get(index);
        String question = q.text("text");
        return new EvalSample(imageDir.resolve(q.text("image")), question, List.of(), (answer, width, height) -> {
            ObjectNode line = JsonNodeFactory.instance.objectNode();
            line.put("question", question);
            line.put("answer", answer.toLowerCase(Locale.ROOT));
            return line;
        });
    }
}
