package io.ferret4j.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferret4j.core.config.ConfigJson;
import io.ferret4j.core.plan.WeightFormat;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.Float16;
import io.ferret4j.core.weights.SafeTensorsWriter;

/**
 * Writes a complete Ferret model folder with random weights, laid out exactly like a released one (config,
 * tokenizer files, {@code model.safetensors}, and a {@code vision_tower/} CLIP folder). Used by the demo (tiny
 * shapes) and by the benchmark (the real 7B/13B shapes); the bytes are produced tensor by tensor, so writing a
 * 13 GB checkpoint never holds more than one tensor in memory.
 */
public final class RandomCheckpoint {

    /**
     * The sizes that define a Ferret model.
     *
     * @param hidden LLM hidden size; {@code intermediate}, {@code layers}, {@code heads} likewise
     * @param visionHidden CLIP width (also the sampler's input); {@code visionIntermediate}, {@code visionLayers},
     *                     {@code visionHeads} likewise; the image is 336 px in 14 px patches
     */
    public record Shapes(int hidden, int intermediate, int layers, int heads, int visionHidden,
                         int visionIntermediate, int visionLayers, int visionHeads) {
        /** A model small enough to run in a second, for the demo and tests. */
        public static final Shapes TINY = new Shapes(32, 86, 2, 4, 64, 128, 3, 4);
        /** Ferret-7B: Vicuna-7B on CLIP ViT-L/14@336. */
        public static final Shapes FERRET_7B = new Shapes(4096, 11008, 32, 32, 1024, 4096, 24, 16);
        /** Ferret-13B: Vicuna-13B on CLIP ViT-L/14@336. */
        public static final Shapes FERRET_13B = new Shapes(5120, 13824, 40, 40, 1024, 4096, 24, 16);

        /** Parameters of the LLM's matrices that every token streams: attention, MLP and {@code lm_head}. */
        public long llmMatrixParams() {
            long perLayer = 4L * hidden * hidden + 3L * hidden * intermediate;
            return layers * perLayer + (long) VOCAB * hidden;
        }

        /** Bytes of those matrices in {@code format} (Q8_0: 34 bytes per 32 weights, Q4_0: 18). */
        public double llmMatrixBytes(WeightFormat format) {
            return llmMatrixParams() * switch (format) {
                case F32 -> 4.0;
                case F16 -> 2.0;
                case Q8_0 -> 34.0 / 32;
                case Q4_0 -> 18.0 / 32;
            };
        }

        /**
         * FLOPs of a prefill over {@code rows}: every layer's projections, causal attention (half of the
         * {@code rows²} scores and weighted sums) and {@code lm_head} for the last row.
         */
        public double prefillFlops(int rows) {
            double perLayer = 2.0 * rows * (4.0 * hidden * hidden + 3.0 * hidden * intermediate)
                    + 2.0 * rows * (double) rows * hidden;
            return layers * perLayer + 2.0 * hidden * VOCAB;
        }

        /** FLOPs of one CLIP encode to Ferret's layer (all but the last layer, 577 tokens, bidirectional attention). */
        public double encodeFlops() {
            int tokens = (IMAGE / PATCH) * (IMAGE / PATCH) + 1;
            double perLayer = 2.0 * tokens * (4.0 * visionHidden * visionHidden + 2.0 * visionHidden * visionIntermediate)
                    + 4.0 * tokens * (double) tokens * visionHidden;
            double patches = 2.0 * (tokens - 1) * 3 * PATCH * PATCH * visionHidden;
            return (visionLayers - 1) * perLayer + patches;
        }

        /** The same model with {@code n} LLM layers (for quicker benchmark runs). */
        public Shapes withLayers(int n) {
            return new Shapes(hidden, intermediate, n, heads, visionHidden, visionIntermediate, visionLayers, visionHeads);
        }
    }

    /** The seed of the demo checkpoint's weights, so every {@code ferret demo} and {@code ferret serve --demo} answers alike. */
    static final long DEMO_SEED = 42;
    static final int VOCAB = 32001;
    static final int IMAGE = 336;
    static final int PATCH = 14;

    private RandomCheckpoint() {
    }

