/**
 * Opt-in bf16 matrix products through oneDNN ({@code org.bytedeco:dnnl} 2.5, built on the same JavaCPP 1.5.7 as
 * ND4J). {@link io.ferret4j.core.dnnl.DnnlBf16Matmul} keeps a {@code Linear}'s weight once in oneDNN's blocked
 * bf16 layout and multiplies fp32 activations, read and written in place in ND4J's off-heap buffers;
 * {@link io.ferret4j.core.dnnl.Bf16TileProduct} multiplies by a compact weight that the kernels hand over as bf16
 * tiles, one batched product at a time. {@link io.ferret4j.core.dnnl.DnnlSupport} says whether this CPU and
 * process can run them; everywhere else the fp32 paths stay in use.
 */
package io.ferret4j.core.dnnl;
