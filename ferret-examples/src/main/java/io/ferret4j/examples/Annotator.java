package io.ferret4j.examples;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.output.BoundingBox;
import ai.djl.modality.cv.output.DetectedObjects;
import ai.djl.modality.cv.output.Rectangle;
import io.ferret4j.core.region.Region;
import io.ferret4j.llm.FerretAnswer;

/** Draws the regions asked about and the boxes answered on a copy of the image, saved as PNG. */
final class Annotator {
    private Annotator() {
    }

    static void write(Image image, List<Region> asked, FerretAnswer answer, Path file) {
        BufferedImage src = (BufferedImage) image.getWrappedImage();
        BufferedImage copy = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        copy.getGraphics().drawImage(src, 0, 0, null);
        Image canvas = ImageFactory.getInstance().fromImage(copy);
        int w = src.getWidth();
        int h = src.getHeight();
        List<String> names = new ArrayList<>();
        List<Double> probabilities = new ArrayList<>();
        List<BoundingBox> boxes = new ArrayList<>();
        for (int i = 0; i < asked.size(); i++) {
            int[] c = asked.get(i).textCoordinates(w, h);
            int x1 = c[0];
            int y1 = c[1];
            int x2 = c.length == 4 ? c[2] : c[0];
            int y2 = c.length == 4 ? c[3] : c[1];
            names.add("asked " + (i + 1));
            probabilities.add(1.0);
            boxes.add(new Rectangle((double) x1 / w, (double) y1 / h, (double) (x2 - x1 + 1) / w, (double) (y2 - y1 + 1) / h));
        }
        if (!names.isEmpty()) {
            canvas.drawBoundingBoxes(new DetectedObjects(names, probabilities, boxes));
        }
        canvas.drawBoundingBoxes(answer.toDetectedObjects());
        try (OutputStream out = Files.newOutputStream(file)) {
            canvas.save(out, "png");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
