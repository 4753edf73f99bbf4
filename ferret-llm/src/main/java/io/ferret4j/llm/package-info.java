/**
 * The Vicuna/LLaMA decoder of Ferret, ported class for class from Hugging Face's {@code modeling_llama.py}
 * ({@code LlamaDecoder} is {@code LlamaForCausalLM}). The decoder is immutable and shareable between threads;
 * the state of one generation (its key/value cache and position) lives in a {@link io.ferret4j.llm.KvCache}.
 * Inputs are token ids or, for the multimodal path, ready-made embedding rows.
 */
package io.ferret4j.llm;
