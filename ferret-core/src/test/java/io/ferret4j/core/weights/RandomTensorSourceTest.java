package io.ferret4j.core.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

final class RandomTensorSourceTest {

    @Test
    void givesSeededNoiseOfTheAskedShapesWithNormWeightsNearOne() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("fc.weight", new long[] {64, 32});
        shapes.put("layer_norm1.weight", new long[] {32});
        RandomTensorSource a = new RandomTensorSource(shapes, 7, "random");

        float[] w = a.get("fc.weight").toFloats();
        float[] norm = a.get("layer_norm1.weight").toFloats();

        assertThat(a.names()).containsExactly("fc.weight", "layer_norm1.weight");
        assertThat(a.get("fc.weight").shape()).containsExactly(64, 32);
        for (float v : w) {
            assertThat(Math.abs(v)).isLessThan(0.035f);
        }
        for (float v : norm) {
            assertThat(v).isBetween(0.96f, 1.04f);
        }
        assertThat(new RandomTensorSource(shapes, 7, "again").get("fc.weight").toFloats()).containsExactly(w);
        assertThat(new RandomTensorSource(shapes, 8, "other").get("fc.weight").toFloats()).isNotEqualTo(w);
        assertThatThrownBy(() -> a.get("nope")).hasMessageContaining("no tensor 'nope'");
    }
}
