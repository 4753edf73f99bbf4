package io.ferret4j.examples;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** What this machine can do at best: memory read bandwidth and ND4J's fp32 sgemm rate. */
final class MachineLimits {
    private static final long BUFFER_BYTES = 1L << 30;
    private static final int SCRATCH = 16 * 1024;

    private MachineLimits() {
    }

    /**
     * Read bandwidth in GB/s: {@code threads} threads each copy their share of a 1 GiB buffer into a 16 KiB
     * scratch that stays in L1, so only the reads reach memory. Best of several passes.
     */
    static double memoryBandwidthGbs(int threads) {
        ByteBuffer big = ByteBuffer.allocateDirect((int) BUFFER_BYTES);
        for (int i = 0; i < BUFFER_BYTES; i += 4096) {
            big.put(i, (byte) i);                                         // touch every page before timing
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            double best = 0;
            for (int pass = 0; pass < 6; pass++) {
                List<Callable<Long>> tasks = new ArrayList<>();
                long share = BUFFER_BYTES / threads;
                for (int t = 0; t < threads; t++) {
                    ByteBuffer part = big.duplicate().position((int) (t * share)).limit((int) ((t + 1) * share)).slice();
                    tasks.add(() -> readAll(part));
                }
                long t0 = System.nanoTime();
                long sink = 0;
                for (Future<Long> f : pool.invokeAll(tasks)) {
                    sink += f.get();
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                best = Math.max(best, BUFFER_BYTES / seconds / 1e9 + (sink == 42 ? 1e-12 : 0));
            }
            return best;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring bandwidth", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("bandwidth measurement failed: " + e.getCause(), e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long readAll(ByteBuffer part) {
        byte[] scratch = new byte[SCRATCH];
        long sum = 0;
        while (part.remaining() >= SCRATCH) {
            part.get(scratch);
            sum += scratch[0];
        }
        return sum;
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
