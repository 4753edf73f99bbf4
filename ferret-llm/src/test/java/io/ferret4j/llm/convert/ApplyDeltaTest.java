package io.ferret4j.llm.convert;

import static io.ferret4j.llm.convert.ModelFolders.f16;
import static io.ferret4j.llm.convert.ModelFolders.randomF16;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferret4j.core.weights.CheckpointException;
import io.ferret4j.core.weights.Checkpoints;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.Float16;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.TensorSource;
import io.ferret4j.llm.convert.ModelFolders.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ApplyDeltaTest {
    private static final long[] EMBED_DELTA = {32001, 4};
    private static final long[] EMBED_BASE = {32000, 4};
    private static final String EMBED = "model.embed_tokens.weight";
    private static final String LM_HEAD = "lm_head.weight";
    private static final String Q_PROJ = "model.layers.0.self_attn.q_proj.weight";
    private static final String DOWN_PROJ = "model.layers.0.mlp.down_proj.weight";
    private static final String NORM = "model.norm.weight";
    private static final String INV_FREQ = "model.layers.0.self_attn.rotary_emb.inv_freq";
    private static final String MM_WEIGHT = "model.mm_projector.weight";
    private static final String MM_BIAS = "model.mm_projector.bias";
    private static final String SAMPLER = "model.region_geo_sampler.agg_projector_list.0.net.0.weight";

    /** {delta, base, h(delta + base)} as fp16 bits, worked out by hand. */
    private static final int[][] CRAFTED = {
            {0x3c00, 0x1000, 0x3c00},   // 1 + 2^-11: a tie, rounds to the even 1
            {0x3c01, 0x1000, 0x3c02},   // (1 + 2^-10) + 2^-11: a tie, rounds up to the even 1 + 2^-9
            {0x6800, 0x3c00, 0x6800},   // 2048 + 1: a tie, stays 2048
            {0x6801, 0x3c00, 0x6802},   // 2050 + 1: a tie, rounds up to 2052
            {0x7bff, 0x4c00, 0x7c00},   // 65504 + 16 = 65520: overflows to +inf
            {0x7bff, 0x4800, 0x7bff},   // 65504 + 8 = 65512: rounds back to 65504
            {0xfbff, 0xfbff, 0xfc00},   // -65504 - 65504: -inf
            {0x0001, 0x0001, 0x0002},   // 2^-24 + 2^-24: subnormals add exactly
            {0x0400, 0x8001, 0x03ff},   // 2^-14 - 2^-24: the largest subnormal
            {0x8000, 0x0000, 0x0000},   // -0 + +0 = +0
            {0x3c00, 0xbc00, 0x0000},   // 1 - 1 = +0
            {0x7e00, 0x3c00, 0x7e00},   // NaN + 1 = NaN
    };

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path base;
    private Path delta;
    private Path out;
    private final Map<String, Tensor> baseTensors = new LinkedHashMap<>();
    private final Map<String, Tensor> deltaTensors = new LinkedHashMap<>();

    @BeforeEach
    void writeVicunaAndDelta() throws IOException {
        base = dir.resolve("vicuna-7b-v1.3");
        delta = dir.resolve("ferret-7b-delta");
        out = dir.resolve("ferret-7b");
        Random random = new Random(7);
        short[][] crafted = crafted();
        put(deltaTensors, randomF16(EMBED, random, EMBED_DELTA), randomF16(Q_PROJ, random, 4, 4),
                f16(DOWN_PROJ, new long[] {3, 4}, crafted[0]), randomF16(NORM, random, 4),
                randomF16(LM_HEAD, random, EMBED_DELTA), randomF16(MM_WEIGHT, random, 4, 3),
                randomF16(MM_BIAS, random, 4), randomF16(SAMPLER, random, 3, 2, 1));
        put(baseTensors, randomF16(EMBED, random, EMBED_BASE), randomF16(Q_PROJ, random, 4, 4),
                f16(DOWN_PROJ, new long[] {3, 4}, crafted[1]), randomF16(NORM, random, 4),
                randomF16(LM_HEAD, random, EMBED_BASE), randomF16(INV_FREQ, random, 2));
        writeSafetensors();
        ModelFolders.files(delta, Map.of("config.json", "{\"model_type\": \"ferret\", \"vocab_size\": 32001}",
                "generation_config.json", "{\"bos_token_id\": 1}", "tokenizer.model", "delta sentencepiece",
                "tokenizer_config.json", "{\"delta\": true}", "special_tokens_map.json", "{\"unk_token\": \"<unk>\"}",
                "added_tokens.json", "{\"<region_fea>\": 32000}", "tokenizer.json", "{\"fast\": true}"));
        ModelFolders.files(base, Map.of("config.json", "{\"model_type\": \"llama\", \"vocab_size\": 32000}",
                "generation_config.json", "{\"base\": true}", "tokenizer.model", "base sentencepiece",
                "tokenizer_config.json", "{\"base\": true}", "special_tokens_map.json", "{}"));
    }

    @Test
    void sumsEveryBaseTensorIntoTheDeltaInFp16BitForBit() throws IOException {
        ApplyDelta.Summary summary = ApplyDelta.run(base, delta, out);

        try (TensorSource target = Checkpoints.open(out)) {
            assertThat(target.names()).containsExactlyElementsOf(deltaTensors.keySet());
            for (String name : target.names()) {
                assertThat(target.get(name).dtype()).as(name).isEqualTo(DType.F16);
                assertThat(target.get(name).shape()).as(name).containsExactly(deltaTensors.get(name).shape());
            }
            int[] expected = Arrays.stream(CRAFTED).mapToInt(c -> c[2]).toArray();
            assertThat(toInts(halves(target.get(DOWN_PROJ)))).as("crafted sums").containsExactly(expected);
            for (String name : List.of(Q_PROJ, NORM)) {
                assertThat(halves(target.get(name))).as(name)
                        .containsExactly(sum(deltaTensors.get(name).halves(), baseTensors.get(name).halves()));
            }
        }
        assertThat(summary.summed()).isEqualTo(5);
        assertThat(summary.copied()).isEqualTo(3);
        assertThat(summary.skipped()).containsExactly(INV_FREQ);
        assertThat(summary.files()).startsWith(ShardedSafeTensorsWriter.SINGLE_FILE);
        assertThat(out.resolve(ShardedSafeTensorsWriter.INDEX_FILE)).doesNotExist();
    }

    @Test
    void embeddingAndLmHeadSumTheBaseRowsAndTakeRow32000FromTheDelta() throws IOException {
        ApplyDelta.run(base, delta, out);

        try (TensorSource target = Checkpoints.open(out)) {
            for (String name : List.of(EMBED, LM_HEAD)) {
                short[] d = deltaTensors.get(name).halves();
                short[] b = baseTensors.get(name).halves();
                short[] t = halves(target.get(name));
                int baseElements = 32000 * 4;
                assertSameBits(name + " rows 0..31999", Arrays.copyOf(t, baseElements),
                        sum(Arrays.copyOf(d, baseElements), b));
                assertSameBits(name + " row 32000", Arrays.copyOfRange(t, baseElements, t.length),
                        Arrays.copyOfRange(d, baseElements, d.length));
            }
        }
    }

    @Test
    void multimodalTensorsAreCopiedFromTheDelta() throws IOException {
        ApplyDelta.run(base, delta, out);

        try (TensorSource target = Checkpoints.open(out)) {
            for (String name : List.of(MM_WEIGHT, MM_BIAS, SAMPLER)) {
                assertThat(halves(target.get(name))).as(name).containsExactly(deltaTensors.get(name).halves());
            }
        }
    }

    @Test
    void configAndTokenizerFilesComeFromTheDelta() throws IOException {
        ApplyDelta.Summary summary = ApplyDelta.run(base, delta, out);

        List<String> files = List.of("config.json", "generation_config.json", "tokenizer.model",
                "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "tokenizer.json");
        for (String name : files) {
            assertThat(out.resolve(name)).as(name).hasSameBinaryContentAs(delta.resolve(name));
        }
        assertThat(summary.files()).containsAll(files);
        try (Stream<Path> listing = Files.list(out)) {
            assertThat(listing.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(summary.files());
        }
    }

    @Test
    void binBaseGivesTheSameBytesAsSafetensorsBase() throws IOException {
        ApplyDelta.run(base, delta, out);
        Path binBase = dir.resolve("vicuna-bin");
        List<Tensor> all = new ArrayList<>(baseTensors.values());
        ModelFolders.binShards(binBase, List.of(all.subList(0, 3), all.subList(3, all.size())));
        Path binOut = dir.resolve("from-bin");

        ApplyDelta.run(binBase, delta, binOut);

        assertThat(binOut.resolve("model.safetensors")).hasSameBinaryContentAs(out.resolve("model.safetensors"));
    }

    @Test
    void binDeltaGivesTheSameBytesAsSafetensorsDelta() throws IOException {
        ApplyDelta.run(base, delta, out);
        Path binDelta = dir.resolve("delta-bin");
        ModelFolders.binShards(binDelta, List.of(new ArrayList<>(deltaTensors.values())));
        for (String name : ApplyDelta.REQUIRED_FILES) {
            Files.copy(delta.resolve(name), binDelta.resolve(name));
        }
        Path binOut = dir.resolve("from-bin");

        ApplyDelta.run(base, binDelta, binOut);

        assertThat(binOut.resolve("model.safetensors")).hasSameBinaryContentAs(out.resolve("model.safetensors"));
    }

    @Test
    void f32AndBf16InputsAreRoundedToFp16BeforeTheSum() throws IOException {
        float third = Float16.bf16ToFloat(Float16.floatToBf16(1f / 3));
        baseTensors.put(NORM, ModelFolders.f32(NORM, new long[] {4}, 1 + 0x1p-12f, 70000f, 0.1f, -2f));
        deltaTensors.put(NORM, f16(NORM, new long[] {4}, (short) 0x1000, (short) 0x0000, (short) 0x0000,
                (short) 0x3c00));
        deltaTensors.put(MM_BIAS, ModelFolders.bf16(MM_BIAS, new long[] {4}, third, 1e-9f, 70000f, -1f));
        writeSafetensors();

        ApplyDelta.run(base, delta, out);

        try (TensorSource target = Checkpoints.open(out)) {
            // h(h(1 + 2^-12) + 2^-11) = h(1 + 2^-11) = 1 (tie to even); summing first would give 1 + 2^-10
            assertThat(toInts(halves(target.get(NORM)))).containsExactly(0x3c00, 0x7c00,
                    Float16.fromFloat(0.1f) & 0xffff, 0xbc00);
            assertThat(toInts(halves(target.get(MM_BIAS)))).containsExactly(Float16.fromFloat(third) & 0xffff,
                    0x0000, 0x7c00, 0xbc00);
        }
    }

    @Test
    void tinyShardsWriteAnIndexThatLoadsTheSameTensors() throws IOException {
        ApplyDelta.run(base, delta, out);
        Path sharded = dir.resolve("sharded");

        ApplyDelta.Summary summary = ApplyDelta.run(base, delta, sharded,
                ApplyDelta.Options.DEFAULTS.withMaxShardBytes(300_000));

        // delta order: embed_tokens, q_proj, down_proj, norm | lm_head, mm_projector.weight, .bias, sampler
        List<String> shards = List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors");
        assertThat(summary.files()).startsWith(shards.get(0), shards.get(1), ShardedSafeTensorsWriter.INDEX_FILE);
        assertThat(sharded.resolve("model.safetensors")).doesNotExist();
        JsonNode index = JSON.readTree(sharded.resolve(ShardedSafeTensorsWriter.INDEX_FILE).toFile());
        long totalBytes = deltaTensors.values().stream().mapToLong(t -> t.data().length).sum();
        assertThat(index.get("metadata").get("total_size").asLong()).isEqualTo(totalBytes).isEqualTo(summary.bytes());
        Map<String, String> weightMap = new LinkedHashMap<>();
        index.get("weight_map").fields().forEachRemaining(e -> weightMap.put(e.getKey(), e.getValue().asText()));
        assertThat(weightMap).containsOnlyKeys(deltaTensors.keySet());
        assertThat(weightMap.get(EMBED)).isEqualTo(shards.get(0));
        assertThat(weightMap.get(NORM)).isEqualTo(shards.get(0));
        assertThat(weightMap.get(LM_HEAD)).isEqualTo(shards.get(1));
        assertThat(weightMap.get(SAMPLER)).isEqualTo(shards.get(1));
        try (TensorSource one = Checkpoints.open(out); TensorSource many = Checkpoints.open(sharded)) {
            assertThat(many.names()).containsExactlyInAnyOrderElementsOf(one.names());
            for (String name : one.names()) {
                assertThat(many.get(name).bytes()).as(name).isEqualTo(one.get(name).bytes());
            }
        }
    }

    @Test
    void shapeMismatchNamesTheTensorAndBothShapes() throws IOException {
        baseTensors.put(NORM, randomF16(NORM, new Random(1), 5));
        writeSafetensors();

        assertThatThrownBy(() -> ApplyDelta.run(base, delta, out)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'" + NORM + "'").hasMessageContaining("[4] in the delta")
                .hasMessageContaining("[5] in the base");
        assertNothingWritten();
    }

    @Test
    void baseWithMoreEmbeddingRowsThanTheDeltaIsRefused() throws IOException {
        baseTensors.put(EMBED, randomF16(EMBED, new Random(1), 32002, 4));
        writeSafetensors();

        assertThatThrownBy(() -> ApplyDelta.run(base, delta, out)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("[32001, 4] in the delta but [32002, 4] in the base")
                .hasMessageContaining("swapped");
    }

    @Test
    void embeddingWithOtherHiddenSizeIsRefused() throws IOException {
        baseTensors.put(LM_HEAD, randomF16(LM_HEAD, new Random(1), 32000, 5));
        writeSafetensors();

        assertThatThrownBy(() -> ApplyDelta.run(base, delta, out)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'" + LM_HEAD + "' has shape [32001, 4] in the delta but [32000, 5]");
    }

    @Test
    void baseTensorMissingFromTheDeltaIsRefused() throws IOException {
        deltaTensors.remove(Q_PROJ);
        writeSafetensors();

        assertThatThrownBy(() -> ApplyDelta.run(base, delta, out)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("missing from the delta").hasMessageContaining(Q_PROJ)
                .hasMessageNotContaining(INV_FREQ);
        assertNothingWritten();
    }

    @Test
    void deltaTensorOutsideTheMultimodalPrefixesMustBeInTheBase() throws IOException {
        String stray = "model.vision_tower.vision_tower.vision_model.post_layernorm.weight";
        deltaTensors.put(stray, randomF16(stray, new Random(1), 4));
        writeSafetensors();

        assertThatThrownBy(() -> ApplyDelta.run(base, delta, out)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("not in the base").hasMessageContaining(stray)
                .hasMessageNotContaining(MM_WEIGHT);
    }

    @Test
    void rotaryBufferOnlyInTheDeltaIsSkipped() throws IOException {
        baseTensors.remove(INV_FREQ);
        deltaTensors.put(INV_FREQ, randomF16(INV_FREQ, new Random(1), 2));
        writeSafetensors();

        ApplyDelta.Summary summary = ApplyDelta.run(base, delta, out);

        assertThat(summary.skipped()).containsExactly(INV_FREQ);
        try (TensorSource target = Checkpoints.open(out)) {
            assertThat(target.names()).doesNotContain(INV_FREQ).hasSize(deltaTensors.size() - 1);
        }
    }

    @Test
    void rotaryBufferInBothIsSummedLikeAnyOtherTensor() throws IOException {
        deltaTensors.put(INV_FREQ, f16(INV_FREQ, new long[] {2}, (short) 0, (short) 0));
        writeSafetensors();

        ApplyDelta.Summary summary = ApplyDelta.run(base, delta, out);

        assertThat(summary.skipped()).isEmpty();
        try (TensorSource target = Checkpoints.open(out)) {
            assertThat(halves(target.get(INV_FREQ))).containsExactly(baseTensors.get(INV_FREQ).halves());
        }
    }

    @Test
    void integerTensorIsRefused() throws IOException {
        baseTensors.put(NORM, new Tensor(NORM, DType.I64, new long[] {4}, new byte[32]));
        writeSafetensors();

        assertThatThrownBy(() -> ApplyDelta.run(base, delta, out)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'" + NORM + "' is I64");
    }

    @Test
    void existingOutputIsRefusedAndLeftUntouched() throws IOException {
        ModelFolders.files(out, Map.of("keep.txt", "mine"));

        assertThatThrownBy(() -> ApplyDelta.run(base, delta, out)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already exists");
        try (Stream<Path> listing = Files.list(out)) {
            assertThat(listing).containsExactly(out.resolve("keep.txt"));
        }
        assertThat(siblings()).containsExactlyInAnyOrder("ferret-7b", "ferret-7b-delta", "vicuna-7b-v1.3");
    }

    @Test
    void overwriteReplacesAnExistingOutput() throws IOException {
        ModelFolders.files(out, Map.of("keep.txt", "old"));

        ApplyDelta.run(base, delta, out, ApplyDelta.Options.DEFAULTS.withOverwrite(true));

        assertThat(out.resolve("keep.txt")).doesNotExist();
        assertThat(out.resolve("model.safetensors")).isRegularFile();
        assertThat(siblings()).containsExactlyInAnyOrder("ferret-7b", "ferret-7b-delta", "vicuna-7b-v1.3");
    }

    @Test
    void outputThatIsAnInputIsRefusedEvenWithOverwrite() {
        assertThatThrownBy(() -> ApplyDelta.run(base, delta, delta, ApplyDelta.Options.DEFAULTS.withOverwrite(true)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("would replace the input");
        assertThat(delta.resolve("model.safetensors")).isRegularFile();
    }

    @Test
    void failureMidwayLeavesNoOutputAndNoPartialFolder() {
        List<String> seen = new ArrayList<>();
        ApplyDelta.Options failAtFifthTensor = ApplyDelta.Options.DEFAULTS.withMaxShardBytes(300_000).withProgress(p -> {
            seen.add(p.name());
            if (p.index() == 4) {
                throw new IllegalStateException("disk on fire");
            }
        });

        assertThatThrownBy(() -> ApplyDelta.run(base, delta, out, failAtFifthTensor))
                .isInstanceOf(IllegalStateException.class).hasMessage("disk on fire");
        assertThat(seen).hasSize(5);                                  // the first shard was complete by then
        assertNothingWritten();
    }

    @Test
    void missingBaseShardLeavesNoOutput() throws IOException {
        Path binBase = dir.resolve("vicuna-bin");
        List<Tensor> all = new ArrayList<>(baseTensors.values());
        ModelFolders.binShards(binBase, List.of(all.subList(0, 3), all.subList(3, all.size())));
        Files.delete(binBase.resolve("pytorch_model-00002-of-00002.bin"));

        assertThatThrownBy(() -> ApplyDelta.run(binBase, delta, out)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("pytorch_model-00002-of-00002.bin").hasMessageContaining("does not exist");
        assertThat(out).doesNotExist();
        assertThat(siblings()).containsExactlyInAnyOrder("ferret-7b-delta", "vicuna-7b-v1.3", "vicuna-bin");
    }

    @Test
    void deltaWithoutTokenizerModelIsRefusedBeforeAnythingIsWritten() throws IOException {
        Files.delete(delta.resolve("tokenizer.model"));

        assertThatThrownBy(() -> ApplyDelta.run(base, delta, out)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no tokenizer.model");
        assertNothingWritten();
    }

    @Test
    void missingOptionalFilesAreLeftOut() throws IOException {
        Files.delete(delta.resolve("tokenizer.json"));
        Files.delete(delta.resolve("generation_config.json"));

        ApplyDelta.Summary summary = ApplyDelta.run(base, delta, out);

        assertThat(summary.files()).doesNotContain("tokenizer.json", "generation_config.json")
                .contains("added_tokens.json");
        assertThat(out.resolve("generation_config.json")).doesNotExist();
    }

    private void writeSafetensors() throws IOException {
        ModelFolders.safetensors(base, new ArrayList<>(baseTensors.values()));
        ModelFolders.safetensors(delta, new ArrayList<>(deltaTensors.values()));
    }

    private void assertNothingWritten() {
        assertThat(out).doesNotExist();
        assertThat(siblings()).containsExactlyInAnyOrder("ferret-7b-delta", "vicuna-7b-v1.3");
    }

    private List<String> siblings() {
        try (Stream<Path> listing = Files.list(dir)) {
            return listing.map(p -> p.getFileName().toString()).collect(Collectors.toList());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void put(Map<String, Tensor> map, Tensor... tensors) {
        for (Tensor t : tensors) {
            map.put(t.name(), t);
        }
    }

    /** Delta and base halves of the crafted table. */
    private static short[][] crafted() {
        short[][] out = new short[2][CRAFTED.length];
        for (int i = 0; i < CRAFTED.length; i++) {
            out[0][i] = (short) CRAFTED[i][0];
            out[1][i] = (short) CRAFTED[i][1];
        }
        return out;
    }

    /** The reference formula, element by element: h(delta + base) with the sum taken in fp32. */
    private static short[] sum(short[] delta, short[] base) {
        short[] out = new short[delta.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float16.fromFloat(Float16.toFloat(delta[i]) + Float16.toFloat(base[i]));
        }
        return out;
    }

    /** Arrays.mismatch instead of AssertJ's element-wise containsExactly, which is slow on 128k elements. */
    private static void assertSameBits(String what, short[] actual, short[] expected) {
        int at = Arrays.mismatch(actual, expected);
        assertThat(at).as("%s: first differing element %d (actual %04x, expected %04x)", what, at,
                at < 0 || at >= actual.length ? 0 : actual[at], at < 0 || at >= expected.length ? 0 : expected[at])
                .isEqualTo(-1);
    }

    private static short[] halves(RawTensor t) {
        short[] out = new short[Math.toIntExact(t.numel())];
        t.bytes().asShortBuffer().get(out);
        return out;
    }

    private static int[] toInts(short[] halves) {
        int[] out = new int[halves.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = halves[i] & 0xffff;
        }
        return out;
    }
}
