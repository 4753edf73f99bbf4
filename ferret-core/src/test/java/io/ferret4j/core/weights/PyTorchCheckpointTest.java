package io.ferret4j.core.weights;

import static io.ferret4j.core.weights.TorchFixtures.checkpoint;
import static io.ferret4j.core.weights.TorchFixtures.f32Range;
import static io.ferret4j.core.weights.TorchFixtures.stateDict;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferret4j.core.testing.Goldens;
import io.ferret4j.core.weights.TorchFixtures.Pickle;
import io.ferret4j.core.weights.TorchFixtures.Spec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class PyTorchCheckpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void ferretBinIsBitIdenticalToItsSafetensorsTwin() throws IOException {
        Path folder = Goldens.path("ferret/checkpoint");
        List<String> expectedKeys = new ArrayList<>();
        JSON.readTree(Goldens.path("ferret/ferret_meta.json").toFile()).get("state_dict_keys")
                .forEach(k -> expectedKeys.add(k.asText()));
        try (TensorSource bin = Checkpoints.open(folder.resolve("pytorch_model.bin"));
             SafeTensors st = SafeTensors.open(folder.resolve("model.safetensors"))) {
            assertThat(bin).isInstanceOf(PyTorchCheckpoint.class);
            assertThat(bin.names()).hasSize(41).containsExactlyInAnyOrderElementsOf(expectedKeys)
                    .containsExactlyInAnyOrderElementsOf(st.names());
            // the pickle keeps state_dict order (not sorted as in the safetensors file)
            assertThat(bin.names().iterator().next()).isEqualTo("model.embed_tokens.weight");
            for (String name : bin.names()) {
                RawTensor b = bin.get(name);
                RawTensor s = st.get(name);
                assertThat(b.dtype()).as(name).isEqualTo(DType.F16);
                assertThat(b.shape()).as(name).containsExactly(s.shape());
                assertThat(b.bytes()).as(name).isEqualTo(s.bytes());
            }
            assertThat(bin.get("model.mm_projector.weight").shape()).containsExactly(32, 64);
            assertThat(bin.get("model.region_geo_sampler.agg_projector_list.0.net.0.weight").shape())
                    .containsExactly(64, 132, 1);
            // HF's inv_freq buffer 1/10000^(2i/head_dim), head_dim 8, saved in fp16
            assertThat(bin.get("model.layers.1.self_attn.rotary_emb.inv_freq").toFloats()).containsExactly(
                    1f, Float16.round(0.1f), Float16.round(0.01f), Float16.round(0.001f));
            // values read independently with numpy from the same file
            float[] lmHead = bin.get("lm_head.weight").toFloats();
            assertThat(lmHead[0]).isEqualTo(Float16.round(0.0401f));
            assertThat(lmHead[32001 * 32 - 1]).isEqualTo(Float16.round(0.09125f));
        }
    }

    @Test
    void visionTowerBinMatchesTheClipConfigNamesAndShapes() throws IOException {
        Path tower = Goldens.path("ferret/checkpoint/vision_tower");
        JsonNode config = JSON.readTree(tower.resolve("config.json").toFile());
        long hidden = config.get("hidden_size").asLong();
        long inter = config.get("intermediate_size").asLong();
        long patch = config.get("patch_size").asLong();
        long positions = (long) Math.pow(config.get("image_size").asLong() / patch, 2) + 1;
        int layers = config.get("num_hidden_layers").asInt();
        Map<String, long[]> expected = new LinkedHashMap<>();
        String p = "vision_model.";
        expected.put(p + "embeddings.class_embedding", new long[] {hidden});
        expected.put(p + "embeddings.patch_embedding.weight", new long[] {hidden, 3, patch, patch});
        expected.put(p + "embeddings.position_embedding.weight", new long[] {positions, hidden});
        for (String ln : List.of("pre_layrnorm", "post_layernorm")) {
            expected.put(p + ln + ".weight", new long[] {hidden});
            expected.put(p + ln + ".bias", new long[] {hidden});
        }
        for (int i = 0; i < layers; i++) {
            String l = p + "encoder.layers." + i + ".";
            for (String proj : List.of("q_proj", "k_proj", "v_proj", "out_proj")) {
                expected.put(l + "self_attn." + proj + ".weight", new long[] {hidden, hidden});
                expected.put(l + "self_attn." + proj + ".bias", new long[] {hidden});
            }
            for (String ln : List.of("layer_norm1", "layer_norm2")) {
                expected.put(l + ln + ".weight", new long[] {hidden});
                expected.put(l + ln + ".bias", new long[] {hidden});
            }
            expected.put(l + "mlp.fc1.weight", new long[] {inter, hidden});
            expected.put(l + "mlp.fc1.bias", new long[] {inter});
            expected.put(l + "mlp.fc2.weight", new long[] {hidden, inter});
            expected.put(l + "mlp.fc2.bias", new long[] {hidden});
        }
        try (TensorSource bin = Checkpoints.open(tower.resolve("pytorch_model.bin"));
             SafeTensors clip = SafeTensors.open(Goldens.path("clip/model/model.safetensors"))) {
            assertThat(bin.names()).hasSize(55).containsExactlyInAnyOrderElementsOf(expected.keySet())
                    .containsExactlyInAnyOrderElementsOf(clip.names());
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                RawTensor t = bin.get(e.getKey());
                assertThat(t.dtype()).as(e.getKey()).isEqualTo(DType.F32);
                assertThat(t.shape()).as(e.getKey()).containsExactly(e.getValue());
                assertThat(TorchFixtures.allFinite(t.toFloats())).as(e.getKey()).isTrue();
            }
            // values read independently with numpy from the same file
            float[] cls = bin.get(p + "embeddings.class_embedding").toFloats();
            assertThat(cls[0]).isEqualTo(0.03692683f);
            assertThat(cls[1]).isEqualTo(0.9133375f);
            float[] patchW = bin.get(p + "embeddings.patch_embedding.weight").toFloats();
            assertThat(new float[] {patchW[0], patchW[1], patchW[2]})
                    .containsExactly(-0.03072278f, 0.07388427f, 0.037184846f);
        }
    }

    @Test
    void aFolderWithOnlyABinOpensTheBin() throws IOException {
        Files.copy(Goldens.path("ferret/checkpoint/vision_tower/pytorch_model.bin"), dir.resolve("pytorch_model.bin"));
        try (TensorSource src = Checkpoints.open(dir)) {
            assertThat(src).isInstanceOf(PyTorchCheckpoint.class);
            assertThat(src.names()).hasSize(55);
        }
    }

    @Test
    void readsPtAndPthExtensionsAndEveryStorageDtype() throws IOException {
        byte[] storage0 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-200).putLong(1L << 40)
                .array();
        byte[] storage1 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                .putShort(Float16.floatToBf16(-0.5f)).putShort(Float16.floatToBf16(3f)).array();
        byte[] storage2 = {1, 0, 1};
        byte[] pickle = stateDict(List.of(
                Spec.contiguous("ids", "LongStorage", "0", 2),
                Spec.contiguous("bf", "BFloat16Storage", "1", 2),
                Spec.contiguous("mask", "BoolStorage", "2", 3)));
        Map<String, byte[]> storages = Map.of("0", storage0, "1", storage1, "2", storage2);
        for (String ext : List.of(".pt", ".pth")) {
            try (TensorSource src = Checkpoints.open(checkpoint(dir.resolve("m" + ext), pickle, storages))) {
                assertThat(src.names()).containsExactly("ids", "bf", "mask");
                assertThat(src.get("ids").toLongs()).containsExactly(-200, 1L << 40);
                assertThat(src.get("bf").dtype()).isEqualTo(DType.BF16);
                assertThat(src.get("bf").toFloats()).containsExactly(-0.5f, 3f);
                assertThat(src.get("mask").dtype()).isEqualTo(DType.BOOL);
                assertThat(src.get("mask").toLongs()).containsExactly(1, 0, 1);
            }
        }
    }

    @Test
    void gathersTransposedAndOffsetViewsInCOrder() throws IOException {
        // storage 0..11 as float; views: a [3,4] transposed to [4,3], a [2,2] window at offset 5, a broadcast row
        Spec transposed = new Spec("t", "FloatStorage", "0", 12, 0, new long[] {4, 3}, new long[] {1, 4});
        Spec window = new Spec("w", "FloatStorage", "0", 12, 5, new long[] {2, 2}, new long[] {4, 1});
        Spec slice = new Spec("s", "FloatStorage", "0", 12, 8, new long[] {4}, new long[] {1});
        Spec expanded = new Spec("e", "FloatStorage", "0", 12, 1, new long[] {2, 3}, new long[] {0, 1});
        Spec scalar = new Spec("x", "FloatStorage", "0", 12, 11, new long[] {}, new long[] {});
        Spec empty = new Spec("z", "FloatStorage", "0", 12, 12, new long[] {0, 5}, new long[] {5, 1});
        Path file = checkpoint(dir.resolve("views.bin"),
                stateDict(List.of(transposed, window, slice, expanded, scalar, empty)), Map.of("0", f32Range(12)));
        try (PyTorchCheckpoint ckpt = PyTorchCheckpoint.open(file)) {
            assertThat(ckpt.get("t").shape()).containsExactly(4, 3);
            assertThat(ckpt.get("t").toFloats()).containsExactly(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11);
            assertThat(ckpt.get("w").toFloats()).containsExactly(5, 6, 9, 10);
            assertThat(ckpt.get("s").toFloats()).containsExactly(8, 9, 10, 11);
            assertThat(ckpt.get("s").bytes().isDirect()).as("contiguous slice is mapped, not copied").isTrue();
            assertThat(ckpt.get("e").toFloats()).containsExactly(1, 2, 3, 1, 2, 3);
            assertThat(ckpt.get("x").rank()).isZero();
            assertThat(ckpt.get("x").toFloats()).containsExactly(11);
            assertThat(ckpt.get("z").numel()).isZero();
            assertThat(ckpt.get("t").toFloatArray().getFloat(3, 1)).isEqualTo(7f);
        }
    }

    @Test
    void acceptsParametersOrderedDictMetadataAndProtocol4Framing() throws IOException {
        Spec w = Spec.contiguous("w", "FloatStorage", "0", 2, 2);
        // OrderedDict() + SETITEMS + BUILD({'_metadata': {...}}) as nn.Module.state_dict() pickles, with the tensor
        // wrapped by _rebuild_parameter, and protocol-4 FRAME / MEMOIZE / STACK_GLOBAL / SHORT_BINUNICODE opcodes.
        Pickle p = new Pickle().proto(4).op(0x95, 0, 0, 0, 0, 0, 0, 0, 0)
                .shortStr("collections").shortStr("OrderedDict").op(0x93, 0x94, ')', 'R', 0x94, '(')
                .shortStr("w").op(0x94)
                .global("torch._utils", "_rebuild_parameter").op('(')
                .tensor(w).op(0x88).emptyOrderedDict().op('t', 'R', 0x94)
                .op('u')
                .op('}').shortStr("_metadata").op('}').shortStr("").op('}').shortStr("version").integer(1)
                .op('s', 's', 's')
                .op('b', '.');
        Path file = checkpoint(dir.resolve("param.bin"), p.bytes(), Map.of("0", f32Range(4)));
        try (PyTorchCheckpoint ckpt = PyTorchCheckpoint.open(file)) {
            assertThat(ckpt.names()).containsExactly("w");
            assertThat(ckpt.get("w").toFloats()).containsExactly(0, 1, 2, 3);
        }
    }

    @Test
    void readsBinShardsThroughAnIndex() throws IOException {
        checkpoint(dir.resolve("pytorch_model-00001-of-00002.bin"),
                stateDict(List.of(Spec.contiguous("a", "FloatStorage", "0", 2))), Map.of("0", f32Range(2)));
        checkpoint(dir.resolve("pytorch_model-00002-of-00002.bin"),
                stateDict(List.of(Spec.contiguous("b", "FloatStorage", "0", 3))), Map.of("0", f32Range(3)));
        Files.writeString(dir.resolve("pytorch_model.bin.index.json"), "{\"metadata\":{\"total_size\":20},"
                + "\"weight_map\":{\"a\":\"pytorch_model-00001-of-00002.bin\","
                + "\"b\":\"pytorch_model-00002-of-00002.bin\"}}");
        try (TensorSource src = Checkpoints.open(dir)) {
            assertThat(src.names()).containsExactly("a", "b");
            assertThat(src.get("b").toFloats()).containsExactly(0, 1, 2);
        }
    }

    @Test
    void namesTheFileWhenATensorIsMissing() {
        try (PyTorchCheckpoint ckpt = PyTorchCheckpoint.open(Goldens.path("ferret/checkpoint/pytorch_model.bin"))) {
            assertThatThrownBy(() -> ckpt.get("nope")).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("pytorch_model.bin").hasMessageContaining("no tensor 'nope'");
        }
    }

    @Test
    void tensorsStayReadableAfterClose() {
        RawTensor t;
        try (PyTorchCheckpoint ckpt = PyTorchCheckpoint.open(Goldens.path("ferret/checkpoint/pytorch_model.bin"))) {
            t = ckpt.get("model.norm.weight");
        }
        assertThat(t.toFloats()).hasSize(32);
        assertThat(TorchFixtures.allFinite(t.toFloats())).isTrue();
    }

    @Test
    void failsOnAnUnknownExtension() throws IOException {
        Path f = Files.writeString(dir.resolve("weights.ckpt"), "x");
        assertThatThrownBy(() -> Checkpoints.open(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("weights.ckpt").hasMessageContaining("unknown checkpoint format");
    }
}
