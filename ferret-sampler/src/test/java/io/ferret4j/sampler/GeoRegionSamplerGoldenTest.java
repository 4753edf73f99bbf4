package io.ferret4j.sampler;

import static io.ferret4j.core.testing.TensorAssert.FP32_ATOL;
import static io.ferret4j.core.testing.TensorAssert.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferret4j.core.config.ConfigJson;
import io.ferret4j.core.probe.RecordingProbe;
import io.ferret4j.core.region.Region;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.core.weights.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The sampler against ml-ferret's {@code GeoRegionSampler} run in fp32 on CPU (see golden/README.md, "sampler/"
 * and "ferret/"): masks of exactly 512 pixels, FPS started at index 0, tie-free geometry. Points and indices must
 * match exactly, kNN as sets; activations within {@link io.ferret4j.core.testing.TensorAssert#FP32_ATOL}.
 */
final class GeoRegionSamplerGoldenTest {

    @ParameterizedTest(name = "{0} pooling, case {1}")
    @CsvSource({"max, a", "max, b", "mean, a", "mean, b"})
    void matchesTheReferenceStageByStage(String pooler, String kase) {
        JsonNode meta = ConfigJson.tree(Goldens.path("sampler/sampler_meta.json"));
        JsonNode mode = meta.get("modes").get(pooler);
        try (SafeTensors common = SafeTensors.open(Goldens.path("sampler/sampler_common.safetensors"));
             SafeTensors weights = SafeTensors.open(Goldens.path("sampler/" + mode.get("weights").asText()));
             SafeTensors expected = SafeTensors.open(Goldens.path("sampler/" + mode.get("outputs").asText()))) {
            Weights w = Weights.of(weights);
            GeoRegionSampler sampler = GeoRegionSampler.load(w,
                    SamplerConfigs.inferFrom(w, GeoRegionSampler.PREFIX, PoolerMode.fromConfig(pooler)));
            INDArray featureMap = common.get("feature_map").toFloatArray();
            RecordingProbe probe = new RecordingProbe();
            INDArray out;
            if (kase.equals("a")) {
                int width = meta.get("mask_shape").get(0).asInt();      // the x-major mask is [W, H]
                int height = meta.get("mask_shape").get(1).asInt();
                List<Region.Mask> masks = new ArrayList<>();
                for (int i = 0; common.names().contains("a.mask" + i + ".nonzero"); i++) {
                    masks.add(xMajorMask(common.get("a.mask" + i + ".nonzero").toInts(), width, height));
                }
                out = sampler.forward(featureMap, masks, width, height, MaskPointSampler.deterministic(), probe);
            } else {
                out = sampler.forwardPoints(featureMap, perRegion(common.get("b.points").toFloatArray()),
                        MaskPointSampler.deterministic(), probe);
            }
            assertThat(probe.get("points").data().asFloat()).as("points")
                    .containsExactly(common.get(kase + ".points").toFloats());
            assertClose(common.get(kase + ".point_feats").toFloatArray(), probe.get("point_feats"), FP32_ATOL, 0);
            for (int s = 0; s < 2; s++) {
                String stage = kase + ".stage" + s;
                assertThat(probe.get("stage" + s + ".fps_idx").data().asLong()).as(stage + " FPS order")
                        .containsExactly(common.get(stage + ".fps_idx").toLongs());
                assertThat(sortedRows(probe.get("stage" + s + ".knn_idx"))).as(stage + " kNN sets")
                        .containsExactly(common.get(stage + ".knn_idx_sorted").toLongs());
                assertClose(expected.get(stage + ".out").toFloatArray(), probe.get("stage" + s + ".out"), FP32_ATOL, 0);
            }
            assertClose(expected.get(kase + ".flatten_projector_out").toFloatArray(),
                    probe.get("flatten_projector_out"), FP32_ATOL, 0);
            assertClose(expected.get(kase + ".region_features").toFloatArray(), out, FP32_ATOL, 0);
        }
    }

    @Test
    void matchesTheRegionFeatureOfTheFerretReferCase() {
        Path checkpoint = Goldens.path("ferret/checkpoint");
        JsonNode refer = ConfigJson.tree(Goldens.path("ferret/ferret_meta.json")).get("cases").get("refer");
        int width = refer.get("image_size_WH").get(0).asInt();
        int height = refer.get("image_size_WH").get(1).asInt();
        try (SafeTensors model = SafeTensors.open(checkpoint.resolve("model.safetensors"));
             SafeTensors golden = SafeTensors.open(Goldens.path("ferret/ferret_goldens.safetensors"))) {
            GeoRegionSampler sampler = GeoRegionSampler.load(Weights.of(model),
                    SamplerConfigs.fromJson(checkpoint.resolve("config.json")));
            Region.Mask mask = xMajorMask(golden.get("refer.region_mask.nonzero").toInts(), width, height);
            RecordingProbe probe = new RecordingProbe();
            INDArray out = sampler.forward(golden.get("refer.image_features").toFloatArray(), List.of(mask), width,
                    height, MaskPointSampler.deterministic(), probe);

            assertThat(probe.get("points").data().asFloat())
                    .containsExactly(golden.get("refer.sampler.points").toFloats());
            assertClose(golden.get("refer.sampler.point_feats").toFloats(), probe.get("point_feats").data().asFloat(),
                    FP32_ATOL, 0);
            for (int s = 0; s < 2; s++) {
                String stage = "refer.sampler.stage" + s;
                assertThat(probe.get("stage" + s + ".fps_idx").data().asLong())
                        .containsExactly(golden.get(stage + ".fps_idx").toLongs());
                assertThat(sortedRows(probe.get("stage" + s + ".knn_idx")))
                        .containsExactly(golden.get(stage + ".knn_idx_sorted").toLongs());
            }
            // region_feature is the <region_fea> row of inputs_embeds: the dim_projector output
            assertClose(golden.get("refer.region_feature").toFloats(), out.data().asFloat(), FP32_ATOL, 0);
        }
    }

    /** A region mask from the nonzero {@code (x, y)} = (dim0, dim1) pairs of the reference's x-major mask. */
    static Region.Mask xMajorMask(int[] xy, int width, int height) {
        BitSet bits = new BitSet();
        for (int i = 0; i < xy.length; i += 2) {
            bits.set(xy[i + 1] * width + xy[i]);
        }
        return new Region.Mask(width, height, bits);
    }

    private static List<float[]> perRegion(INDArray points) {                         // [R, N, 2]
        List<float[]> out = new ArrayList<>();
        for (int r = 0; r < points.size(0); r++) {
            out.add(points.slice(r).dup('c').data().asFloat());
        }
        return out;
    }

    private static long[] sortedRows(INDArray idx) {                                  // [R, S, K]
        long[] all = idx.data().asLong();
        int k = (int) idx.size(2);
        for (int row = 0; row < all.length; row += k) {
            Arrays.sort(all, row, row + k);
        }
        return all;
    }
}
