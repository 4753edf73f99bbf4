package io.ferret4j.examples;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** ND4J's fp32 sgemm rate on this machine (the memory bandwidth is {@link io.ferret4j.core.kernels.MemoryBandwidth}). */
final class MachineLimits {
    private MachineLimits() {
    }

    /** ND4J FLOAT gemm rate in GFLOP/s on a CLIP-L-shaped product (577×1024 · (4096×1024)ᵀ), best of 8. */
    static double sgemmGflops() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 577, 1024);
        INDArray w = Nd4j.rand(DataType.FLOAT, 4096, 1024);
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, 577, 4096);
        double flops = 2.0 * 577 * 1024 * 4096;
        double best = 0;
        for (int i = 0; i < 10; i++) {
            long t0 = System.nanoTime();
            Nd4j.gemm(x, w, out, false, true, 1.0, 0.0);
            double s = (System.nanoTime() - t0) / 1e9;
            if (i >= 2) {
                best = Math.max(best, flops / s / 1e9);
            }
        }
        return best;
    }
}
