package io.ferret4j.core.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferret4j.core.testing.Goldens;
import org.junit.jupiter.api.Test;

/**
 * Every checkpoint and fixture file of the golden set reads completely through {@link Checkpoints#open}, with
 * the dtypes the golden README documents, and values that agree with the meta JSON files and with each other
 * (relations the reference run guarantees, so a reader that mis-orders or mis-converts bytes fails here).
 */
final class GoldenCheckpointsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every tensor file of the golden set, with its tensor count. */
    private static final Map<String, Integer> FILES = files();

    @Test
    void everyTensorOfEveryGoldenFileReadsWithItsDocumentedDtype() throws IOException {
        Path root = Goldens.path("");
        List<String> onDisk;
        try (Stream<Path> s = Files.walk(root)) {
            onDisk = s.map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> p.endsWith(".safetensors") || p.endsWith(".bin")).sorted().toList();
        }
        assertThat(onDisk).as("golden tensor files").containsExactlyInAnyOrderElementsOf(FILES.keySet());
        for (Map.Entry<String, Integer> f : FILES.entrySet()) {
            try (TensorSource src = Checkpoints.open(Goldens.path(f.getKey()))) {
                assertThat(src.names()).as(f.getKey()).hasSize(f.getValue());
                for (String name : src.names()) {
                    RawTensor t = src.get(name);
                    String where = f.getKey() + " " + name;
                    assertThat(t.dtype()).as(where).isEqualTo(documentedDtype(f.getKey(), name));
                    assertThat(t.numel()).as(where).isPositive();
                    if (t.dtype().isFloatingPoint()) {
                        assertThat(TorchFixtures.allFinite(t.toFloats())).as(where + " finite").isTrue();
                    } else {
                        assertThat(t.toLongs()).as(where).hasSize((int) t.numel());
                    }
                }
            }
        }
    }

    @Test
    void idsAndLogitsMatchTheMetaFiles() throws IOException {
        JsonNode ferretMeta = JSON.readTree(Goldens.path("ferret/ferret_meta.json").toFile()).get("cases");
        try (TensorSource g = Checkpoints.open(Goldens.path("ferret/ferret_goldens.safetensors"))) {
            for (String c : List.of("ground", "refer")) {
                JsonNode meta = ferretMeta.get(c);
                assertThat(g.get(c + ".input_ids").toLongs()).containsExactly(longs(meta.get("input_ids")));
                assertThat(g.get(c + ".gen_new_ids").toLongs()).containsExactly(longs(meta.get("greedy_new_ids")));
                float[] logits = g.get(c + ".last_logits").toFloats();
                long[] top = longs(meta.get("top20_ids"));
                for (int i = 0; i < top.length; i++) {
                    assertThat(logits[(int) top[i]]).isEqualTo((float) meta.get("top20_logits").get(i).asDouble());
                }
            }
        }
        JsonNode llmMeta = JSON.readTree(Goldens.path("llm/llm_meta.json").toFile());
        try (TensorSource g = Checkpoints.open(Goldens.path("llm/llm_goldens.safetensors"))) {
            assertThat(g.get("input_ids").toLongs()).containsExactly(longs(llmMeta.get("input_ids")));
            assertThat(g.get("logits_rows_index").toLongs()).containsExactly(longs(llmMeta.get("logits_rows_index")));
            assertThat(g.get("gen.prompt_ids").toLongs()).containsExactly(longs(llmMeta.get("gen_prompt_ids")));
            assertThat(g.get("gen.new_ids").toLongs()).containsExactly(longs(llmMeta.get("gen_new_ids")));
            assertThat(g.get("gen_embeds.new_ids").toLongs()).containsExactly(longs(llmMeta.get("gen_embeds_new_ids")));
        }
        JsonNode samplerMeta = JSON.readTree(Goldens.path("sampler/sampler_meta.json").toFile());
        try (TensorSource s = Checkpoints.open(Goldens.path("sampler/sampler_common.safetensors"))) {
            for (int m = 0; m < 3; m++) {
                long[] coords = longs(samplerMeta.get("mask_nonzero_coords").get(m));
                assertThat(s.get("a.mask" + m + ".nonzero").toLongs()).containsExactly(coords);
            }
        }
    }

    @Test
    void valuesAgreeAcrossFiles() {
        try (TensorSource llm = Checkpoints.open(Goldens.path("llm/model"));
             TensorSource g = Checkpoints.open(Goldens.path("llm/llm_goldens.safetensors"))) {
            float[] invFreq = llm.get("model.layers.0.self_attn.rotary_emb.inv_freq").toFloats();
            for (int i = 0; i < invFreq.length; i++) {                // 1/10000^(2i/head_dim), head_dim 16
                float expected = 1f / (float) Math.pow(10000, (2f * i) / 16f);
                assertThat(invFreq[i]).isCloseTo(expected, within(Math.ulp(expected)));
            }
            // hidden_states[0] is the embedding lookup of input_ids
            long[] ids = g.get("input_ids").toLongs();
            float[] embed = llm.get("model.embed_tokens.weight").toFloats();
            float[] h0 = g.get("hidden_states").toFloats();
            for (int t : new int[] {0, 1, 36}) {
                assertThat(Arrays.copyOfRange(h0, t * 64, t * 64 + 64))
                        .containsExactly(Arrays.copyOfRange(embed, (int) ids[t] * 64, (int) ids[t] * 64 + 64));
            }
        }
        try (TensorSource ckpt = Checkpoints.open(Goldens.path("ferret/checkpoint/pytorch_model.bin"));
             TensorSource g = Checkpoints.open(Goldens.path("ferret/ferret_goldens.safetensors"))) {
            float[] embed = ckpt.get("model.embed_tokens.weight").toFloats();  // F16 widened, as the run loaded it
            for (String c : List.of("ground", "refer")) {
                float[] rows = g.get(c + ".inputs_embeds").toFloats();
                int image = Arrays.stream(g.get(c + ".input_ids").toInts()).boxed().toList().indexOf(-200);
                assertThat(image).isEqualTo(98);
                assertThat(Arrays.copyOfRange(rows, 0, 32)).as("BOS row").containsExactly(Arrays.copyOfRange(embed, 32, 64));
                assertThat(Arrays.copyOfRange(rows, image * 32, (image + 576) * 32)).as("image rows")
                        .containsExactly(g.get(c + ".projected_image_features").toFloats());
            }
            float[] refer = g.get("refer.inputs_embeds").toFloats();
            assertThat(Arrays.copyOfRange(refer, 699 * 32, 700 * 32)).containsExactly(g.get("refer.region_feature").toFloats());
        }
        try (TensorSource s = Checkpoints.open(Goldens.path("sampler/sampler_common.safetensors"))) {
            float[] points = s.get("a.points").toFloats();                // nonzero / [631, 997] in float32
            for (int m = 0; m < 3; m++) {
                int[] nz = s.get("a.mask" + m + ".nonzero").toInts();
                for (int i = 0; i < 512; i++) {
                    assertThat(points[(m * 512 + i) * 2]).isEqualTo(nz[2 * i] / 631f);
                    assertThat(points[(m * 512 + i) * 2 + 1]).isEqualTo(nz[2 * i + 1] / 997f);
                }
            }
        }
    }

    @Test
    void pixelValuesFollowFromTheResizedBytes() {
        float[] mean = {0.48145466f, 0.4578275f, 0.40821073f};
        float[] std = {0.26862954f, 0.26130258f, 0.27577711f};
        try (TensorSource p = Checkpoints.open(Goldens.path("clip/preprocess.safetensors"))) {
            for (int img = 0; img < 3; img++) {
                long[] rgb = p.get("image" + img + ".resized_rgb").toLongs();       // [336, 336, 3]
                float[] pixels = p.get("image" + img + ".pixel_values").toFloats(); // [1, 3, 336, 336]
                for (int y = 0; y < 336; y += 67) {
                    for (int x = 0; x < 336; x += 53) {
                        for (int c = 0; c < 3; c++) {
                            float r = (float) (rgb[(y * 336 + x) * 3 + c] * (1.0 / 255));
                            assertThat(pixels[(c * 336 + y) * 336 + x]).isEqualTo((r - mean[c]) / std[c]);
                        }
                    }
                }
            }
        }
    }

    /** The dtypes the golden README lists: F16 only in the Ferret checkpoint, U8 images, I32 pixels, I64 ids. */
    private static DType documentedDtype(String file, String name) {
        if (file.startsWith("ferret/checkpoint/") && !file.contains("vision_tower")) {
            return DType.F16;
        }
        if (name.endsWith("resized_rgb")) {
            return DType.U8;
        }
        if (name.endsWith(".nonzero")) {
            return DType.I32;
        }
        if (name.endsWith("_ids") || name.endsWith(".new_ids") || name.contains("idx") || name.endsWith("_index")
                || name.endsWith("top5_ids")) {
            return DType.I64;
        }
        return DType.F32;
    }

    private static long[] longs(JsonNode array) {
        List<Long> out = new ArrayList<>();
        flatten(array, out);
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static void flatten(JsonNode node, List<Long> out) {
        if (node.isArray()) {
            node.forEach(n -> flatten(n, out));
        } else {
            out.add(node.asLong());
        }
    }

    private static Map<String, Integer> files() {
        Map<String, Integer> f = new LinkedHashMap<>();
        f.put("clip/clip_outputs.safetensors", 6);
        f.put("clip/model/model.safetensors", 55);
        f.put("clip/preprocess.safetensors", 6);
        f.put("ferret/checkpoint/model.safetensors", 41);
        f.put("ferret/checkpoint/pytorch_model.bin", 41);
        f.put("ferret/checkpoint/vision_tower/pytorch_model.bin", 55);
        f.put("ferret/ferret_goldens.safetensors", 24);
        f.put("llm/llm_goldens.safetensors", 14);
        f.put("llm/model/model.safetensors", 23);
        f.put("sampler/sampler_common.safetensors", 16);
        f.put("sampler/sampler_max_outputs.safetensors", 8);
        f.put("sampler/sampler_max_weights.safetensors", 16);
        f.put("sampler/sampler_mean_outputs.safetensors", 8);
        f.put("sampler/sampler_mean_weights.safetensors", 16);
        return f;
    }
}
