package io.ferret4j.core.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_matmul_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/** Thin checked wrappers over oneDNN's C API, the only place that turns status codes into exceptions. */
final class Dnnl {
    private static final String[] STATUS = {"success", "out_of_memory", "invalid_arguments", "unimplemented",
        "iterator_ends", "runtime_error", "not_required"};

    private Dnnl() {
    }

    static void check(int status, String what) {
        if (status != dnnl_success) {
            String name = status >= 0 && status < STATUS.length ? STATUS[status] : "status " + status;
            throw new IllegalStateException("oneDNN " + what + " failed: " + name);
        }
    }

    /** A plain layout: {@code tag} is {@code dnnl_ab} (row-major), {@code dnnl_ba} or {@code dnnl_format_tag_any}. */
    static dnnl_memory_desc_t desc(int dataType, int tag, long... dims) {
        dnnl_memory_desc_t md = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_tag(md, dims.length, dims, dataType, tag), "memory_desc_init");
        return md;
    }

    /** Row-major {@code [rows, cols]} with rows {@code rowStride} elements apart: a column block of a wider matrix. */
    static dnnl_memory_desc_t rowsOf(int dataType, long rows, long cols, long rowStride) {
        dnnl_memory_desc_t md = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_strides(md, 2, new long[] {rows, cols}, dataType, new long[] {rowStride, 1}),
                "memory_desc_init_by_strides");
        return md;
    }

    /**
     * The primitive descriptor of the matmul {@code src·weights + bias -> dst} (bias may be null); with
     * {@code dnnl_format_tag_any} weights it tells which blocked layout the fastest implementation wants.
     */
    static dnnl_primitive_desc matmulDesc(dnnl_engine engine, dnnl_memory_desc_t src, dnnl_memory_desc_t weights,
                                          dnnl_memory_desc_t bias, dnnl_memory_desc_t dst, dnnl_primitive_attr attr) {
        dnnl_matmul_desc_t op = new dnnl_matmul_desc_t();
        check(dnnl_matmul_desc_init(op, src, weights, bias, dst), "matmul_desc_init");
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(op), attr, engine, null),
                "matmul bf16 " + src.dims().get(0) + "x" + src.dims().get(1) + "x" + dst.dims().get(1));
        return pd;
    }

    /** A copy that outlives the primitive descriptor a queried descriptor points into. */
    static dnnl_memory_desc_t query(dnnl_primitive_desc pd, int what) {
        dnnl_memory_desc_t copy = new dnnl_memory_desc_t();
        Pointer.memcpy(copy, dnnl_primitive_desc_query_md(pd, what, 0), Pointer.sizeof(dnnl_memory_desc_t.class));
        return copy;
    }

    /** Attributes asking for a caller-provided scratchpad, so concurrent executions never share one. */
    static dnnl_primitive_attr userScratchpad() {
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        check(dnnl_primitive_attr_create(attr), "primitive_attr_create");
        check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "set_scratchpad_mode");
        return attr;
    }

    /**
     * Runs {@code body} with this thread's OpenMP team set to {@code threads}, then restores it. oneDNN and ND4J
     * share one libgomp (whichever loads first; the other's copy is never mapped), and ferret4j runs ND4J's small
     * ops on one OpenMP thread ({@code OMP_NUM_THREADS=1}), so the wide team is granted only around oneDNN calls.
     * Primitives must be created inside too: oneDNN fixes a primitive's thread partition when it creates it.
     */
    static <T> T withOmpThreads(int threads, Supplier<T> body) {
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int before = ops.ompGetMaxThreads();
        if (before != threads) {
            ops.setOmpNumThreads(threads);
        }
        try {
            return body.get();
        } finally {
            if (before != threads) {
                ops.setOmpNumThreads(before);
            }
        }
    }

    /** Creates the primitive and destroys {@code pd} and {@code attr}, which it no longer needs. */
    static dnnl_primitive primitive(dnnl_primitive_desc pd, dnnl_primitive_attr attr) {
        try {
            dnnl_primitive p = new dnnl_primitive();
            check(dnnl_primitive_create(p, pd), "primitive_create");
            return p;
        } finally {
            dnnl_primitive_desc_destroy(pd);
            dnnl_primitive_attr_destroy(attr);
        }
    }

    /**
     * Runs {@code primitive} on a stream of its own, each argument's buffer wrapped in a memory object made for
     * this call (so concurrent calls share nothing mutable), and waits for it to finish. Null arguments (an
     * absent bias, an empty scratchpad) are skipped.
     */
    static void execute(dnnl_engine engine, dnnl_primitive primitive, Bound... args) {
        Bound[] present = Arrays.stream(args).filter(Objects::nonNull).toArray(Bound[]::new);
        dnnl_memory[] memories = new dnnl_memory[present.length];
        dnnl_stream stream = new dnnl_stream();
        try (dnnl_exec_arg_t execArgs = new dnnl_exec_arg_t(present.length)) {
            for (int i = 0; i < present.length; i++) {
                memories[i] = new dnnl_memory();
                check(dnnl_memory_create(memories[i], present[i].desc(), engine, present[i].data()), "memory_create");
                execArgs.position(i).arg(present[i].arg()).memory(memories[i]);
            }
            check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), "stream_create");
            check(dnnl_primitive_execute(primitive, stream, present.length, execArgs.position(0)), "primitive_execute");
            check(dnnl_stream_wait(stream), "stream_wait");
        } finally {
            if (!stream.isNull()) {
                dnnl_stream_destroy(stream);
            }
            for (dnnl_memory m : memories) {
                if (m != null && !m.isNull()) {
                    dnnl_memory_destroy(m);
                }
            }
            Reference.reachabilityFence(present);                      // native code used the arrays by address
        }
    }

    /** {@code a} itself when oneDNN can use it from its buffer's start as row-major, else a dense copy. */
    static INDArray dense(INDArray a) {
        return isDense(a) ? a : a.dup('c');
    }

    /** Whether {@code a} is row-major with default strides from the start of its buffer. */
    static boolean isDense(INDArray a) {
        return a.ordering() == 'c' && a.offset() == 0 && Shape.hasDefaultStridesForShape(a);
    }

    /**
     * One execution argument: {@code DNNL_ARG_*}, its descriptor and the ND4J array whose buffer, read from
     * {@code byteOffset} bytes past its start, holds the data.
     */
    record Bound(int arg, dnnl_memory_desc_t desc, INDArray array, long byteOffset) {

        /** The data from the start of {@code array}'s buffer. */
        Bound(int arg, dnnl_memory_desc_t desc, INDArray array) {
            this(arg, desc, array, 0);
        }

        /** Null (skipped by {@link #execute}) when {@code array} is null. */
        static Bound optional(int arg, dnnl_memory_desc_t desc, INDArray array) {
            return array == null ? null : new Bound(arg, desc, array);
        }

        /** The address oneDNN reads or writes: a {@code void*} argument takes the position in bytes. */
        Pointer data() {
            Pointer start = array.data().addressPointer();
            return byteOffset == 0 ? start
                    : new BytePointer(start).position(start.position() * start.sizeof() + byteOffset);
        }
    }
}
