package io.ferret4j.encoder;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import io.ferret4j.core.nn.Nd4jRuntime;
import io.ferret4j.core.weights.RandomTensorSource;
import io.ferret4j.core.weights.Weights;
import io.ferret4j.encoder.ClipVisionTower.SelectFeature;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Times Ferret's image encode (CLIP ViT-L/14-336 to {@code hidden_states[-2]}, 23 of 24 layers) on random
 * weights and compares the achieved GFLOP/s with the machine's ND4J sgemm rate, measured in the same run on the
 * tower's own largest product ({@code [577, 1024] · [4096, 1024]ᵀ}). Run it with
 * {@code scripts/bench.sh clip-encode [runs [warm-up runs]]}.
 *
 * The weights are seeded uniform noise served through an in-memory {@link TensorSource}, so they go through the
 * normal loader (shape checks, ignored last layer, {@code requireAllUsed}). The CPU is often shared: each encode
 * is followed by an sgemm measurement, and the ratio of neighbouring numbers is what to read; rerun for a quiet
 * machine.
 */
public final class ClipEncodeBenchmark {
    /** openai/clip-vit-large-patch14-336's vision config. */
    static final ClipVisionConfig VIT_L_14_336 =
            new ClipVisionConfig(1024, 4096, 24, 16, 3, 336, 14, "quick_gelu", 1e-5);

    private ClipEncodeBenchmark() {
    }

    /**
     * Prints load time, then per timed run the encode time and the sgemm rate measured right after it (the CPU
     * is shared, so only neighbouring measurements compare), then medians. Arguments: timed runs (default 7),
     * warm-up runs (default 4; the first encodes of a process are slow while it maps fresh memory).
     */
    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        Nd4jRuntime.configure();
        ClipVisionConfig c = VIT_L_14_336;

        long t0 = System.nanoTime();
        Weights w = Weights.of(new RandomTensorSource(clipShapes(c), 20240607L, "random-vit-l-14-336"));
        ClipVisionTower tower = ClipVisionTower.load(w, c, -2, SelectFeature.PATCH);
        w.requireAllUsed();
        System.out.printf("load (random weights, %d of %d layers): %.1f s%n", c.numHiddenLayers() - 1,
                c.numHiddenLayers(), (System.nanoTime() - t0) / 1e9);

        ClipImageProcessor processor = new ClipImageProcessor(ClipPreprocessorConfig.fromJson(writeOpenAiConfig()));
        BufferedImage image = syntheticPhoto(640, 480);
        long p0 = System.nanoTime();
        INDArray pixels = processor.preprocess(image);
        System.out.printf("preprocess 640x480 -> 336x336: %.1f ms%n", (System.nanoTime() - p0) / 1e6);

