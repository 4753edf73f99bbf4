package io.ferret4j.encoder;

import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import io.ferret4j.core.plan.Engine;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Splits the first dimension of an array into one contiguous block per core and applies an in-place,
 * row-independent op (softmax over the last dimension, an activation) to the blocks in parallel. ND4J runs
 * element-wise ops on one thread under {@code OMP_NUM_THREADS=1}; this uses the common fork-join pool instead.
 * The result is bit-identical to one call on the whole array, as no row depends on another. The ND4J engine makes
 * that one call, leaving the parallelism to its backend.
 */
final class RowBlocks {

    private RowBlocks() {
    }

    static void inPlace(INDArray x, Engine engine, Consumer<INDArray> op) {
        if (engine == Engine.ND4J) {
            op.accept(x);
            return;
        }
        long rows = x.size(0);
        int blocks = (int) Math.min(rows, ForkJoinPool.getCommonPoolParallelism() + 1L);
        INDArray[] views = new INDArray[blocks];                      // views made here, on the owning thread
        for (int i = 0; i < blocks; i++) {
            views[i] = x.get(NDArrayIndex.interval(rows * i / blocks, rows * (i + 1) / blocks));
        }
        IntStream.range(0, blocks).parallel().forEach(i -> op.accept(views[i]));
    }
}
