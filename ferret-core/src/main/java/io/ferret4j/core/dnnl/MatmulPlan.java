package io.ferret4j.core.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import io.ferret4j.core.dnnl.Dnnl.Bound;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_matmul_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The two primitives of one row count {@code n}: a reorder that rounds the fp32 input to bf16, then the matmul
 * {@code [n, in]·[in, out] + bias -> [n, out]} in fp32. Primitives hold no per-call state (scratchpads are
 * allocated per call), so one plan serves any number of threads at once.
 */
final class MatmulPlan {
    private final dnnl_engine engine;
    private final dnnl_memory_desc_t srcF32;                           // [n, in] f32, row-major
    private final dnnl_memory_desc_t srcBf16;                          // [n, in] bf16, row-major
    private final dnnl_memory_desc_t dst;                              // [n, out] f32, row-major
    private final dnnl_memory_desc_t weights;                          // [in, out] bf16, blocked
    private final dnnl_memory_desc_t bias;                             // [1, out] f32 or null
    private final dnnl_primitive toBf16;
    private final dnnl_memory_desc_t toBf16Scratchpad;
    private final dnnl_primitive matmul;
    private final dnnl_memory_desc_t matmulScratchpad;
    private final String implementation;

    MatmulPlan(dnnl_engine engine, long n, dnnl_memory_desc_t weights, dnnl_memory_desc_t bias) {
        long in = weights.dims().get(0);
        long out = weights.dims().get(1);
        this.engine = engine;
        this.srcF32 = Dnnl.desc(dnnl_f32, dnnl_ab, n, in);
        this.srcBf16 = Dnnl.desc(dnnl_bf16, dnnl_ab, n, in);
        this.dst = Dnnl.desc(dnnl_f32, dnnl_ab, n, out);
        this.weights = weights;
        this.bias = bias;

        dnnl_primitive_attr attr = Dnnl.userScratchpad();
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        Dnnl.check(dnnl_reorder_primitive_desc_create(pd, srcF32, engine, srcBf16, engine, attr), "reorder f32->bf16");
        this.toBf16Scratchpad = Dnnl.query(pd, dnnl_query_scratchpad_md);
        this.toBf16 = Dnnl.primitive(pd, attr);

        attr = Dnnl.userScratchpad();
        pd = matmulDesc(engine, srcBf16, weights, bias, dst, attr);
        this.implementation = implementation(pd);
        this.matmulScratchpad = Dnnl.query(pd, dnnl_query_scratchpad_md);
        this.matmul = Dnnl.primitive(pd, attr);
    }

    /**
     * The primitive descriptor of {@code src·weights + bias -> dst}; with {@code dnnl_format_tag_any} weights it
     * tells which blocked layout the fastest implementation wants.
     */
    static dnnl_primitive_desc matmulDesc(dnnl_engine engine, dnnl_memory_desc_t src, dnnl_memory_desc_t weights,
                                          dnnl_memory_desc_t bias, dnnl_memory_desc_t dst, dnnl_primitive_attr attr) {
        dnnl_matmul_desc_t op = new dnnl_matmul_desc_t();
        Dnnl.check(dnnl_matmul_desc_init(op, src, weights, bias, dst), "matmul_desc_init");
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        Dnnl.check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(op), attr, engine, null),
                "matmul bf16 " + src.dims().get(0) + "x" + src.dims().get(1) + "x" + dst.dims().get(1));
        return pd;
    }

    /**
     * {@code y = bf16(x)·weights + bias}, written into and returned as {@code y}; {@code x} [n, in] and {@code y}
     * [n, out] are dense row-major FLOAT.
     */
    INDArray run(INDArray x, INDArray packedWeights, INDArray biasRow, INDArray y) {
        INDArray xBf16 = Nd4j.createUninitialized(DataType.BFLOAT16, x.length());
        Dnnl.execute(engine, toBf16,
                new Bound(DNNL_ARG_FROM, srcF32, x),
                new Bound(DNNL_ARG_TO, srcBf16, xBf16),
                Bound.optional(DNNL_ARG_SCRATCHPAD, toBf16Scratchpad, scratchpad(toBf16Scratchpad)));
        Dnnl.execute(engine, matmul,
                new Bound(DNNL_ARG_SRC, srcBf16, xBf16),
                new Bound(DNNL_ARG_WEIGHTS, weights, packedWeights),
                Bound.optional(DNNL_ARG_BIAS, bias, biasRow),
                new Bound(DNNL_ARG_DST, dst, y),
                Bound.optional(DNNL_ARG_SCRATCHPAD, matmulScratchpad, scratchpad(matmulScratchpad)));
        return y;
    }

    /** Which oneDNN implementation runs the matmul, e.g. {@code brg:avx512_core_amx}. */
    String implementation() {
        return implementation;
    }

    /** Destroys the primitives; the plan must not run afterwards. */
    void destroy() {
        dnnl_primitive_destroy(toBf16);
        dnnl_primitive_destroy(matmul);
    }

    private static INDArray scratchpad(dnnl_memory_desc_t desc) {
        long bytes = dnnl_memory_desc_get_size(desc);
        return bytes == 0 ? null : Nd4j.createUninitialized(DataType.INT8, bytes);
    }

    private static String implementation(dnnl_primitive_desc pd) {
        try (PointerPointer<BytePointer> info = new PointerPointer<>(1)) {
            Dnnl.check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, info), "query impl_info_str");
            return info.getString(0);
        }
    }
}
