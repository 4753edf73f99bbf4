package io.ferret4j.examples.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferret4j.llm.tokenizer.PythonStrings;

/**
 * The {@code images} of a COCO-style annotation file in the order torchvision's {@code CocoDetection} visits them
 * (ascending {@code id}), which is the order the reference's refexp and Flickr scripts ask and write them in.
 */
final class CocoImages {
    private CocoImages() {
    }

    /** The images, sorted by {@code id}. */
    static List<JsonNode> sortedById(JsonNode annotation) {
        JsonNode images = annotation.path("images");
        if (!images.isArray()) {
            throw new IllegalArgumentException("annotation file: no \"images\" array");
        }
        List<JsonNode> sorted = new ArrayList<>();
        images.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(i -> i.path("id").asLong()));
        return sorted;
    }

    /** The reference's {@code remove_punctuation}: commas deleted, then stripped. */
    static String withoutCommas(String text) {
        return PythonStrings.strip(text.replace(",", ""));
    }
}
