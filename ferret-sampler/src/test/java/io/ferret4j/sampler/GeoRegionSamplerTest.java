package io.ferret4j.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import io.ferret4j.core.probe.Probe;
import io.ferret4j.core.probe.RecordingProbe;
import io.ferret4j.core.region.Region;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.weights.CheckpointException;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.core.weights.SafeTensorsWriter;
import io.ferret4j.core.weights.Weights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Public behaviour of {@link GeoRegionSampler} beyond the goldens: batching, randomness, bad input, loading. */
final class GeoRegionSamplerTest {
    private static final int W = 640;
    private static final int H = 480;
    private static GeoRegionSampler sampler;                           // golden max-pool weights, D = 32, H = 48
    private static INDArray features;                                  // golden [576, 32] feature map

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        try (SafeTensors st = SafeTensors.open(Goldens.path("sampler/sampler_max_weights.safetensors"));
             SafeTensors common = SafeTensors.open(Goldens.path("sampler/sampler_common.safetensors"))) {
            Weights w = Weights.of(st);
            sampler = GeoRegionSampler.load(w, SamplerConfigs.inferFrom(w, GeoRegionSampler.PREFIX,
                    PoolerMode.MAX));
            features = common.get("feature_map").toFloatArray();
        }
    }

    @Test
    void regionsOfOneCallAreIndependentOfEachOther() {
        List<Region> regions = List.of(new Region.Box(40, 60, 210, 300), new Region.Point(500, 20),
                new Region.Polygon(List.of(new Region.Point(300, 300), new Region.Point(620, 470),
                        new Region.Point(280, 460))));
        INDArray together = sampler.forward(features, regions, W, H, MaskPointSampler.deterministic(), Probe.NONE);
        assertThat(together.shape()).containsExactly(3, 48);
        for (int r = 0; r < regions.size(); r++) {
            INDArray alone = sampler.forward(features, List.of(regions.get(r)), W, H,
                    MaskPointSampler.deterministic(), Probe.NONE);
            // bit for bit: each region's rows go through products of their own, whatever the other regions
            assertThat(together.getRow(r).dup().data().asFloat()).containsExactly(alone.data().asFloat());
        }
    }

    @Test
    void aSeededRandomSamplerIsReproducibleAndTheSeedMatters() {
        List<Region> box = List.of(new Region.Box(40, 60, 210, 300));    // 171×241 pixels: a random subset of 512
        INDArray a = sampler.forward(features, box, W, H, MaskPointSampler.random(new SplittableRandom(1)), Probe.NONE);
        INDArray b = sampler.forward(features, box, W, H, MaskPointSampler.random(new SplittableRandom(1)), Probe.NONE);
        INDArray c = sampler.forward(features, box, W, H, MaskPointSampler.random(new SplittableRandom(2)), Probe.NONE);
        assertThat(b.data().asFloat()).containsExactly(a.data().asFloat());
        assertThat(c.data().asFloat()).isNotEqualTo(a.data().asFloat());
    }

    @Test
    void recordsEveryIntermediateWithoutChangingTheResult() {
        List<Region> point = List.of(new Region.Point(100, 100));
        RecordingProbe probe = new RecordingProbe();
        INDArray probed = sampler.forward(features, point, W, H, MaskPointSampler.deterministic(), probe);
        assertThat(sampler.forward(features, point, W, H, MaskPointSampler.deterministic(), Probe.NONE).data()
                .asFloat()).containsExactly(probed.data().asFloat());
        assertThat(probe.all().keySet()).containsExactly("points", "point_feats", "stage0.fps_idx", "stage0.knn_idx",
                "stage0.out", "stage1.fps_idx", "stage1.knn_idx", "stage1.out", "flatten_projector_out",
                "region_features");
        assertThat(probe.get("stage1.knn_idx").shape()).containsExactly(1, 32, 24);
    }

    @Test
    void rejectsFeatureMapsWithNanOrInfinity() {
        INDArray nan = features.dup();
        nan.putScalar(5 * 32 + 7, Float.NaN);
        assertThatThrownBy(() -> forward(nan, new Region.Point(3, 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("image features hold NaN at patch 5, channel 7");
        INDArray inf = features.dup();
        inf.putScalar(575 * 32 + 31, Float.NEGATIVE_INFINITY);
        assertThatThrownBy(() -> forward(inf, new Region.Point(3, 3)))
                .hasMessage("image features hold -Infinity at patch 575, channel 31");
    }

    @Test
    void rejectsFeatureMapsOfTheWrongShape() {
        assertThatThrownBy(() -> forward(Nd4j.zeros(575, 32), new Region.Point(3, 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("image features must be [side², 32] (e.g. [576, 32]), got [575, 32]");
        assertThatThrownBy(() -> forward(Nd4j.zeros(576, 64), new Region.Point(3, 3)))
                .hasMessage("image features must be [side², 32] (e.g. [576, 32]), got [576, 64]");
    }

    @Test
    void rejectsRegionsThatDoNotFitTheImage() {
        assertThatThrownBy(() -> forward(features, new Region.Box(40, 60, 900, 300)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("box (40,60,900,300) exceeds image 640×480");
        assertThatThrownBy(() -> forward(features, new Region.Point(1, 1).toMask(20, 10)))
                .hasMessage("mask size 20×10 differs from image size 640×480");
        assertThatThrownBy(() -> sampler.forward(features, List.of(), W, H, MaskPointSampler.deterministic(),
                Probe.NONE)).hasMessage("no regions to sample");
    }

    @Test
    void rejectsPointSetsOfTheWrongSize() {
        assertThatThrownBy(() -> sampler.forwardPoints(features, List.of(new float[10]),
                MaskPointSampler.deterministic(), Probe.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("region 0 has 5.0 points, expected 512");
        float[] nan = new float[1024];
        nan[3] = Float.NaN;
        assertThatThrownBy(() -> sampler.forwardPoints(features, List.of(nan), MaskPointSampler.deterministic(),
                Probe.NONE)).hasMessage("region 0 has a non-finite point coordinate NaN");
    }

    @Test
    void readsItsConfigurationFromAFerretConfig() throws IOException {
        GeoRegionSamplerConfig c = SamplerConfigs.fromJson(Goldens.path("ferret/checkpoint/config.json"));
        assertThat(c).isEqualTo(GeoRegionSamplerConfig.of(64, 32, PoolerMode.MAX));
        Path plain = Files.writeString(dir.resolve("config.json"), "{\"mm_hidden_size\": 1024, \"hidden_size\": 4096}");
        assertThatThrownBy(() -> SamplerConfigs.fromJson(plain))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("does not set region_geo_sampler: true (found null), so the model has no "
                        + "GeoRegionSampler");
        assertThatThrownBy(() -> PoolerMode.fromConfig("sum"))
                .hasMessage("sampler_pooler_mode must be 'max' or 'mean', got 'sum'");
        assertThatThrownBy(() -> new GeoRegionSamplerConfig(32, 48, 512, List.of(128, 256), List.of(24, 24),
                PoolerMode.MAX)).hasMessage("stage 1 has 128 points, so num_sub_point 256 and num_neighbor 24 must "
                + "lie in [1, 128]");
    }

    @Test
    void refusesCheckpointsWithUnusedOrMisshapedSamplerTensors() {
        Path extra = copyGoldenWeights("extra.safetensors", "agg_projector_list.2.norm.bias", new long[] {32});
        try (SafeTensors st = SafeTensors.open(extra)) {
            assertThatThrownBy(() -> GeoRegionSampler.load(Weights.of(st), GeoRegionSamplerConfig.of(32, 48,
                    PoolerMode.MAX)))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageEndingWith("GeoRegionSampler with 2 stages did not use: "
                            + "model.region_geo_sampler.agg_projector_list.2.norm.bias");
        }
        try (SafeTensors st = SafeTensors.open(Goldens.path("sampler/sampler_max_weights.safetensors"))) {
            assertThatThrownBy(() -> GeoRegionSampler.load(Weights.of(st), GeoRegionSamplerConfig.of(64, 48,
                    PoolerMode.MAX)))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageEndingWith("tensor 'model.region_geo_sampler.diff_projector_list.0.weight' has shape "
                            + "[34, 34], expected [66, 66]");
        }
    }

    private static INDArray forward(INDArray featureMap, Region region) {
        return sampler.forward(featureMap, List.of(region), W, H, MaskPointSampler.deterministic(), Probe.NONE);
    }

    private Path copyGoldenWeights(String name, String extraTensor, long[] shape) {
        Path out = dir.resolve(name);
        try (SafeTensors st = SafeTensors.open(Goldens.path("sampler/sampler_max_weights.safetensors"))) {
            SafeTensorsWriter writer = new SafeTensorsWriter();
            st.names().forEach(k -> writer.add(k, st.get(k)));
            writer.add(GeoRegionSampler.PREFIX + extraTensor, DType.F32, shape,
                    ByteBuffer.allocate(Math.toIntExact(shape[0] * 4)));
            writer.write(out);
        }
        return out;
    }
}
