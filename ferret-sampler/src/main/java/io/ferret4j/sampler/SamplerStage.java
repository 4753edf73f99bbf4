package io.ferret4j.sampler;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import io.ferret4j.core.nn.DenseLinear;
import io.ferret4j.core.nn.Linear;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One pass of the stage loop of {@code GeoRegionSampler.forward}: farthest-point sampling picks {@code S} anchors,
 * each anchor groups its {@code K} nearest points, and for every (anchor t, neighbour j) pair
 * <pre>
 *   diff = [fea_j, xy_j] - [fea_t, xy_t]                                     [D+2]
 *   g    = [diff_projector(diff), [fea_t, xy_t]]                             [2(D+2)]   diff first, anchor second
 *   z    = LayerNorm(ReLU(conv(g)))                                          [D]        agg_projector (ConvReLULN1D)
 * </pre>
 * and the anchor's new feature is the max or mean of z over its K neighbours.
 *
 * <p>Nothing non-linear sits between {@code diff_projector} and the conv, so their product is evaluated per point
 * rather than per pair: with the conv weight split as {@code [Cd | Ca]},
 * {@code conv(g) = Cd·W·loc_j − Cd·W·loc_t + Ca·loc_t + (Cd·b + c)}, i.e. {@code z = U[j] − U[t] + A[t]} with
 * {@code U = Cd·W·loc} over the N points and {@code A = Ca·loc + bias} over the S anchors. That is the same
 * function with fp32 sums in another order (differences ~1e-6), and 5–6× fewer multiply-adds than the
 * {@code [S·K, D+2]} pair matrix, which is what keeps a region under the latency budget.
 */
final class SamplerStage {
    private final int stage;
    private final int numSubPoint;
    private final int numNeighbor;
    private final int dim;                                             // D
    private final Linear diffProjector;                                // diff_projector_list.s without bias: [D+2 → D+2]
    private final Linear aggOnDiff;                                    // conv columns [0, D+2): Cd
    private final Linear aggOnAnchor;                                  // conv columns [D+2, 2D+4): Ca, bias c + Cd·b
    private final float[] normWeight;                                  // agg_projector_list.s.norm: [D]
    private final float[] normBias;
    private final PoolerMode pooler;

    /** FPS anchors {@code [R][S]} and kNN groups {@code [R][S·K]} (indices into the stage's input points). */
    record Groups(int[][] fpsIdx, int[][] knnIdx) {
    }

    private SamplerStage(int stage, GeoRegionSamplerConfig c, Linear diffProjector, Linear aggOnDiff,
                         Linear aggOnAnchor, float[] normWeight, float[] normBias) {
        this.stage = stage;
        this.numSubPoint = c.numSubPoint().get(stage);
        this.numNeighbor = c.numNeighbor().get(stage);
        this.dim = c.inputDim();
        this.diffProjector = diffProjector;
        this.aggOnDiff = aggOnDiff;
        this.aggOnAnchor = aggOnAnchor;
        this.normWeight = normWeight;
        this.normBias = normBias;
        this.pooler = c.poolerMode();
    }

    /** Loads {@code diff_projector_list.s} and {@code agg_projector_list.s} from the sampler's weights. */
    static SamplerStage load(Weights w, int stage, GeoRegionSamplerConfig c) {
        long d = c.inputDim();
        long loc = d + 2;
        String agg = "agg_projector_list." + stage;
        DenseLinear diff = DenseLinear.load(w, "diff_projector_list." + stage, loc, loc, true);
        // a kernel-1 Conv1d over the neighbour axis is a Linear over channels: [out, in, 1] → [out, in]
        INDArray conv = w.require(agg + ".net.0.weight", d, 2 * loc, 1).reshape(d, 2 * loc);
        INDArray convBias = w.require(agg + ".net.0.bias", d);
        INDArray onDiff = conv.get(all(), interval(0, loc)).dup('c');                       // [D, D+2]
        INDArray onAnchor = conv.get(all(), interval(loc, 2 * loc)).dup('c');              // [D, D+2]
        INDArray diffBias = w.require("diff_projector_list." + stage + ".bias", loc);
        INDArray foldedBias = onDiff.castTo(DataType.DOUBLE).mmul(diffBias.castTo(DataType.DOUBLE).reshape(loc, 1))
                .reshape(d).addi(convBias.castTo(DataType.DOUBLE)).castTo(DataType.FLOAT);  // c + Cd·b, in fp64
        return new SamplerStage(stage, c, new DenseLinear(diff.weight(), null), new DenseLinear(onDiff, null),
                new DenseLinear(onAnchor, foldedBias),
                w.require(agg + ".norm.weight", d).data().asFloat(), w.require(agg + ".norm.bias", d).data().asFloat());
    }

    /**
     * Farthest-point sampling then kNN grouping for each region.
     *
     * @param xy     per region {@code [N, 2]} points
     * @param starts per region, the first FPS centroid
     */
    Groups group(List<float[]> xy, int[] starts) {
        int regions = xy.size();
        int[][] fps = new int[regions][];
        int[][] knn = new int[regions][];
        for (int r = 0; r < regions; r++) {
            fps[r] = FarthestPointSampling.sample(xy.get(r), numSubPoint, starts[r]);
            knn[r] = NearestNeighbors.query(xy.get(r), gather(xy.get(r), fps[r], 2), numNeighbor);
        }
        return new Groups(fps, knn);
    }

