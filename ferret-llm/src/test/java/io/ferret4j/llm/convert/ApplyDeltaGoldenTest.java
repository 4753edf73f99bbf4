package io.ferret4j.llm.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.weights.Checkpoints;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.Float16;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.TensorSource;
import io.ferret4j.llm.convert.ModelFolders.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The golden tiny Ferret checkpoint (the reference's own {@code save_pretrained} output: real key names, 32001-row
 * vocabulary, {@code inv_freq} buffers, config and tokenizer files) is split the way {@code make_delta} splits a
 * model, into a Vicuna-like base and a {@code .bin} delta, and rebuilt. The base keeps each weight with its five
 * lowest mantissa bits cleared, so {@code target - base} is exact (Sterbenz) and the round trip must give back
 * every value exactly.
 */
final class ApplyDeltaGoldenTest {
    private static final int CLEARED_BITS = 0x1f;

    @TempDir
    Path dir;

    @Test
    void deltaMadeFromTheGoldenCheckpointRebuildsItValueForValue() throws IOException {
        Path golden = Goldens.path("ferret/checkpoint");
        Path vicuna = dir.resolve("vicuna");
        Path delta = dir.resolve("delta");
        Path out = dir.resolve("ferret");
        List<String> goldenNames;
        try (TensorSource target = Checkpoints.open(golden.resolve("pytorch_model.bin"))) {
            goldenNames = new ArrayList<>(target.names());
            List<Tensor> base = new ArrayList<>();
            List<Tensor> diff = new ArrayList<>();
            for (String name : goldenNames) {
                split(target.get(name), base, diff);
            }
            ModelFolders.binShards(vicuna, List.of(base.subList(0, 5), base.subList(5, base.size())));
            ModelFolders.binShards(delta, List.of(diff));
        }
        for (String file : List.of("config.json", "generation_config.json", "tokenizer.model",
                "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json")) {
            Files.copy(golden.resolve(file), delta.resolve(file));
        }

        ApplyDelta.Summary summary = ApplyDelta.run(vicuna, delta, out);

        assertThat(summary.summed()).isEqualTo(23);                   // 2 layers × 10 (with inv_freq) + norm + 2
        assertThat(summary.copied()).isEqualTo(18);                   // mm_projector 2 + region_geo_sampler 16
        assertThat(summary.skipped()).isEmpty();
        assertThat(out.resolve("config.json")).hasSameBinaryContentAs(golden.resolve("config.json"));
        try (TensorSource rebuilt = Checkpoints.open(out); TensorSource target = Checkpoints.open(golden)) {
            assertThat(rebuilt.names()).containsExactlyElementsOf(goldenNames);
            for (String name : goldenNames) {
                RawTensor r = rebuilt.get(name);
                assertThat(r.dtype()).as(name).isEqualTo(DType.F16);
                assertThat(r.shape()).as(name).containsExactly(target.get(name).shape());
                assertSameValues(name, r.toFloats(), target.get(name).toFloats());
            }
        }
    }

    /** Equal as numbers (-0 == +0: the exact round trip of a -0 weight gives +0); first difference reported. */
    private static void assertSameValues(String name, float[] actual, float[] expected) {
        assertThat(actual).as(name).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            if (actual[i] != expected[i]) {
                assertThat(actual[i]).as("%s[%d]", name, i).isEqualTo(expected[i]);
            }
        }
    }

    /** make_delta's split of one target tensor; the multimodal tensors exist in the delta only. */
    private static void split(RawTensor t, List<Tensor> base, List<Tensor> diff) {
        short[] target = new short[Math.toIntExact(t.numel())];
        t.bytes().asShortBuffer().get(target);
        if (DeltaPlan.DELTA_ONLY_PREFIXES.stream().anyMatch(t.name()::startsWith)) {
            diff.add(ModelFolders.f16(t.name(), t.shape(), target));
            return;
        }
        long[] baseShape = t.shape();
        if (DeltaPlan.ROW_EXTENDED.contains(t.name())) {
            baseShape[0] = 32000;                                      // Vicuna has no <region_fea> row
        }
        short[] b = new short[Math.toIntExact(RawTensor.numel(baseShape))];
        short[] d = target.clone();
        for (int i = 0; i < b.length; i++) {
            b[i] = (short) (target[i] & ~CLEARED_BITS);
            d[i] = Float16.fromFloat(Float16.toFloat(target[i]) - Float16.toFloat(b[i]));
        }
        base.add(ModelFolders.f16(t.name(), baseShape, b));
        diff.add(ModelFolders.f16(t.name(), t.shape(), d));
        assertThat(Arrays.copyOfRange(d, b.length, d.length)).as("rows past the base's are the target's")
                .containsExactly(Arrays.copyOfRange(target, b.length, target.length));
    }
}
