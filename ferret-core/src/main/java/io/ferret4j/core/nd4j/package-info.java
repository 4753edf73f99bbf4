/**
 * The ND4J engine ({@link io.ferret4j.core.plan.Engine#ND4J}): every product, rotary step, attention and activation
 * as ND4J ops on ND4J arrays, with weights held as FLOAT or HALF arrays, so the model runs unchanged on any ND4J
 * backend (CPU, or the GPU through ND4J's CUDA backend). The model classes reach these operations through the same
 * seams as the Java kernels: {@link io.ferret4j.core.nn.Linear} for weight products ({@link
 * io.ferret4j.core.nd4j.Nd4jLinears}), {@link io.ferret4j.core.nd4j.Nd4jAttention} for scaled dot-product attention
 * and {@link io.ferret4j.core.nd4j.Nd4jRotary} for rotary positions; norms and activations are ND4J ops
 * already.
 */
package io.ferret4j.core.nd4j;
