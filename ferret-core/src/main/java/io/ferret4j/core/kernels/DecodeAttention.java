package io.ferret4j.core.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link CausalAttention} of one new row (decoding), in Java over each key/value head's cached rows, heads split
 * over the kernel pool: ND4J's batched matmul of one query row against the strided cache views (and one gemm per
 * head, tried instead) took longer than the layer's four projections (docs/performance.md), while the work is
 * reading 24 MB of cache (7B, 730 positions). Same steps as {@link PromptAttention}: {@code q·k} summed
 * in fp32, divided by {@code sqrt(head_dim)}, fp32 softmax, probabilities times values.
 */
final class DecodeAttention {
    /** Per thread: one head's cached keys and values and its probabilities, reused by every decoding step. */
    private static final ThreadLocal<float[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0]});

    private DecodeAttention() {
    }

    /** The query row {@code [1, heads·d]} against positions {@code [0, total)}: {@code [1, heads·d]}. */
    static INDArray attend(CausalAttention shape, INDArray query, CachedKeyValues cache, int total) {
        int headDim = shape.headDim();
        float[] q = query.data().asFloat();
        float[] out = new float[shape.numHeads() * headDim];
        int groups = shape.groups();
        float scale = (float) Math.sqrt(headDim);
        RowKernels k = RowKernels.best();
        KernelPool.shared().forEachRange(shape.numKeyValueHeads(), 1, (kv0, kv1) -> {
            float[][] scratch = SCRATCH.get();
            if (scratch[0].length < total * headDim || scratch[2].length < total) {   // grown to the largest seen
                scratch[0] = new float[Math.max(scratch[0].length, total * headDim)];
                scratch[1] = new float[scratch[0].length];
                scratch[2] = new float[Math.max(scratch[2].length, total)];
            }
            float[] keys = scratch[0];
            float[] values = scratch[1];
            float[] p = scratch[2];
            for (int kv = kv0; kv < kv1; kv++) {
                cache.copyKeys(kv, total, keys);
                cache.copyValues(kv, total, values);
                for (int h = kv * groups; h < (kv + 1) * groups; h++) {
                    float max = Float.NEGATIVE_INFINITY;
                    for (int s = 0; s < total; s++) {
                        p[s] = k.dot(q, h * headDim, keys, s * headDim, headDim) / scale;
                        max = Math.max(max, p[s]);
                    }
                    float sum = 0;
                    for (int s = 0; s < total; s++) {
                        p[s] = (float) Math.exp(p[s] - max);
                        sum += p[s];
                    }
                    for (int s = 0; s < total; s++) {
                        k.axpy(p[s] / sum, values, s * headDim, out, h * headDim, headDim);
                    }
                }
            }
        });
        return Nd4j.create(out, new long[] {1, (long) shape.numHeads() * headDim}, 'c');
    }
}
