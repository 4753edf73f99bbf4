package io.ferret4j.sampler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.ferret4j.core.nn.DenseLinear;
import io.ferret4j.core.nn.RowByRow;
import io.ferret4j.core.probe.Probe;
import io.ferret4j.core.region.Region;
import io.ferret4j.core.weights.CheckpointException;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Ferret's spatial-aware visual sampler: turns each region of an image into one vector of the language model's
 * width, which replaces a {@code <region_fea>} token. Per region: 512 mask points → bilinear CLIP features →
 * stages of (farthest-point sampling, kNN grouping, learned aggregation, pooling) → flatten the last stage's
 * anchors point-major → {@code flatten_projector} → {@code dim_projector}.
 *
 * <p>Probe taps (names as in the golden fixtures, {@code R} regions): {@code points [R,512,2]},
 * {@code point_feats [R,512,D]}, {@code stage{s}.fps_idx [R,S]}, {@code stage{s}.knn_idx [R,S,K]} (each row in
 * distance order), {@code stage{s}.out [R,S,D]}, {@code flatten_projector_out [R,D]},
 * {@code region_features [R,H]}. Safe to share between threads; a call's randomness comes from its
 * {@link MaskPointSampler}.
 */
public final class GeoRegionSampler {
    /** Where the sampler's tensors live in a Ferret checkpoint. */
    public static final String PREFIX = "model.region_geo_sampler.";

    private final GeoRegionSamplerConfig config;
    private final List<SamplerStage> stages;
    private final DenseLinear flattenProjector;                        // [D·S_last → D]
    private final DenseLinear dimProjector;                            // [D → H]

    private GeoRegionSampler(GeoRegionSamplerConfig config, List<SamplerStage> stages, DenseLinear flattenProjector,
                             DenseLinear dimProjector) {
        this.config = config;
        this.stages = List.copyOf(stages);
        this.flattenProjector = flattenProjector;
        this.dimProjector = dimProjector;
    }

    /**
     * Loads {@code model.region_geo_sampler.*} from a checkpoint (fp16 or fp32 tensors, widened to fp32), checking
     * every shape against {@code config}.
     *
     * @throws CheckpointException naming the key on a missing or misshaped tensor, or listing the tensors under the
     *                             prefix that the sampler did not use (a third stage, say)
     */
    public static GeoRegionSampler load(Weights checkpoint, GeoRegionSamplerConfig config) {
        Weights w = checkpoint.at(PREFIX);
        List<SamplerStage> stages = new ArrayList<>();
        for (int s = 0; s < config.numStages(); s++) {
            stages.add(SamplerStage.load(w, s, config));
        }
        long d = config.inputDim();
        int lastAnchors = config.numSubPoint().get(config.numStages() - 1);
        GeoRegionSampler sampler = new GeoRegionSampler(config, stages,
                DenseLinear.load(w, "flatten_projector", d * lastAnchors, d, true),
                DenseLinear.load(w, "dim_projector", d, config.outputDim(), true));
        Set<String> unused = checkpoint.unusedKeys().stream().filter(k -> k.startsWith(w.key("")))
                .collect(Collectors.toCollection(TreeSet::new));
        if (!unused.isEmpty()) {
            throw new CheckpointException(checkpoint.source().path(), "GeoRegionSampler with "
                    + config.numStages() + " stages did not use: " + String.join(", ", unused));
        }
        return sampler;
    }

    /**
     * The region vectors of one image.
     *
     * @param imageFeatures {@code [side², D]} CLIP patch features, row-major patches (576 rows for ViT-L/336), before
     *                      {@code mm_projector}
     * @param regions       regions in the order of their {@code <region_fea>} tokens, in pixels of the original image
     * @param imageWidth    original image width in pixels (every mask has this size)
     * @param imageHeight   original image height in pixels
     * @param points        where points are sampled and FPS starts
     * @return {@code [R, outputDim]}
     * @throws IllegalArgumentException for regions outside the image, masks of another size, no regions, or a
     *                                  feature map of the wrong shape or with NaN/infinite values
     */
    public INDArray forward(INDArray imageFeatures, List<? extends Region> regions, int imageWidth, int imageHeight,
                            MaskPointSampler points, Probe probe) {
        if (regions.isEmpty()) {
            throw new IllegalArgumentException("no regions to sample");
        }
        List<float[]> sampled = new ArrayList<>(regions.size());
        for (int r = 0; r < regions.size(); r++) {
            sampled.add(points.samplePoints(r, regions.get(r).toMask(imageWidth, imageHeight), config.numInitPoint()));
        }
        return forwardPoints(imageFeatures, sampled, points, probe);
    }

