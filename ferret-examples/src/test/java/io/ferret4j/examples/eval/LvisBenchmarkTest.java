package io.ferret4j.examples.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferret4j.core.region.Region;
import org.junit.jupiter.api.Test;

/** LVIS questions and region masks as {@code model_lvis.py} builds them, worked out by hand on a 20×10 image. */
final class LvisBenchmarkTest {
    private static final Path IMAGES = Path.of("cocoval2017");

    @Test
    void pointQuestionsUseTheGridAndAnElevenPixelWindowClippedToTheImage() {
        EvalSample sample = new LvisBenchmark(objects(), IMAGES, LvisBenchmark.RegionFormat.POINT).sample(0);

        // (3, 4) on 20×10 -> [3 * 1000/20, 4 * 1000/10]; the window x 0..8 (clipped at 0), y 0..9 (clipped at 10)
        assertThat(sample.question()).isEqualTo("Is the object [150, 400] <region_fea> of the image a cat or a dog?");
        assertThat(sample.image()).isEqualTo(IMAGES.resolve("000000397000.jpg"));
        Region.Mask mask = (Region.Mask) sample.regions().get(0);
        assertThat(mask.pixelCount()).isEqualTo(9 * 10);
        assertThat(mask.contains(8, 9)).isTrue();
        assertThat(mask.contains(9, 0)).isFalse();
    }

    @Test
    void oddLinesSwapTheNamesAndBoxesComeFromTheNormalisedBox() {
        EvalSample sample = new LvisBenchmark(objects(), IMAGES, LvisBenchmark.RegionFormat.BOX).sample(1);

        // bbox_norm [0.1, 0.2, 0.5, 0.6] -> grid [100, 200, 500, 600], pixels [2, 2, 10, 6] inclusive: 9 × 5
        assertThat(sample.question()).isEqualTo(
                "Is the object [100, 200, 500, 600] <region_fea> of the image a dog or a cat?");
        Region.Mask mask = (Region.Mask) sample.regions().get(0);
        assertThat(mask.pixelCount()).isEqualTo(9 * 5);
        assertThat(mask.contains(2, 2)).isTrue();
        assertThat(mask.contains(10, 6)).isTrue();
    }

    @Test
    void freeShapesAreTheirBoxTimesTheXMajorSegmentMask() {
        EvalSample sample = new LvisBenchmark(objects(), IMAGES, LvisBenchmark.RegionFormat.FREE_SHAPE).sample(0);

        // free_shape_bbox_raw [2, 1, 4, 3] -> grid [100, 100, 200, 300]; the segment (x-major [20][10]) is set at
        // (3, 2) inside the box and at (10, 5) outside it
        assertThat(sample.question()).isEqualTo(
                "Is the object [100, 100, 200, 300] <region_fea> of the image a cat or a dog?");
        Region.Mask mask = (Region.Mask) sample.regions().get(0);
        assertThat(mask.pixelCount()).isEqualTo(1);
        assertThat(mask.contains(3, 2)).isTrue();
        assertThat(sample.line().of("A cat.", 20, 10).get("id").asInt()).isEqualTo(5);
    }

    private static List<JsonLine> objects() {
        List<JsonLine> lines = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("id", 5 + i).put("image_path", "dataset/cocoval2017/000000397000.jpg").put("width", 20)
                    .put("height", 10).put("name", "cat").put("neg_class", "dog");
            o.putArray("synonyms").add("cat");
            o.putArray("sample_point").add(3).add(4);
            o.putArray("bbox_norm").add(0.1).add(0.2).add(0.5).add(0.6);
            o.putArray("bbox").add(2).add(2).add(8).add(4);
            o.putArray("free_shape_bbox_raw").add(2).add(1).add(4).add(3);
            ArrayNode segment = o.putArray("free_shape_segment_mask");
            for (int x = 0; x < 20; x++) {
                ArrayNode column = segment.addArray();
                for (int y = 0; y < 10; y++) {
                    column.add((x == 3 && y == 2) || (x == 10 && y == 5) ? 1 : 0);
                }
            }
            lines.add(new JsonLine(Path.of("lvis_eval.jsonl"), i + 1, o));
        }
        return lines;
    }
}
