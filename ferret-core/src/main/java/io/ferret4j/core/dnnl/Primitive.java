package io.ferret4j.core.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;

import io.ferret4j.core.dnnl.Dnnl.Bound;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A oneDNN primitive that takes a scratchpad from each caller, so concurrent executions share nothing mutable:
 * the primitive itself holds no per-call state. Create it inside {@link Dnnl#withOmpThreads}, which fixes its
 * thread partition.
 */
final class Primitive {
    private final dnnl_primitive handle;
    private final dnnl_memory_desc_t scratchpad;
    private final String implementation;

    /** Builds the primitive of {@code pd}, then destroys {@code pd} and {@code attr}. */
    private Primitive(dnnl_primitive_desc pd, dnnl_primitive_attr attr) {
        this.scratchpad = Dnnl.query(pd, dnnl_query_scratchpad_md);
        this.implementation = implementation(pd);
        this.handle = Dnnl.primitive(pd, attr);
    }

    /** A copy from {@code from} to {@code to}, converting type and layout (f32 to bf16 rounds to nearest even). */
    static Primitive reorder(dnnl_engine engine, dnnl_memory_desc_t from, dnnl_memory_desc_t to) {
        dnnl_primitive_attr attr = Dnnl.userScratchpad();
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        Dnnl.check(dnnl_reorder_primitive_desc_create(pd, from, engine, to, engine, attr),
                "reorder " + Arrays.toString(dims(from)));
        return new Primitive(pd, attr);
    }

    /** The matmul {@code src·weights + bias -> dst}; {@code bias} may be null. */
    static Primitive matmul(dnnl_engine engine, dnnl_memory_desc_t src, dnnl_memory_desc_t weights,
                            dnnl_memory_desc_t bias, dnnl_memory_desc_t dst) {
        dnnl_primitive_attr attr = Dnnl.userScratchpad();
        return new Primitive(Dnnl.matmulDesc(engine, src, weights, bias, dst, attr), attr);
    }

    /** Runs on {@code args} plus a scratchpad of its own, and waits for the result. */
    void execute(dnnl_engine engine, Bound... args) {
        long bytes = dnnl_memory_desc_get_size(scratchpad);
        Bound[] all = Arrays.copyOf(args, args.length + 1);
        all[args.length] = bytes == 0 ? null
                : new Bound(DNNL_ARG_SCRATCHPAD, scratchpad, Nd4j.createUninitialized(DataType.INT8, bytes));
        Dnnl.execute(engine, handle, all);
    }

    /** Which oneDNN implementation runs, e.g. {@code brg:avx512_core_bf16}. */
    String implementation() {
        return implementation;
    }

    /** Frees the primitive; it must not run afterwards. */
    void destroy() {
        dnnl_primitive_destroy(handle);
    }

    private static long[] dims(dnnl_memory_desc_t md) {
        long[] dims = new long[md.ndims()];
        md.dims().get(dims);
        return dims;
    }

    private static String implementation(dnnl_primitive_desc pd) {
        try (PointerPointer<BytePointer> info = new PointerPointer<>(1)) {
            Dnnl.check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, info), "query impl_info_str");
            return info.getString(0);
        }
    }
}
