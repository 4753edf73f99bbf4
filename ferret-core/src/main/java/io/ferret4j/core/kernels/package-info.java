/**
 * Products with weights kept compact: F16 straight from a memory-mapped checkpoint and llama.cpp's Q8_0 and Q4_0 (int8
 * or 4-bit quants plus one fp16 scale per block of 32). Matrix-vector products for decoding run in Java over the
 * compact bytes, with the Vector API when the JVM was started with {@code --add-modules jdk.incubator.vector} and plain
 * Java otherwise; batched products widen weight tiles to fp32 and hand them to ND4J's sgemm, or, when bf16 is
 * asked for, round them to bf16 for oneDNN. Output rows are split across a shared
 * {@link io.ferret4j.core.kernels.KernelPool}. {@link io.ferret4j.core.kernels.CausalAttention} holds the
 * decoder's attention over its key/value cache, and {@link io.ferret4j.core.kernels.LayerWorkspace} the per-thread
 * ND4J workspace a layer's temporaries live in.
 */
package io.ferret4j.core.kernels;
