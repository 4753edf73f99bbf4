/**
 * Checkpoint readers. {@link io.ferret4j.core.weights.Checkpoints#open} turns a {@code .safetensors} file, a
 * PyTorch {@code .bin} ZIP checkpoint, a sharded {@code *.index.json} or a Hugging Face folder into one
 * {@link io.ferret4j.core.weights.TensorSource} whose tensors stay memory-mapped off the Java heap.
 * {@link io.ferret4j.core.weights.Weights} is the loader-facing view that checks every shape and, like
 * {@code load_state_dict(strict=True)}, rejects tensors no module used. Untrusted files are validated when they
 * are opened, and a {@code .bin} pickle can name nothing beyond the few torch globals a state dict needs.
 */
package io.ferret4j.core.weights;
