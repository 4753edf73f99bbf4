/**
 * Text generation over a {@link io.ferret4j.llm.LlamaDecoder} in token ids: one batched prefill of the prompt
 * (ids or ready-made embedding rows), then one token per step through the key/value cache, with greedy or
 * seeded sampling and stopping on EOS, stop id sequences, cancellation or {@code max_new_tokens}. Turning ids into
 * text is the tokenizer's job, outside this package.
 */
package io.ferret4j.llm.generate;
