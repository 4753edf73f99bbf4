package io.ferret4j.core.plan;

import java.util.Locale;

/**
 * How each part of Ferret holds its weights and computes its products, decided once from the options: every loader
 * takes its part from here, and combinations that cannot work are refused here, naming them.
 *
 * @param engine              what runs every part (see {@link Engine}); each part names it too
 * @param visionTower         the CLIP tower's projection and MLP weights
 * @param samplerAndProjector the region sampler's and the {@code mm_projector}'s weights: small, and always F32
 *                            with fp32 products (the sampler folds its weights together in fp32 at load and runs
 *                            its point sampling in Java, whatever the engine)
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
        if (!samplerAndProjector.equals(Part.exact(engine))) {
            throw new IllegalArgumentException("the region sampler and projector hold " + Part.exact(engine)
                    + ", got " + samplerAndProjector);
        }
        if (visionTower.engine() != engine || llm.engine() != engine) {
            throw new IllegalArgumentException("every part runs on the plan's engine " + engine + ", got the vision "
                    + "tower on " + visionTower.engine() + " and the language model on " + llm.engine());
        }
    }

    /**
     * The plan for the given choices.
     *
     * @param llmWeights    how the language model holds its weights: F32 (widened), F16 (the checkpoint must store
     *                      fp16, mapped), Q8_0 or Q4_0 (quantised at load unless stored so)
     * @param llmProducts   arithmetic of the language model's products (see {@link Part#llm})
     * @param visionWeights how the CLIP tower holds its weights: F32 or F16 (rounded at load unless stored so)
     * @param visionProducts arithmetic of the CLIP tower's products (see {@link Part#visionTower})
     * @throws IllegalArgumentException naming the combination that cannot work: a Q8_0 or Q4_0 vision tower, or,
     *         on the ND4J engine, Q8_0 or Q4_0 weights or bf16 products
     */
    public static ExecutionPlan of(Engine engine, WeightFormat llmWeights, Precision llmProducts,
                                   WeightFormat visionWeights, Precision visionProducts, KvCacheFormat kvCache) {
        return new ExecutionPlan(engine, Part.visionTower(engine, visionWeights, visionProducts), Part.exact(engine),
                Part.llm(engine, llmWeights, llmProducts), kvCache);
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
     * F16, Q8_0 and Q4_0 weights are multiplied by the Java row kernels in fp32 for a few rows (decoding), and from 32
     * rows on (prefill) through reused tiles widened to fp32 for ND4J's sgemm, or, with {@link Precision#BF16} where
     * the CPU has bf16, rounded to bf16 for oneDNN.
     *
     * <p>On the {@link Engine#ND4J} engine, F32 weights are FLOAT arrays and F16 weights HALF arrays (on the backend's
     * device), every product is an fp32 ND4J sgemm (a HALF weight is cast to FLOAT for it), and Q8_0, Q4_0 and bf16
     * are refused.
     *
     * @param heldAs     how the weights are held in memory
     * @param conversion what loading does with a weight stored in another type
     * @param products   arithmetic of the products: all of them for F32 weights, the batched ones for F16, Q8_0
     *                   and Q4_0
     * @param engine     what computes the part's products, norms, attention and activations
     */
    public record Part(WeightFormat heldAs, Conversion conversion, Precision products, Engine engine) {
        /** F32 weights, fp32 products on the Java engine: exact. */
        public static final Part EXACT = exact(Engine.JAVA);

        /** Validates. */
        public Part {
            if (heldAs == null || conversion == null || products == null || engine == null) {
                throw new IllegalArgumentException("heldAs, conversion, products and engine must not be null");
            }
            if (heldAs == WeightFormat.F32 && conversion == Conversion.NONE) {
                throw new IllegalArgumentException("f32 weights are always a widened copy; conversion must be "
                        + Conversion.AT_LOAD);
            }
            if (engine == Engine.ND4J && heldAs.isBlockQuantized()) {
                throw new IllegalArgumentException("the nd4j engine holds weights as f32 or f16, got " + heldAs);
            }
            if (engine == Engine.ND4J && products != Precision.FP32) {
                throw new IllegalArgumentException("the nd4j engine multiplies in fp32, got "
                        + products.name().toLowerCase(Locale.ROOT) + " products (bf16 needs the java engine)");
            }
        }

        /** A part on the Java engine. */
        public Part(WeightFormat heldAs, Conversion conversion, Precision products) {
            this(heldAs, conversion, products, Engine.JAVA);
        }

        /** F32 weights, fp32 products, on {@code engine}. */
        public static Part exact(Engine engine) {
            return new Part(WeightFormat.F32, Conversion.AT_LOAD, Precision.FP32, engine);
        }

        /**
         * The language model's part: F32 widened; F16 as stored only (the released checkpoints are fp16; an fp32
         * one would be refused rather than rounded); Q8_0 and Q4_0 quantised at load unless stored so.
         */
        public static Part llm(WeightFormat format, Precision products) {
            return llm(Engine.JAVA, format, products);
        }

        /** {@link #llm(WeightFormat, Precision)} on {@code engine}. */
        public static Part llm(Engine engine, WeightFormat format, Precision products) {
            return new Part(format, format == WeightFormat.F16 ? Conversion.NONE : Conversion.AT_LOAD, products,
                    engine);
        }

        /**
         * The CLIP tower's part: F32, or F16 rounded at load (the openai checkpoint is fp32; the reference casts it
         * with {@code .half()}). With {@link Precision#BF16} the tower's weights are packed into bf16 whatever the
         * format, so they are read as F32 for packing.
         *
         * @throws IllegalArgumentException for Q8_0 and Q4_0, which the tower does not hold
         */
        public static Part visionTower(WeightFormat format, Precision products) {
            return visionTower(Engine.JAVA, format, products);
        }

        /** {@link #visionTower(WeightFormat, Precision)} on {@code engine}. */
        public static Part visionTower(Engine engine, WeightFormat format, Precision products) {
            if (format.isBlockQuantized()) {
                throw new IllegalArgumentException("the vision tower holds its weights as f32 or f16, got " + format);
            }
            return new Part(products == Precision.BF16 ? WeightFormat.F32 : format, Conversion.AT_LOAD, products,
                    engine);
        }

        /** E.g. {@code "q8_0 weights (converted at load), bf16 products"}. */
        @Override
        public String toString() {
            return heldAs + " weights" + (conversion == Conversion.NONE ? " (as stored)" : "") + ", "
                    + products.name().toLowerCase(Locale.ROOT) + " products";
        }
    }
}
