/**
 * The ND4J engine's operations ({@link io.ferret4j.core.plan.Engine#ND4J}): scaled dot-product attention
 * ({@link io.ferret4j.core.nd4j.Nd4jAttention}) and rotary positions ({@link io.ferret4j.core.nd4j.Nd4jRotary}) as
 * ND4J ops on ND4J arrays, so they run unchanged on any ND4J backend (CPU, or the GPU through ND4J's CUDA backend).
 * The model classes reach them through the same seams as the Java kernels (the attention of
 * {@link io.ferret4j.core.kernels.CausalAttention} and CLIP, the rotary embedding); weight products go through
 * {@link io.ferret4j.core.nn.Linear} over FLOAT or HALF arrays ({@link io.ferret4j.core.nn.WeightMatrix}), and norms
 * and activations are ND4J ops already.
 */
package io.ferret4j.core.nd4j;
