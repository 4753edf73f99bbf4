/**
 * The LLaMA/Vicuna tokenizer of Ferret in pure Java: a SentencePiece BPE model read from {@code tokenizer.model}
 * without a protobuf dependency, the Hugging Face slow-tokenizer rules of transformers 4.31 on top of it (added
 * and special tokens, legacy per-chunk dummy prefix, BOS), Ferret's {@code <image>} splicing, and decoding, also
 * incrementally. {@link io.ferret4j.llm.tokenizer.LlamaTokenizer} is the entry point; ids match the reference
 * exactly on the golden strings.
 */
package io.ferret4j.llm.tokenizer;
