package io.ferret4j.sampler;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import io.ferret4j.core.nn.DenseLinear;
import io.ferret4j.core.nn.Linear;
import io.ferret4j.core.nn.RowByRow;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One pass of the stage loop of {@code GeoRegionSampler.forward}: farthest-point sampling picks {@code S} anchors,
 * each anchor groups its {@code K} nearest points, and for every (anchor t, neighbour j) pair
 * <pre>
 *   loc  = [fea, xy]                                                         [D+2]
 *   diff = loc_j - loc_t
 *   g    = [diff_projector(diff), loc_t]                                     [2(D+2)]   diff first, anchor second
 *   z    = LayerNorm(ReLU(conv(g)))                                          [D]        agg_projector (ConvReLULN1D)
 * </pre>
 * and the anchor's new feature is the max or mean of z over its K neighbours.
 *
 * <p>Nothing non-linear sits between {@code diff_projector} ({@code W, b}) and the kernel-1 conv, whose weight splits
 * into the columns that read the projected difference and those that read the anchor, {@code [Cd | Ca]}, with bias
 * {@code c}. So {@code conv(g) = Cd·W·loc_j − Cd·W·loc_t + Ca·loc_t + (Cd·b + c)}, i.e.
 * {@code z = ReLU(P[j] − P[t] + A[t])} with {@code P = (Cd·W)·loc} over the N points and
 * {@code A = Ca·loc + (Cd·b + c)} over the S anchors; {@code Cd·W} and {@code Cd·b + c} are formed once at load, in
 * fp64. That is the reference's function with fp32 sums in another order (measured differences ~1e-5 at D = 1024),
 * for about a tenth of the multiply-adds of the literal {@code [S·K, D+2]} pair matrices (timings in
 * docs/performance.md).
 */
final class SamplerStage {
    /** {@code nn.LayerNorm}'s default epsilon. */
    private static final double LAYER_NORM_EPS = 1e-5;

    private final int stage;
    private final int numSubPoint;
    private final int numNeighbor;
    private final int dim;                                             // D
    private final Linear pointProjector;                               // Cd·W: [D+2 → D], no bias
    private final Linear anchorProjector;                              // Ca, bias Cd·b + c: [D+2 → D]
    private final float[] normWeight;                                  // agg_projector_list.s.norm: [D]
    private final float[] normBias;
    private final PoolerMode pooler;

    /** FPS anchors {@code [R][S]} and kNN groups {@code [R][S·K]} (indices into the stage's input points). */
    record Groups(int[][] fpsIdx, int[][] knnIdx) {
    }

    private SamplerStage(int stage, GeoRegionSamplerConfig c, Linear pointProjector, Linear anchorProjector,
                         float[] normWeight, float[] normBias) {
        this.stage = stage;
        this.numSubPoint = c.numSubPoint().get(stage);
        this.numNeighbor = c.numNeighbor().get(stage);
        this.dim = c.inputDim();
        this.pointProjector = pointProjector;
        this.anchorProjector = anchorProjector;
        this.normWeight = normWeight;
        this.normBias = normBias;
        this.pooler = c.poolerMode();
    }

