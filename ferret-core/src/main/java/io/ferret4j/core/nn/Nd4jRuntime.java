package io.ferret4j.core.nn;

import io.ferret4j.core.backend.CudaCapability;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process-wide ND4J settings that ferret4j relies on. Small element-wise ops run single-threaded (start the
 * JVM with {@code OMP_NUM_THREADS=1}: OpenMP spin-waiting makes them collapse under CPU contention) while BLAS
 * gemm uses every core.
 */
public final class Nd4jRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(Nd4jRuntime.class);
    private static volatile boolean configured;

    private Nd4jRuntime() {
    }

    /**
     * Sets BLAS to {@code availableProcessors()} threads, once per process; on the CUDA backend, first refuses a GPU
     * it cannot run on ({@link CudaCapability#checkVisibleGpus()}), so call this before anything else touches ND4J.
     */
    public static void configure() {
        if (configured) {
            return;
        }
        CudaCapability.checkVisibleGpus();
        synchronized (Nd4jRuntime.class) {
            if (!configured) {
                int cores = Runtime.getRuntime().availableProcessors();
                Nd4j.factory().blas().setMaxThreads(cores);
                if (!"1".equals(System.getenv("OMP_NUM_THREADS"))) {
                    LOG.info("OMP_NUM_THREADS is not 1; small ND4J ops may slow down under CPU contention");
                }
                configured = true;
            }
        }
    }
}