        for (int i = 0; i < warmUp; i++) {
            tower.features(pixels);
        }
        timedRuns(tower, pixels, runs);
    }

    private static void timedRuns(ClipVisionTower tower, INDArray pixels, int runs) {
        ClipVisionConfig c = tower.config();
        double gflop = flops(c, c.numHiddenLayers() - 1) / 1e9;
        double[] ms = new double[runs];
        double[] encodeRate = new double[runs];
        double[] sgemmRate = new double[runs];
        double[] ratio = new double[runs];
        for (int i = 0; i < runs; i++) {
            long s = System.nanoTime();
            INDArray f = tower.features(pixels);
            ms[i] = (System.nanoTime() - s) / 1e6;
            if (!Arrays.equals(f.shape(), new long[] {1, c.numPatches(), c.hiddenSize()})) {
                throw new IllegalStateException("unexpected feature shape " + Arrays.toString(f.shape()));
            }
            encodeRate[i] = gflop / ms[i] * 1e3;
            sgemmRate[i] = sgemmGflops(c);
            ratio[i] = encodeRate[i] / sgemmRate[i];
            System.out.printf("run %d: %.0f ms/image = %.1f GFLOP/s; sgemm %.1f GFLOP/s; %.0f%%%n",
                    i + 1, ms[i], encodeRate[i], sgemmRate[i], 100 * ratio[i]);
        }
        System.out.printf("encode ViT-L/14-336 to hidden_states[-2] (%.1f GFLOP/image): median %.0f ms/image, "
                + "%.1f GFLOP/s; ND4J sgemm [577,1024]x[1024,4096] median %.1f GFLOP/s; median ratio %.0f%%%n",
                gflop, median(ms), median(encodeRate), median(sgemmRate), 100 * median(ratio));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Multiply-adds ×2 of the patch embedding and {@code layers} encoder layers (norms and softmax not counted). */
    static double flops(ClipVisionConfig c, int layers) {
        double t = c.numPositions();
        double d = c.hiddenSize();
        double patch = 2.0 * c.numPatches() * c.numChannels() * c.patchSize() * c.patchSize() * d;
        double projections = 2.0 * t * d * d * 4;                      // q, k, v, out
        double attention = 2.0 * 2 * t * t * d;                        // q·kᵀ and P·v over all heads
        double mlp = 2.0 * 2 * t * d * c.intermediateSize();           // fc1, fc2
        return patch + layers * (projections + attention + mlp);
    }

    /** Best of 10 timed {@code Nd4j.gemm(x, W, transB)} calls on the MLP's fc1 shape. */
    static double sgemmGflops(ClipVisionConfig c) {
        INDArray x = Nd4j.rand(DataType.FLOAT, c.numPositions(), c.hiddenSize());
        INDArray weight = Nd4j.rand(DataType.FLOAT, c.intermediateSize(), c.hiddenSize());
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, c.numPositions(), c.intermediateSize());
        for (int i = 0; i < 3; i++) {
            Nd4j.gemm(x, weight, out, false, true, 1.0, 0.0);
        }
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            long s = System.nanoTime();
            Nd4j.gemm(x, weight, out, false, true, 1.0, 0.0);
            best = Math.min(best, System.nanoTime() - s);
        }
        return 2.0 * c.numPositions() * c.hiddenSize() * c.intermediateSize() / best;
    }

    /** openai/clip-vit-large-patch14-336's {@code preprocessor_config.json} (mean and std are the defaults). */
    private static Path writeOpenAiConfig() {
        try {
            Path dir = Files.createTempDirectory("clip-preprocessor");
            dir.toFile().deleteOnExit();
            Path file = Files.writeString(dir.resolve("preprocessor_config.json"),
                    "{\"crop_size\": 336, \"size\": 336, \"do_center_crop\": true, \"resample\": 3}");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BufferedImage syntheticPhoto(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        SplittableRandom rnd = new SplittableRandom(7);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = (x * 255 / width + rnd.nextInt(16)) & 0xff;
                int g = (y * 255 / height + rnd.nextInt(16)) & 0xff;
                int b = ((x + y) / 5 + rnd.nextInt(16)) & 0xff;
                image.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return image;
    }

    /** The tensor shapes of a CLIP vision checkpoint for {@code c}. */
    private static Map<String, long[]> clipShapes(ClipVisionConfig c) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        long d = c.hiddenSize();
        String v = ClipVisionTower.PREFIX;
        long patch = c.patchSize();
        shapes.put(v + "embeddings.patch_embedding.weight", new long[] {d, c.numChannels(), patch, patch});
        shapes.put(v + "embeddings.class_embedding", new long[] {d});
        shapes.put(v + "embeddings.position_embedding.weight", new long[] {c.numPositions(), d});
        norm(shapes, v + "pre_layrnorm", d);
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String l = v + "encoder.layers." + i + ".";
            for (String p : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                linear(shapes, l + "self_attn." + p, d, d);
            }
            norm(shapes, l + "layer_norm1", d);
            linear(shapes, l + "mlp.fc1", d, c.intermediateSize());
            linear(shapes, l + "mlp.fc2", c.intermediateSize(), d);
            norm(shapes, l + "layer_norm2", d);
        }
        norm(shapes, v + "post_layernorm", d);
        return shapes;
    }

    private static void linear(Map<String, long[]> shapes, String prefix, long in, long out) {
        shapes.put(prefix + ".weight", new long[] {out, in});
        shapes.put(prefix + ".bias", new long[] {out});
    }

    private static void norm(Map<String, long[]> shapes, String prefix, long dim) {
        shapes.put(prefix + ".weight", new long[] {dim});
        shapes.put(prefix + ".bias", new long[] {dim});
    }
}
