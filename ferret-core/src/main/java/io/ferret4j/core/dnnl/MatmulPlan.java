package io.ferret4j.core.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import io.ferret4j.core.dnnl.Dnnl.Bound;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The two primitives of one row count {@code n}: a reorder that rounds the fp32 input to bf16, then the matmul
 * {@code [n, in]·[in, out] + bias -> [n, out]} in fp32. Primitives hold no per-call state (scratchpads are
 * allocated per call), so one plan serves any number of threads at once.
 */
final class MatmulPlan {
    private final dnnl_engine engine;
    private final RoundToBf16 toBf16;                                  // [n, in] f32 -> bf16
    private final dnnl_memory_desc_t dst;                              // [n, out] f32, row-major
    private final dnnl_memory_desc_t weights;                          // [in, out] bf16, blocked
    private final dnnl_memory_desc_t bias;                             // [1, out] f32 or null
    private final Primitive matmul;

    MatmulPlan(dnnl_engine engine, long n, dnnl_memory_desc_t weights, dnnl_memory_desc_t bias) {
        long in = weights.dims().get(0);
        long out = weights.dims().get(1);
        this.engine = engine;
        this.toBf16 = new RoundToBf16(engine, n, in);
        this.dst = Dnnl.desc(dnnl_f32, dnnl_ab, n, out);
        this.weights = weights;
        this.bias = bias;
        this.matmul = Primitive.matmul(engine, toBf16.desc(), weights, bias, dst);
    }

    /**
     * {@code y = bf16(x)·weights + bias}, written into and returned as {@code y}; {@code x} [n, in] and {@code y}
     * [n, out] are dense row-major FLOAT.
     */
    INDArray run(INDArray x, INDArray packedWeights, INDArray biasRow, INDArray y) {
        matmul.execute(engine,
                new Bound(DNNL_ARG_SRC, toBf16.desc(), toBf16.apply(x)),
                new Bound(DNNL_ARG_WEIGHTS, weights, packedWeights),
                Bound.optional(DNNL_ARG_BIAS, bias, biasRow),
                new Bound(DNNL_ARG_DST, dst, y));
        return y;
    }

    /** Which oneDNN implementation runs the matmul, e.g. {@code brg:avx512_core_amx}. */
    String implementation() {
        return matmul.implementation();
    }

    /** Destroys the primitives; the plan must not run afterwards. */
    void destroy() {
        toBf16.destroy();
        matmul.destroy();
    }
}
