package io.ferret4j.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import io.ferret4j.core.config.ConfigJson;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.core.weights.Weights;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

final class SamplerPropertiesTest {
    /** The golden sampler weights (D = 32), loaded once per pooler. */
    private static final SamplerStage MAX_STAGE = goldenStage(PoolerMode.MAX);
    private static final SamplerStage MEAN_STAGE = goldenStage(PoolerMode.MEAN);

    @Property(tries = 25)
    void aStagesOutputDoesNotDependOnTheOrderOfEachAnchorsNeighbours(@ForAll long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<float[]> xy = List.of(randomPoints(rng, 512, 1000), randomPoints(rng, 512, 1000));
        float[] features = new float[2 * 512 * 32];
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) rng.nextGaussian();
        }
        for (SamplerStage stage : List.of(MAX_STAGE, MEAN_STAGE)) {
            SamplerStage.Groups groups = stage.group(xy, new int[] {rng.nextInt(512), rng.nextInt(512)});
            int[][] shuffled = Arrays.stream(groups.knnIdx()).map(row -> shuffleEachRow(row, 24, rng))
                    .toArray(int[][]::new);
            float[] ordered = stage.aggregate(xy, features, groups);
            float[] permuted = stage.aggregate(xy, features, new SamplerStage.Groups(groups.fpsIdx(), shuffled));
            if (stage == MAX_STAGE) {
                assertThat(permuted).containsExactly(ordered);         // max is order-free bit for bit
            } else {
                for (int i = 0; i < ordered.length; i++) {             // a mean only up to fp32 summation order
                    assertThat(permuted[i]).isCloseTo(ordered[i], offset(1e-5f));
                }
            }
        }
    }

    @Property(tries = 200)
    void nearestNeighboursAreTheKSmallestDistancesWithTiesToTheLowestIndex(@ForAll long seed,
            @ForAll @IntRange(min = 1, max = 40) int k, @ForAll @IntRange(min = 2, max = 9) int grid) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] xy = randomPoints(rng, 60, grid);                        // few distinct values: many exact ties
        float[] queries = randomPoints(rng, 7, grid);
        int kk = Math.min(k, 60);
        int[] knn = NearestNeighbors.query(xy, queries, kk);
        for (int t = 0; t < 7; t++) {
            float[] d = new float[60];
            float qx = queries[2 * t];
            float qy = queries[2 * t + 1];
            for (int j = 0; j < 60; j++) {
                d[j] = (-2f * (qx * xy[2 * j] + qy * xy[2 * j + 1]) + (qx * qx + qy * qy))
                        + (xy[2 * j] * xy[2 * j] + xy[2 * j + 1] * xy[2 * j + 1]);
            }
            int[] expected = IntStream.range(0, 60).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(j -> d[j]).thenComparing(j -> j))
                    .limit(kk).mapToInt(Integer::intValue).sorted().toArray();
            int[] row = Arrays.copyOfRange(knn, t * kk, (t + 1) * kk);
            Arrays.sort(row);
            assertThat(row).containsExactly(expected);
        }
    }

    @Property(tries = 200)
    void eachFarthestPointIsTheFirstPointFarthestFromAllPicked(@ForAll long seed,
            @ForAll @IntRange(min = 2, max = 9) int grid, @ForAll @IntRange(min = 1, max = 30) int npoint) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] xy = randomPoints(rng, 40, grid);
        int start = rng.nextInt(40);
        int[] picked = FarthestPointSampling.sample(xy, npoint, start);
        assertThat(picked[0]).isEqualTo(start);
        List<Integer> sofar = new ArrayList<>(List.of(start));
        for (int i = 1; i < npoint; i++) {
            float best = -1;
            int arg = -1;
            for (int j = 0; j < 40; j++) {
                float nearest = 1e10f;
                for (int c : sofar) {
                    float dx = xy[2 * j] - xy[2 * c];
                    float dy = xy[2 * j + 1] - xy[2 * c + 1];
                    nearest = Math.min(nearest, dx * dx + dy * dy);
                }
                if (nearest > best) {
                    best = nearest;
                    arg = j;
                }
            }
            assertThat(picked[i]).as("pick %d", i).isEqualTo(arg);
            sofar.add(arg);
        }
    }

    /** Points {@code (a/grid, b/grid)} with integer a, b in {@code [0, grid)}, as normalised pixel positions. */
    private static float[] randomPoints(SplittableRandom rng, int n, int grid) {
        float[] p = new float[2 * n];
        for (int i = 0; i < p.length; i++) {
            p[i] = rng.nextInt(grid) / (float) grid;
        }
        return p;
    }

    private static int[] shuffleEachRow(int[] rows, int k, SplittableRandom rng) {
        int[] out = rows.clone();
        for (int start = 0; start < out.length; start += k) {
            for (int i = k - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = out[start + i];
                out[start + i] = out[start + j];
                out[start + j] = t;
            }
        }
        return out;
    }

    private static SamplerStage goldenStage(PoolerMode pooler) {
        String mode = pooler.name().toLowerCase(Locale.ROOT);
        String file = ConfigJson.tree(Goldens.path("sampler/sampler_meta.json")).get("modes").get(mode).get("weights")
                .asText();
        try (SafeTensors st = SafeTensors.open(Goldens.path("sampler/" + file))) {
            Weights w = Weights.of(st);
            GeoRegionSamplerConfig c = SamplerConfigs.inferFrom(w, GeoRegionSampler.PREFIX, pooler);
            return SamplerStage.load(w.at(GeoRegionSampler.PREFIX), 0, c);
        }
    }
}
