package io.ferret4j.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.stream.Stream;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import com.fasterxml.jackson.databind.JsonNode;
import io.ferret4j.core.config.ConfigJson;
import io.ferret4j.core.region.Region;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.weights.SafeTensors;

/** The reference's end-to-end fixtures (golden/ferret): the tiny checkpoint, the photo and both cases. */
final class FerretGoldens {
    static final Path CHECKPOINT = Goldens.path("ferret/checkpoint");
    static final Path IMAGE = Goldens.path("clip/images/bathroom.jpg");
    static final JsonNode CASES = ConfigJson.tree(Goldens.path("ferret/ferret_meta.json")).get("cases");

    private FerretGoldens() {
    }

    static SafeTensors tensors() {
        return SafeTensors.open(Goldens.path("ferret/ferret_goldens.safetensors"));
    }

    static Image image() {
        try {
            return ImageFactory.getInstance().fromFile(IMAGE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The refer case's free-form mask, given in the fixture as (x, y) pixels of the 615×446 image. */
    static Region.Mask referMask() {
        int width = CASES.get("refer").get("image_size_WH").get(0).asInt();
        int height = CASES.get("refer").get("image_size_WH").get(1).asInt();
        try (SafeTensors t = tensors()) {
            int[] xy = t.get("refer.region_mask.nonzero").toInts();
            BitSet bits = new BitSet(width * height);
            for (int i = 0; i < xy.length; i += 2) {
                bits.set(xy[i + 1] * width + xy[i]);
            }
            return new Region.Mask(width, height, bits);
        }
    }

    /**
     * A copy of the checkpoint folder holding only one weight format ({@code model.safetensors} or
     * {@code pytorch_model.bin}), so a load cannot pick the other.
     */
    static Path checkpointWith(String weightFile, Path dir) {
        try (Stream<Path> files = Files.walk(CHECKPOINT)) {
            for (Path src : (Iterable<Path>) files::iterator) {
                Path rel = CHECKPOINT.relativize(src);
                String name = rel.toString();
                boolean otherWeights = (name.equals("model.safetensors") || name.equals("pytorch_model.bin"))
                        && !name.equals(weightFile);
                if (otherWeights) {
                    continue;
                }
                Path dst = dir.resolve(name);
                if (Files.isDirectory(src)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(src, dst);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
