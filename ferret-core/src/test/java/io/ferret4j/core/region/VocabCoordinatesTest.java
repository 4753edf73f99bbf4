package io.ferret4j.core.region;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferret4j.core.config.ConfigJson;
import io.ferret4j.core.region.Region.Box;
import io.ferret4j.core.region.Region.Mask;
import io.ferret4j.core.region.Region.Point;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.weights.SafeTensors;
import org.junit.jupiter.api.Test;

final class VocabCoordinatesTest {

    @Test
    void matchesTheReferenceReferPromptForTheBoxAndItsMask() {
        JsonNode refer = ConfigJson.tree(Goldens.path("ferret/ferret_meta.json")).get("cases").get("refer");
        int w = refer.get("image_size_WH").get(0).asInt();
        int h = refer.get("image_size_WH").get(1).asInt();
        JsonNode raw = refer.get("box_raw_xyxy");
        String expected = refer.get("box_text_1000").toString().replace(",", ", ");   // [538, 132, 970, 719]
        Box box = new Box(raw.get(0).asInt(), raw.get(1).asInt(), raw.get(2).asInt(), raw.get(3).asInt());
        assertThat(VocabCoordinates.text(box, w, h)).isEqualTo(expected);
        assertThat(refer.get("prompt").asText()).contains(expected + " <region_fea>");

        // the free-shape mask of that case (nonzero (x, y) pairs of the x-major mask) has the box as its extent
        BitSet bits = new BitSet();
        try (SafeTensors st = SafeTensors.open(Goldens.path("ferret/ferret_goldens.safetensors"))) {
            int[] xy = st.get("refer.region_mask.nonzero").toInts();
            for (int i = 0; i < xy.length; i += 2) {
                bits.set(xy[i + 1] * w + xy[i]);
            }
        }
        assertThat(VocabCoordinates.text(new Mask(w, h, bits), w, h)).isEqualTo(expected);
    }

    @Test
    void truncatesInBothDirections() {
        assertThat(VocabCoordinates.toGrid(1, 615)).isEqualTo(1);      // 1.626
        assertThat(VocabCoordinates.toPixel(1, 615)).isEqualTo(0);     // 0.615
        assertThat(VocabCoordinates.toGrid(614, 615)).isEqualTo(998);  // 998.37
        assertThat(VocabCoordinates.toGrid(0, 1)).isEqualTo(0);
        assertThat(VocabCoordinates.toPixel(999, 446)).isEqualTo(445);
        assertThat(VocabCoordinates.toPixel(1000, 446)).isEqualTo(446);
        assertThat(VocabCoordinates.toPixels(new int[] {201, 2, 940, 758}, 615, 446))
                .containsExactly(123, 0, 578, 338);
    }

    @Test
    void writesPointsAndBoxesAsTheModelReadsThem() {
        assertThat(VocabCoordinates.format(new int[] {5, 17})).isEqualTo("[5, 17]");
        assertThat(VocabCoordinates.text(new Point(300, 100), 600, 400)).isEqualTo("[500, 250]");
        assertThat(VocabCoordinates.text(new Box(0, 0, 599, 399), 600, 400)).isEqualTo("[0, 0, 998, 997]");
    }

    @Test
    void rejectsValuesOffTheImageOrGrid() {
        assertThatThrownBy(() -> VocabCoordinates.toGrid(615, 615))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("pixel 615 outside [0, 614]");
        assertThatThrownBy(() -> VocabCoordinates.toPixel(1001, 615))
                .hasMessage("grid coordinate 1001 outside [0, 1000]");
        assertThatThrownBy(() -> VocabCoordinates.toPixel(5, 0)).hasMessage("image side 0 must be positive");
        assertThatThrownBy(() -> VocabCoordinates.toGrid(new int[] {1, 2, 3}, 10, 10))
                .hasMessage("expected x, y pairs, got 3 values");
    }
}
