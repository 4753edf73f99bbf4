package io.ferret4j.examples.eval;

import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * RefCOCO/+/g as {@code model_refcoco.py} asks it: for each image (ascending id),
 * {@code "What is the location of <caption without commas> in the image?"}; each answer becomes
 * {@code {image_id, file_name, prompt, text, width, height}} with the image's decoded size.
 */
final class RefexpBenchmark implements EvalBenchmark {
    private final List<JsonNode> images;
    private final Path imageDir;

    RefexpBenchmark(JsonNode annotation, Path imageDir) {
        this.images = CocoImages.sortedById(annotation);
        this.imageDir = imageDir;
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public EvalSample sample(int index) {
        JsonNode image = images.get(index);
        String question = "What is the location of " + CocoImages.withoutCommas(image.path("caption").asText())
                + " in the image?";
        return new EvalSample(imageDir.resolve(image.path("file_name").asText()), question, List.of(),
                (answer, width, height) -> {
                    ObjectNode line = JsonNodeFactory.instance.objectNode();
                    line.set("image_id", image.path("id"));
                    line.set("file_name", image.path("file_name"));
                    line.put("prompt", question);
                    line.put("text", answer);
                    line.put("width", width);
                    line.put("height", height);
                    return line;
                });
    }
}