    /**
     * The region vectors for already-sampled points (the reference's {@code rand_sample_repeat} output), for parity
     * tests and callers with their own point sampling.
     *
     * @param points    per region {@code [numInitPoint, 2]} interleaved {@code (x/W, y/H)}
     * @param fpsStarts supplies the first FPS centroid of each stage
     */
    public INDArray forwardPoints(INDArray imageFeatures, List<float[]> points, MaskPointSampler fpsStarts,
                                  Probe probe) {
        float[] map = featureMap(imageFeatures);
        int side = (int) Math.round(Math.sqrt(imageFeatures.size(0)));
        List<float[]> xy = checkPoints(points);
        int regions = xy.size();
        int d = config.inputDim();
        int n = config.numInitPoint();
        float[] features = new float[regions * n * d];                // [R·N, D]
        for (int r = 0; r < regions; r++) {
            BilinearPointSample.sample(map, side, d, xy.get(r), features, r * n * d);
        }
        tap(probe, "points", xy, regions, n, 2);
        tap(probe, "point_feats", features, regions, n, d);
        for (SamplerStage stage : stages) {
            int[] starts = new int[regions];
            for (int r = 0; r < regions; r++) {
                starts[r] = fpsStarts.fpsStart(stage.index(), r, n);
            }
            SamplerStage.Groups groups = stage.group(xy, starts);
            features = stage.aggregate(xy, features, groups);        // [R·S, D]
            xy = stage.anchorPoints(xy, groups);
            n = stage.numSubPoint();
            String name = "stage" + stage.index();
            tapIndices(probe, name + ".fps_idx", groups.fpsIdx(), n);
            tapIndices(probe, name + ".knn_idx", groups.knnIdx(), n, stage.numNeighbor());
            tap(probe, name + ".out", features, regions, n, d);
        }
        INDArray flat = Nd4j.create(features, new long[] {regions, (long) n * d}, 'c');    // point-major flatten
        // each region's rows go through products of their own, so a region's vector does not depend on the others
        INDArray x = probe.record("flatten_projector_out", RowByRow.apply(flat, flattenProjector::forward)); // [R, D]
        return probe.record("region_features", RowByRow.apply(x, dimProjector::forward));                   // [R, H]
    }

    /** The configuration this sampler was loaded with. */
    public GeoRegionSamplerConfig config() {
        return config;
    }

    private float[] featureMap(INDArray imageFeatures) {
        long rows = imageFeatures.rank() == 2 ? imageFeatures.size(0) : -1;
        long side = Math.round(Math.sqrt(Math.max(rows, 0)));
        if (rows < 1 || side * side != rows || imageFeatures.size(1) != config.inputDim()) {
            throw new IllegalArgumentException("image features must be [side², " + config.inputDim()
                    + "] (e.g. [576, " + config.inputDim() + "]), got " + Arrays.toString(imageFeatures.shape()));
        }
        float[] map = imageFeatures.castTo(DataType.FLOAT).dup('c').data().asFloat();
        for (int i = 0; i < map.length; i++) {
            if (!Float.isFinite(map[i])) {
                throw new IllegalArgumentException("image features hold " + map[i] + " at patch "
                        + i / config.inputDim() + ", channel " + i % config.inputDim());
            }
        }
        return map;
    }

    private List<float[]> checkPoints(List<float[]> points) {
        if (points.isEmpty()) {
            throw new IllegalArgumentException("no regions to sample");
        }
        List<float[]> out = new ArrayList<>(points.size());
        for (int r = 0; r < points.size(); r++) {
            float[] p = points.get(r);
            if (p.length != 2 * config.numInitPoint()) {
                throw new IllegalArgumentException("region " + r + " has " + p.length / 2.0 + " points, expected "
                        + config.numInitPoint());
            }
            for (float v : p) {
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("region " + r + " has a non-finite point coordinate " + v);
                }
            }
            out.add(p.clone());
        }
        return out;
    }

    private static void tap(Probe probe, String name, float[] values, long... shape) {
        if (probe != Probe.NONE) {
            probe.record(name, Nd4j.create(values.clone(), shape, 'c'));
        }
    }

    private static void tap(Probe probe, String name, List<float[]> perRegion, long... shape) {
        if (probe != Probe.NONE) {
            float[] all = new float[perRegion.stream().mapToInt(a -> a.length).sum()];
            int at = 0;
            for (float[] a : perRegion) {
                System.arraycopy(a, 0, all, at, a.length);
                at += a.length;
            }
            probe.record(name, Nd4j.create(all, shape, 'c'));
        }
    }

    private static void tapIndices(Probe probe, String name, int[][] perRegion, long... innerShape) {
        if (probe != Probe.NONE) {
            long[] shape = new long[innerShape.length + 1];
            shape[0] = perRegion.length;
            System.arraycopy(innerShape, 0, shape, 1, innerShape.length);
            long[] all = Arrays.stream(perRegion).flatMapToInt(Arrays::stream).asLongStream()
                    .toArray();
            probe.record(name, Nd4j.createFromArray(all).reshape(shape));
        }
    }
}
