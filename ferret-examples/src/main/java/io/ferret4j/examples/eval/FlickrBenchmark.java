package io.ferret4j.examples.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Flickr30k Entities as {@code model_flickr.py} asks it: for each sentence (ascending id),
 * {@code "What are the locations of <phrase>, <phrase>?"} with the phrases to evaluate, lower-cased and without
 * commas; each answer becomes {@code {image_id (the Flickr id), sentence_id, file_name, prompt, text, width,
 * height}}.
 */
final class FlickrBenchmark implements EvalBenchmark {
    private final List<JsonNode> sentences;
    private final Path imageDir;

    FlickrBenchmark(JsonNode annotation, Path imageDir) {
        this.sentences = CocoImages.sortedById(annotation);
        this.imageDir = imageDir;
    }

    @Override
    public int size() {
        return sentences.size();
    }

    @Override
    public EvalSample sample(int index) {
        JsonNode item = sentences.get(index);
        String caption = item.path("caption").asText();
        List<String> phrases = new ArrayList<>();
        for (JsonNode positive : item.path("tokens_positive_eval")) {
            String phrase = PythonText.slice(caption, positive.path(0).path(0).asInt(), positive.path(0).path(1).asInt());
            phrases.add(CocoImages.withoutCommas(phrase.toLowerCase(Locale.ROOT)));
        }
        String question = "What are the locations of " + String.join(", ", phrases) + "?";
        return new EvalSample(imageDir.resolve(item.path("file_name").asText()), question, List.of(),
                (answer, width, height) -> {
                    ObjectNode line = JsonNodeFactory.instance.objectNode();
                    line.set("image_id", item.path("original_img_id"));
                    line.set("sentence_id", item.path("sentence_id"));
                    line.set("file_name", item.path("file_name"));
                    line.put("prompt", question);
                    line.put("text", answer);
                    line.put("width", width);
                    line.put("height", height);
                    return line;
                });
    }
}