    /**
     * Writes the folder.
     *
     * @param llmDtype F16 (as released) or F32 for the LLM, projector and sampler weights; the tower is F32
     */
    public static void write(Path dir, Shapes s, DType llmDtype, long seed) {
        try {
            Files.createDirectories(dir.resolve("vision_tower"));
            writeFerretConfig(dir.resolve("config.json"), s);
            BundledFiles.copyTokenizer(dir);
            writeVisionConfig(dir.resolve("vision_tower"), s);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write random checkpoint to " + dir, e);
        }
        SafeTensorsWriter llm = new SafeTensorsWriter().metadata("format", "pt");
        addLlm(llm, s, llmDtype, seed);
        llm.write(dir.resolve("model.safetensors"));
        SafeTensorsWriter tower = new SafeTensorsWriter().metadata("format", "pt");
        addVisionTower(tower, s, seed + 1);
        tower.write(dir.resolve("vision_tower/model.safetensors"));
    }

    /** Writes the tiny random-weight checkpoint of {@code ferret demo} and {@code ferret serve --demo}. */
    public static void writeDemo(Path dir) {
        write(dir, Shapes.TINY, DType.F16, DEMO_SEED);
    }

    private static void addLlm(SafeTensorsWriter w, Shapes s, DType dt, long seed) {
        Tensors t = new Tensors(w, dt, seed);
        int h = s.hidden();
        int d = s.visionHidden();
        t.linear("model.embed_tokens.weight", VOCAB, h, 1.0f);
        for (int i = 0; i < s.layers(); i++) {
            String p = "model.layers." + i + ".";
            for (String proj : List.of("q_proj", "k_proj", "v_proj", "o_proj")) {
                t.linear(p + "self_attn." + proj + ".weight", h, h, 1);
            }
            t.linear(p + "mlp.gate_proj.weight", s.intermediate(), h, 1);
            t.linear(p + "mlp.up_proj.weight", s.intermediate(), h, 1);
            t.linear(p + "mlp.down_proj.weight", h, s.intermediate(), 1);
            t.norm(p + "input_layernorm.weight", h);
            t.norm(p + "post_attention_layernorm.weight", h);
        }
        t.norm("model.norm.weight", h);
        t.linear("lm_head.weight", VOCAB, h, 1);
        t.linear("model.mm_projector.weight", h, d, 1);
        t.bias("model.mm_projector.bias", h);
        String g = "model.region_geo_sampler.";
        for (int stage = 0; stage < 2; stage++) {
            t.linear(g + "diff_projector_list." + stage + ".weight", d + 2, d + 2, 1);
            t.bias(g + "diff_projector_list." + stage + ".bias", d + 2);
            t.tensor(g + "agg_projector_list." + stage + ".net.0.weight", new long[] {d, 2L * (d + 2), 1},
                    (float) Math.sqrt(3.0 / (2 * (d + 2))), 0);
            t.bias(g + "agg_projector_list." + stage + ".net.0.bias", d);
            t.norm(g + "agg_projector_list." + stage + ".norm.weight", d);
            t.bias(g + "agg_projector_list." + stage + ".norm.bias", d);
        }
        t.linear(g + "flatten_projector.weight", d, 32L * d, 1);
        t.bias(g + "flatten_projector.bias", d);
        t.linear(g + "dim_projector.weight", h, d, 1);
        t.bias(g + "dim_projector.bias", h);
    }

    private static void addVisionTower(SafeTensorsWriter w, Shapes s, long seed) {
        Tensors t = new Tensors(w, DType.F32, seed);
        int d = s.visionHidden();
        int positions = (IMAGE / PATCH) * (IMAGE / PATCH) + 1;
        String v = "vision_model.";
        t.tensor(v + "embeddings.patch_embedding.weight", new long[] {d, 3, PATCH, PATCH},
                (float) Math.sqrt(3.0 / (3 * PATCH * PATCH)), 0);
        t.bias(v + "embeddings.class_embedding", d);
        t.tensor(v + "embeddings.position_embedding.weight", new long[] {positions, d}, 0.1f, 0);
        t.norm(v + "pre_layrnorm.weight", d);
        t.bias(v + "pre_layrnorm.bias", d);
        for (int i = 0; i < s.visionLayers(); i++) {
            String p = v + "encoder.layers." + i + ".";
            for (String proj : List.of("q_proj", "k_proj", "v_proj", "out_proj")) {
                t.linear(p + "self_attn." + proj + ".weight", d, d, 1);
                t.bias(p + "self_attn." + proj + ".bias", d);
            }
            t.norm(p + "layer_norm1.weight", d);
            t.bias(p + "layer_norm1.bias", d);
            t.linear(p + "mlp.fc1.weight", s.visionIntermediate(), d, 1);
            t.bias(p + "mlp.fc1.bias", s.visionIntermediate());
            t.linear(p + "mlp.fc2.weight", d, s.visionIntermediate(), 1);
            t.bias(p + "mlp.fc2.bias", d);
            t.norm(p + "layer_norm2.weight", d);
            t.bias(p + "layer_norm2.bias", d);
        }
        t.norm(v + "post_layernorm.weight", d);
        t.bias(v + "post_layernorm.bias", d);
    }