    /** The anchors' points, per region {@code [S, 2]}: the next stage's input points. */
    List<float[]> anchorPoints(List<float[]> xy, Groups groups) {
        List<float[]> out = new ArrayList<>(xy.size());
        for (int r = 0; r < xy.size(); r++) {
            out.add(gather(xy.get(r), groups.fpsIdx()[r], 2));
        }
        return out;
    }

    /**
     * The anchors' new features.
     *
     * @param xy       per region {@code [N, 2]}
     * @param features {@code [R·N, D]} row-major, region-major
     * @return {@code [R·S, D]} row-major, region-major, anchors in FPS order
     */
    float[] aggregate(List<float[]> xy, float[] features, Groups groups) {
        int regions = xy.size();
        int n = xy.get(0).length / 2;
        float[] loc = locations(xy, features, n);                                            // [R·N, D+2]
        float[] u = floats(aggOnDiff.forward(diffProjector.forward(matrix(loc, regions * n)))); // [R·N, D]
        float[] anchorLoc = new float[regions * numSubPoint * (dim + 2)];
        for (int r = 0; r < regions; r++) {
            int[] fps = groups.fpsIdx()[r];
            for (int t = 0; t < numSubPoint; t++) {
                System.arraycopy(loc, (r * n + fps[t]) * (dim + 2), anchorLoc, (r * numSubPoint + t) * (dim + 2),
                        dim + 2);
            }
        }
        float[] a = floats(aggOnAnchor.forward(matrix(anchorLoc, regions * numSubPoint)));   // [R·S, D]
        float[] out = new float[regions * numSubPoint * dim];
        IntStream.range(0, regions * numSubPoint).parallel().forEach(rt -> {
            int r = rt / numSubPoint;
            int t = rt % numSubPoint;
            poolAnchor(u, r * n, groups.fpsIdx()[r][t], groups.knnIdx()[r], t, a, out, rt);
        });
        return out;
    }

    /** z = LayerNorm(ReLU(U[j] − U[t] + A[t])) for the K neighbours j of anchor t, pooled into {@code out[rt]}. */
    private void poolAnchor(float[] u, int regionRow, int anchor, int[] knn, int t, float[] a, float[] out, int rt) {
        float[] z = new float[dim];
        int uAnchor = (regionRow + anchor) * dim;
        int aRow = rt * dim;
        int outRow = rt * dim;
        for (int k = 0; k < numNeighbor; k++) {
            int uNeighbour = (regionRow + knn[t * numNeighbor + k]) * dim;
            double sum = 0;
            double sumSq = 0;
            for (int c = 0; c < dim; c++) {
                float v = Math.max(0f, (u[uNeighbour + c] - u[uAnchor + c]) + a[aRow + c]);   // ReLU
                z[c] = v;
                sum += v;
                sumSq += (double) v * v;
            }
            double mean = sum / dim;
            float rstd = (float) (1.0 / Math.sqrt(Math.max(0.0, sumSq / dim - mean * mean) + LAYER_NORM_EPS));
            float fm = (float) mean;
            for (int c = 0; c < dim; c++) {
                float y = (z[c] - fm) * rstd * normWeight[c] + normBias[c];
                if (k == 0) {
                    out[outRow + c] = y;
                } else if (pooler == PoolerMode.MAX) {
                    out[outRow + c] = Math.max(out[outRow + c], y);
                } else {
                    out[outRow + c] += y;
                }
            }
        }
        if (pooler == PoolerMode.MEAN) {
            for (int c = 0; c < dim; c++) {
                out[outRow + c] /= numNeighbor;
            }
        }
    }

    int numSubPoint() {
        return numSubPoint;
    }

    int numNeighbor() {
        return numNeighbor;
    }

    int index() {
        return stage;
    }

    /** {@code [fea, xy]} per point: {@code [R·N, D+2]}. */
    private float[] locations(List<float[]> xy, float[] features, int n) {
        int rows = xy.size() * n;
        float[] loc = new float[rows * (dim + 2)];
        for (int row = 0; row < rows; row++) {
            System.arraycopy(features, row * dim, loc, row * (dim + 2), dim);
            float[] points = xy.get(row / n);
            loc[row * (dim + 2) + dim] = points[2 * (row % n)];
            loc[row * (dim + 2) + dim + 1] = points[2 * (row % n) + 1];
        }
        return loc;
    }

    private static float[] gather(float[] rows, int[] idx, int width) {
        float[] out = new float[idx.length * width];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(rows, idx[i] * width, out, i * width, width);
        }
        return out;
    }

    private INDArray matrix(float[] values, int rows) {
        return Nd4j.create(values, new long[] {rows, dim + 2}, 'c');
    }

    private static float[] floats(INDArray x) {
        return x.data().asFloat();
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex all() {
        return org.nd4j.linalg.indexing.NDArrayIndex.all();
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex interval(long from, long to) {
        return org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to);
    }

    /** {@code nn.LayerNorm}'s default epsilon. */
    private static final double LAYER_NORM_EPS = 1e-5;
}
