package io.ferret4j.encoder;

import java.net.URISyntaxException;
import java.nio.file.Path;

import io.ferret4j.core.weights.RawTensor;

/** Locates the Pillow 9.4 fixtures in {@code src/test/resources/pillow/} (see the README there). */
final class PillowFixtures {

    private PillowFixtures() {
    }

    static Path path(String name) {
        try {
            return Path.of(PillowFixtures.class.getResource("/pillow/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("Pillow fixture " + name + " is missing from the test resources", e);
        }
    }

    /** A U8 {@code [h, w, 3]} tensor as an image. */
    static RgbImage rgb(RawTensor t) {
        if (t.rank() != 3 || t.dim(2) != 3) {
            throw new IllegalStateException("fixture " + t + " is not an [h, w, 3] RGB image");
        }
        byte[] hwc = new byte[(int) t.numel()];
        t.bytes().get(hwc);
        return RgbImage.of((int) t.dim(1), (int) t.dim(0), hwc);
    }
}