    /** Adds random tensors; each gets its own seed so the bytes are produced lazily and reproducibly. */
    private static final class Tensors {
        private final SafeTensorsWriter w;
        private final DType dtype;
        private final SplittableRandom seeds;

        Tensors(SafeTensorsWriter w, DType dtype, long seed) {
            this.w = w;
            this.dtype = dtype;
            this.seeds = new SplittableRandom(seed);
        }

        /** Uniform weights with the variance of 1/in (times {@code gain}), so activations stay O(1). */
        void linear(String name, long out, long in, float gain) {
            tensor(name, new long[] {out, in}, gain * (float) Math.sqrt(3.0 / in), 0);
        }

        void norm(String name, long n) {
            tensor(name, new long[] {n}, 0.1f, 1);
        }

        void bias(String name, long n) {
            tensor(name, new long[] {n}, 0.05f, 0);
        }

        void tensor(String name, long[] shape, float halfWidth, float center) {
            long seed = seeds.nextLong();
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            int count = Math.toIntExact(n);
            w.add(name, dtype, shape, () -> fill(count, seed, halfWidth, center));
        }

        private ByteBuffer fill(int n, long seed, float halfWidth, float center) {
            SplittableRandom r = new SplittableRandom(seed);
            ByteBuffer b = ByteBuffer.allocateDirect(n * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                float v = center + halfWidth * (float) (2 * r.nextDouble() - 1);
                if (dtype == DType.F16) {
                    b.putShort(Float16.fromFloat(v));
                } else {
                    b.putFloat(v);
                }
            }
            return b.flip();
        }
    }

    private static void writeFerretConfig(Path file, Shapes s) throws IOException {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", List.of("FERRETLlamaForCausalLM"));
        c.put("model_type", "ferret");
        c.put("bos_token_id", 1);
        c.put("eos_token_id", 2);
        c.put("pad_token_id", 0);
        c.put("hidden_act", "silu");
        c.put("hidden_size", s.hidden());
        c.put("intermediate_size", s.intermediate());
        c.put("num_hidden_layers", s.layers());
        c.put("num_attention_heads", s.heads());
        c.put("num_key_value_heads", s.heads());
        c.put("max_position_embeddings", 2048);
        c.put("rms_norm_eps", 1e-6);
        c.put("rope_scaling", null);
        c.put("pretraining_tp", 1);
        c.put("tie_word_embeddings", false);
        c.put("vocab_size", VOCAB);
        c.put("im_region_fea_token", 32000);
        c.put("image_aspect_ratio", "square_nocrop");
        c.put("mm_hidden_size", s.visionHidden());
        c.put("mm_use_im_patch_token", false);
        c.put("mm_use_im_start_end", false);
        c.put("mm_vision_select_feature", "patch");
        c.put("mm_vision_select_layer", -2);
        c.put("mm_vision_tower", "openai/clip-vit-large-patch14-336");
        c.put("region_geo_sampler", true);
        c.put("sampler_pooler_mode", "max");
        c.put("tune_mm_mlp_adapter", false);
        c.put("use_mm_proj", true);
        c.put("torch_dtype", "float16");
        writeJson(file, c);
    }

    private static void writeVisionConfig(Path dir, Shapes s) throws IOException {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", List.of("CLIPVisionModel"));
        c.put("model_type", "clip_vision_model");
        c.put("hidden_act", "quick_gelu");
        c.put("hidden_size", s.visionHidden());
        c.put("intermediate_size", s.visionIntermediate());
        c.put("num_attention_heads", s.visionHeads());
        c.put("num_hidden_layers", s.visionLayers());
        c.put("image_size", IMAGE);
        c.put("patch_size", PATCH);
        c.put("num_channels", 3);
        c.put("layer_norm_eps", 1e-5);
        writeJson(dir.resolve("config.json"), c);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("crop_size", IMAGE);
        p.put("do_center_crop", true);
        p.put("do_normalize", true);
        p.put("do_resize", true);
        p.put("image_mean", List.of(0.48145466, 0.4578275, 0.40821073));
        p.put("image_std", List.of(0.26862954, 0.26130258, 0.27577711));
        p.put("resample", 3);
        p.put("size", IMAGE);
        writeJson(dir.resolve("preprocessor_config.json"), p);
    }

    private static void writeJson(Path file, Map<String, Object> content) throws IOException {
        ObjectNode node = ConfigJson.mapper().valueToTree(content);
        Files.writeString(file, ConfigJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(node));
    }
}