    /** Loads {@code diff_projector_list.s} and {@code agg_projector_list.s} from the sampler's weights. */
    static SamplerStage load(Weights w, int stage, GeoRegionSamplerConfig c) {
        long d = c.inputDim();
        long loc = d + 2;
        String diff = "diff_projector_list." + stage;
        String agg = "agg_projector_list." + stage;
        INDArray diffWeight = fp64(w.require(diff + ".weight", loc, loc));                  // W [D+2, D+2]
        INDArray diffBias = fp64(w.require(diff + ".bias", loc)).reshape(loc, 1);          // b
        // a kernel-1 Conv1d over the neighbour axis is a Linear over channels: [out, in, 1] → [out, in]
        INDArray conv = fp64(w.require(agg + ".net.0.weight", d, 2 * loc, 1)).reshape(d, 2 * loc);
        INDArray convBias = fp64(w.require(agg + ".net.0.bias", d));                       // c
        INDArray onDiff = conv.get(NDArrayIndex.all(), NDArrayIndex.interval(0, loc));      // Cd [D, D+2]
        INDArray onAnchor = conv.get(NDArrayIndex.all(), NDArrayIndex.interval(loc, 2 * loc)); // Ca [D, D+2]
        INDArray anchorBias = onDiff.mmul(diffBias).reshape(d).add(convBias);              // Cd·b + c
        return new SamplerStage(stage, c, new DenseLinear(fp32(onDiff.mmul(diffWeight)), null),
                new DenseLinear(fp32(onAnchor), fp32(anchorBias)),
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
        float[] p = floats(RowByRow.perBlock(matrix(loc, regions * n), regions, pointProjector::forward)); // [R·N, D]
        float[] anchorLoc = new float[regions * numSubPoint * (dim + 2)];
        for (int r = 0; r < regions; r++) {
            int[] fps = groups.fpsIdx()[r];
            for (int t = 0; t < numSubPoint; t++) {
                System.arraycopy(loc, (r * n + fps[t]) * (dim + 2), anchorLoc, (r * numSubPoint + t) * (dim + 2),
                        dim + 2);
            }
        }
        float[] a = floats(RowByRow.perBlock(matrix(anchorLoc, regions * numSubPoint), regions,
                anchorProjector::forward));                                                  // [R·S, D]
        float[] out = new float[regions * numSubPoint * dim];
        IntStream.range(0, regions * numSubPoint).parallel().forEach(rt -> {
            int r = rt / numSubPoint;
            int t = rt % numSubPoint;
            poolAnchor(p, r * n, groups.fpsIdx()[r][t], groups.knnIdx()[r], t, a, out, rt);
        });
        return out;
    }

    /** z = LayerNorm(ReLU(P[j] − P[t] + A[t])) for the K neighbours j of anchor t, pooled into {@code out[rt]}. */
    private void poolAnchor(float[] p, int regionRow, int anchor, int[] knn, int t, float[] a, float[] out, int rt) {
        float[] z = new float[dim];
        float[] pooled = new float[dim];
        int pAnchor = (regionRow + anchor) * dim;
        for (int k = 0; k < numNeighbor; k++) {
            int pNeighbour = (regionRow + knn[t * numNeighbor + k]) * dim;
            for (int c = 0; c < dim; c++) {
                z[c] = Math.max(0f, (p[pNeighbour + c] - p[pAnchor + c]) + a[rt * dim + c]);  // ReLU
            }
            normalize(z);
            if (k == 0) {
                System.arraycopy(z, 0, pooled, 0, dim);
            } else if (pooler == PoolerMode.MAX) {
                for (int c = 0; c < dim; c++) {
                    pooled[c] = Math.max(pooled[c], z[c]);
                }
            } else {
                for (int c = 0; c < dim; c++) {
                    pooled[c] += z[c];
                }
            }
        }
        if (pooler == PoolerMode.MEAN) {
            for (int c = 0; c < dim; c++) {
                pooled[c] /= numNeighbor;
            }
        }
        System.arraycopy(pooled, 0, out, rt * dim, dim);
    }

    /** LayerNorm over the channels, in place; statistics in fp64 with four partial sums (the loops stay short). */
    private void normalize(float[] z) {
        double s0 = 0;
        double s1 = 0;
        double q0 = 0;
        double q1 = 0;
        int c = 0;
        for (; c + 1 < dim; c += 2) {
            double v0 = z[c];
            double v1 = z[c + 1];
            s0 += v0;
            s1 += v1;
            q0 += v0 * v0;
            q1 += v1 * v1;
        }
        for (; c < dim; c++) {
            s0 += z[c];
            q0 += (double) z[c] * z[c];
        }
        double mean = (s0 + s1) / dim;
        float rstd = (float) (1.0 / Math.sqrt(Math.max(0.0, (q0 + q1) / dim - mean * mean) + LAYER_NORM_EPS));
        float fm = (float) mean;
        for (c = 0; c < dim; c++) {
            z[c] = (z[c] - fm) * rstd * normWeight[c] + normBias[c];
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

    private static INDArray fp64(INDArray x) {
        return x.castTo(DataType.DOUBLE);
    }

    private static INDArray fp32(INDArray x) {
        return x.castTo(DataType.FLOAT).dup('c');
    }
}
