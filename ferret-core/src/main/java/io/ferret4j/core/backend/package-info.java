/**
 * Which ND4J backend the build put on the class path ({@link io.ferret4j.core.backend.Nd4jBackend}) and whether the
 * GPUs can run the CUDA backend ({@link io.ferret4j.core.backend.CudaCapability}), both found out without loading
 * the backend's natives.
 */
package io.ferret4j.core.backend;
