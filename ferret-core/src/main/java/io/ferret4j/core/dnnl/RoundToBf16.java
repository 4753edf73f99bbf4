package io.ferret4j.core.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import io.ferret4j.core.dnnl.Dnnl.Bound;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Rounds {@code n} fp32 input rows of width {@code in} to bf16 (nearest, ties to even): the matmul's source. */
final class RoundToBf16 {
    private final dnnl_engine engine;
    private final dnnl_memory_desc_t f32;                              // [n, in] f32, row-major
    private final dnnl_memory_desc_t bf16;                             // [n, in] bf16, row-major
    private final Primitive reorder;

    /** Call inside {@link Dnnl#withOmpThreads}. */
    RoundToBf16(dnnl_engine engine, long n, long in) {
        this.engine = engine;
        this.f32 = Dnnl.desc(dnnl_f32, dnnl_ab, n, in);
        this.bf16 = Dnnl.desc(dnnl_bf16, dnnl_ab, n, in);
        this.reorder = Primitive.reorder(engine, f32, bf16);
    }

    /** The layout of the rounded rows. */
    dnnl_memory_desc_t desc() {
        return bf16;
    }

    /** The bf16 rows of {@code x}, a dense row-major FLOAT {@code [n, in]}, in a new buffer. */
    INDArray apply(INDArray x) {
        INDArray rounded = Nd4j.createUninitialized(DataType.BFLOAT16, x.length());
        reorder.execute(engine, new Bound(DNNL_ARG_FROM, f32, x), new Bound(DNNL_ARG_TO, bf16, rounded));
        return rounded;
    }

    /** Frees the reorder. */
    void destroy() {
        reorder.destroy();
    }
}
