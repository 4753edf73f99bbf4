package io.ferret4j.core.plan;

import java.util.Locale;

/**
 * How each part of Ferret holds its weights and computes its products, decided once from the options: every loader
 * takes its part from here, and combinations that cannot work are refused here, naming them.
 *
 * @param engine              what runs every part (see {@link Engine})
 * @param visionTower         the CLIP tower's projection and MLP weights
 * @param samplerAndProjector the region sampler's and the {@code mm_projector}'s weights: small, and always
 *                            {@link Part#EXACT} (the sampler folds its weights together in fp32 at load)
 * @param llm                 the language model's weight matrices and embedding table; its {@code products} are the
 *                            batched ones (the image and prompt prefill)
 * @param kvCache             how each answer's key/value cache holds keys and values
 */
public record ExecutionPlan(Engine engine, Part visionTower, Part samplerAndProjector, Part llm,
                            KvCacheFormat kvCache) {

    /** Validates. */
    public ExecutionPlan {
        if (engine == null || visionTower == null || samplerAndProjector == null || llm == null || kvCache == null) {
            throw new IllegalArgumentException("engine, parts and key/value cache format must not be null");
        }
        if (!samplerAndProjector.equals(Part.EXACT)) {
            throw new IllegalArgumentException("the region sampler and projector hold " + Part.EXACT + ", got "
                    + samplerAndProjector);
        }
        if (engine != Engine.JAVA) {
            throw new IllegalArgumentException("engine " + engine + " is not available in this build; the engines "
                    + "available are: " + Engine.JAVA);
        }
    }

    /**
     * The plan for the given choices.
     *
     * @param llmWeights    how the language model holds its weights: F32 (widened), F16 (the checkpoint must store
     *                      fp16, mapped) or Q8_0 (quantised at load unless stored so)
     * @param llmProducts   arithmetic of the language model's products (see {@link Part#llm})
     * @param visionWeights how the CLIP tower holds its weights: F32 or F16 (rounded at load unless stored so)
     * @param visionProducts arithmetic of the CLIP tower's products (see {@link Part#visionTower})
     * @throws IllegalArgumentException naming the combination that cannot work: the ND4J engine (not in this
     *         build) or a Q8_0 vision tower
     */
    public static ExecutionPlan of(Engine engine, WeightFormat llmWeights, Precision llmProducts,
                                   WeightFormat visionWeights, Precision visionProducts, KvCacheFormat kvCache) {
        return new ExecutionPlan(engine, Part.visionTower(visionWeights, visionProducts), Part.EXACT,
                Part.llm(llmWeights, llmProducts), kvCache);
    }

    /** Everything in fp32 on the Java engine: the reference numerics, 4 bytes per weight. */
    public static ExecutionPlan exact() {
        return new ExecutionPlan(Engine.JAVA, Part.EXACT, Part.EXACT, Part.EXACT, KvCacheFormat.F32);
    }

    /** One line for logs, e.g. {@code "engine java; vision tower f32 weights, fp32 products; ..."}. */
    @Override
    public String toString() {
        return "engine " + engine + "; vision tower " + visionTower + "; sampler and projector "
                + samplerAndProjector + "; language model " + llm + "; key/value cache " + kvCache;
    }

    /**
     * How one part holds and multiplies its weight matrices.
     *
     * <p>F32 weights are multiplied by ND4J's fp32 sgemm, or, with {@link Precision#BF16} where the CPU has bf16,
     * packed into bf16 at load (the fp32 copy dropped) and multiplied by oneDNN with fp32 accumulation, every product.
     * F16 and Q8_0 weights are multiplied by the Java row kernels in fp32 for a few rows (decoding), and from 32 rows
     * on (prefill) through reused tiles widened to fp32 for ND4J's sgemm, or, with {@link Precision#BF16} where the
     * CPU has bf16, rounded to bf16 for oneDNN.
     *
     * @param heldAs     how the weights are held in memory
     * @param conversion what loading does with a weight stored in another type
     * @param products   arithmetic of the products: all of them for F32 weights, the batched ones for F16 and Q8_0
     */
    public record Part(WeightFormat heldAs, Conversion conversion, Precision products) {
        /** F32 weights, fp32 products: exact. */
        public static final Part EXACT = new Part(WeightFormat.F32, Conversion.AT_LOAD, Precision.FP32);

        /** Validates. */
        public Part {
            if (heldAs == null || conversion == null || products == null) {
                throw new IllegalArgumentException("heldAs, conversion and products must not be null");
            }
            if (heldAs == WeightFormat.F32 && conversion == Conversion.NONE) {
                throw new IllegalArgumentException("f32 weights are always a widened copy; conversion must be "
                        + Conversion.AT_LOAD);
            }
        }

        /**
         * The language model's part: F32 widened; F16 as stored only (the released checkpoints are fp16; an fp32
         * one would be refused rather than rounded); Q8_0 quantised at load unless stored so.
         */
        public static Part llm(WeightFormat format, Precision products) {
            return new Part(format, format == WeightFormat.F16 ? Conversion.NONE : Conversion.AT_LOAD, products);
        }

        /**
         * The CLIP tower's part: F32, or F16 rounded at load (the openai checkpoint is fp32; the reference casts it
         * with {@code .half()}). With {@link Precision#BF16} the tower's weights are packed into bf16 whatever the
         * format, so they are read as F32 for packing.
         *
         * @throws IllegalArgumentException for Q8_0, which the tower does not hold
         */
        public static Part visionTower(WeightFormat format, Precision products) {
            if (format == WeightFormat.Q8_0) {
                throw new IllegalArgumentException("the vision tower holds its weights as f32 or f16, got " + format);
            }
            return new Part(products == Precision.BF16 ? WeightFormat.F32 : format, Conversion.AT_LOAD, products);
        }

        /** E.g. {@code "q8_0 weights (converted at load), bf16 products"}. */
        @Override
        public String toString() {
            return heldAs + " weights" + (conversion == Conversion.NONE ? " (as stored)" : "") + ", "
                    + products.name().toLowerCase(Locale.ROOT) + " products";
        }
    }
}
