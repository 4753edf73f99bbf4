package io.ferret4j.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import io.ferret4j.core.testing.TensorAssert;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.core.weights.Weights;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link SamplerStage} evaluates {@code diff_projector} and the aggregation conv per point instead of per
 * (anchor, neighbour) pair. This checks that rewrite against the reference's literal per-pair formula at Ferret's
 * real width (D = 1024, 512 points, 128 anchors × 24 neighbours), where no golden exists, with CLIP-like features
 * that include a few large-magnitude channels.
 */
final class SamplerStageLiteralTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(PoolerMode.class)
    void perPointEvaluationEqualsTheReferencePerPairFormulaAtRealWidth(PoolerMode pooler) {
        GeoRegionSamplerConfig config = GeoRegionSamplerConfig.of(1024, 8, pooler);
        int d = config.inputDim();
        int n = config.numInitPoint();
        Path file = RandomSamplerCheckpoint.write(dir.resolve("stage.safetensors"), config, false, 5);
        SplittableRandom rng = new SplittableRandom(9);
        float[] xy = new float[n * 2];
        for (int i = 0; i < xy.length; i++) {
            xy[i] = (float) rng.nextDouble();
        }
        float[] features = new float[n * d];
        for (int i = 0; i < features.length; i++) {
            double scale = i % d < 4 ? 30 : 1;                          // a few outlier channels, as CLIP has
            features[i] = (float) (scale * rng.nextGaussian());
        }
        try (SafeTensors st = SafeTensors.open(file)) {
            Weights w = Weights.of(st).at(GeoRegionSampler.PREFIX);
            SamplerStage stage = SamplerStage.load(w, 0, config);
            SamplerStage.Groups groups = stage.group(List.of(xy), new int[] {0});
            float[] actual = stage.aggregate(List.of(xy), features, groups);
            float[] expected = literal(w, pooler, d, xy, features, groups.fpsIdx()[0], groups.knnIdx()[0], 24);
            double maxDiff = TensorAssert.maxAbsDiff(Nd4j.createFromArray(expected), Nd4j.createFromArray(actual));
            assertThat(maxDiff).as("max |per-point − per-pair|").isLessThan(1e-4);
        }
    }

    /** ml-ferret's stage body for one region, pair by pair as written: gather, subtract, project, concat, conv. */
    private static float[] literal(Weights w, PoolerMode pooler, int d, float[] xy, float[] features, int[] fps,
                                   int[] knn, int k) {
        int loc = d + 2;
        int s = fps.length;
        INDArray w1 = w.require("diff_projector_list.0.weight", loc, loc);
        INDArray b1 = w.require("diff_projector_list.0.bias", loc);
        INDArray conv = w.require("agg_projector_list.0.net.0.weight", d, 2 * loc, 1).reshape(d, 2 * loc);
        INDArray bc = w.require("agg_projector_list.0.net.0.bias", d);
        float[] gamma = w.require("agg_projector_list.0.norm.weight", d).data().asFloat();
        float[] beta = w.require("agg_projector_list.0.norm.bias", d).data().asFloat();
        float[] diff = new float[s * k * loc];                          // [S·K, D+2] local − anchor
        float[] anchor = new float[s * k * loc];                        // [S·K, D+2] anchor repeated K times
        for (int t = 0; t < s; t++) {
            for (int j = 0; j < k; j++) {
                int row = (t * k + j) * loc;
                int nb = knn[t * k + j];
                for (int c = 0; c < loc; c++) {
                    float a = c < d ? features[fps[t] * d + c] : xy[2 * fps[t] + c - d];
                    float l = c < d ? features[nb * d + c] : xy[2 * nb + c - d];
                    diff[row + c] = l - a;
                    anchor[row + c] = a;
                }
            }
        }
        INDArray dp = Nd4j.create(diff, new long[] {s * k, loc}, 'c').mmul(w1.transpose()).addRowVector(b1);
        INDArray g = Nd4j.concat(1, dp, Nd4j.create(anchor, new long[] {s * k, loc}, 'c'));   // diff first
        float[] z = g.mmul(conv.transpose()).addRowVector(bc).castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] out = new float[s * d];
        for (int t = 0; t < s; t++) {
            for (int j = 0; j < k; j++) {
                double mean = 0;
                double var = 0;
                int row = (t * k + j) * d;
                for (int c = 0; c < d; c++) {
                    z[row + c] = Math.max(0, z[row + c]);
                    mean += z[row + c];
                }
                mean /= d;
                for (int c = 0; c < d; c++) {
                    var += (z[row + c] - mean) * (z[row + c] - mean);
                }
                double rstd = 1 / Math.sqrt(var / d + 1e-5);
                for (int c = 0; c < d; c++) {
                    float y = (float) ((z[row + c] - mean) * rstd * gamma[c] + beta[c]);
                    out[t * d + c] = pooler == PoolerMode.MAX
                            ? (j == 0 ? y : Math.max(out[t * d + c], y))
                            : out[t * d + c] + y / k;
                }
            }
        }
        return out;
    }
}
