/**
 * Offline conversions of model folders. {@link io.ferret4j.llm.convert.ApplyDelta} rebuilds the full Ferret
 * weights from Vicuna v1.3 and Apple's published delta, bit for bit as ml-ferret's {@code apply_delta} does, and
 * writes F16 safetensors. Output folders are written tensor by tensor ({@link
 * io.ferret4j.llm.convert.ShardedSafeTensorsWriter}) and appear atomically ({@link
 * io.ferret4j.llm.convert.AtomicModelFolder}), so an interrupted conversion never leaves a folder that loads.
 */
package io.ferret4j.llm.convert;
