package io.ferret4j.core.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;

import io.ferret4j.core.dnnl.Dnnl.Bound;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code y = x·Wᵀ + b} for a PyTorch {@code Linear} weight {@code [out, in]} held in bf16, in the blocked layout
 * oneDNN's matmul prefers, packed once at construction (half the bytes of the fp32 weight, which the caller may then
 * drop). Each call rounds the fp32 input to bf16, multiplies with fp32 accumulation, adds the fp32 bias and writes a
 * new FLOAT array, all in ND4J's off-heap buffers. The primitives of each row count {@code n} are built on first use
 * and shared by all threads. {@link #close()} frees the packed weight and the primitives at once (else a garbage
 * collection frees them); the product must not run afterwards.
 *
 * <p>Error: each output differs from fp32 by at most {@code (2u + u²)·Σ|x·w| + fp32 summation error}, with
 * {@code u = 2^-8} the bf16 unit roundoff, i.e. about 0.8 % of {@code Σ|x·w|}; on random data it is about 0.23 %
 * of {@code ‖y‖}. Speed: faster than ND4J's fp32 sgemm on avx512_bf16 (figures: docs/performance.md, "Figures
 * behind the code's choices").
 */
public final class DnnlBf16Matmul implements AutoCloseable {
    /** Row count the weight layout is chosen for: the big batched products this path exists for. */
    private static final long LAYOUT_ROWS = 512;
    private static final Cleaner CLEANER = Cleaner.create();

    private final dnnl_engine engine;
    private final long in;
    private final long out;
    private final dnnl_memory_desc_t weightDesc;                       // [in, out] bf16, blocked
    private final INDArray packedWeight;                               // bytes of weightDesc
    private final dnnl_memory_desc_t biasDesc;                         // [1, out] f32, or null
    private final INDArray bias;                                       // [1, out] or null
    private final int threads = Runtime.getRuntime().availableProcessors();
    private final Plans plans = new Plans();
    private final Cleaner.Cleanable destroyPlans;

    /**
     * Packs {@code weight} [out, in] FLOAT into bf16; {@code bias} [out] FLOAT may be null. Fails where
     * {@link DnnlSupport#available()} is false.
     */
    public DnnlBf16Matmul(INDArray weight, INDArray bias) {
        if (weight.rank() != 2 || weight.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("weight must be a FLOAT matrix, got " + weight.dataType()
                    + Arrays.toString(weight.shape()));
        }
        if (bias != null && (bias.length() != weight.size(0) || bias.dataType() != DataType.FLOAT)) {
            throw new IllegalArgumentException("bias must be FLOAT of length " + weight.size(0)
                    + " (out features), got " + bias.dataType() + Arrays.toString(bias.shape()));
        }
        this.engine = DnnlSupport.engine();
        this.out = weight.size(0);
        this.in = weight.size(1);
        this.weightDesc = Dnnl.withOmpThreads(threads, this::preferredWeightLayout);
        this.packedWeight = Dnnl.withOmpThreads(threads, () -> pack(Dnnl.dense(weight)));
        this.biasDesc = bias == null ? null : Dnnl.desc(dnnl_f32, dnnl_ab, 1, out);
        this.bias = bias == null ? null : bias.reshape(1, out).dup('c');
        this.destroyPlans = CLEANER.register(this, plans::destroy);
    }

    /** {@code x·Wᵀ + b} into a new FLOAT array. */
    public INDArray forward(INDArray x) {                              // [n, in] -> [n, out]
        requireInput(x);
        return forward(x, Nd4j.createUninitialized(DataType.FLOAT, x.size(0), out));
    }

    /**
     * {@link #forward(INDArray)} into a caller's buffer {@code y}, which must be a dense row-major FLOAT
     * {@code [n, out]} array that is not a view; returns {@code y}. Reusing {@code y} spares the page faults of
     * fresh output memory, a measurable part of a CLIP-sized product (docs/performance.md).
     */
    public INDArray forward(INDArray x, INDArray y) {                  // [n, in] -> [n, out]
        requireInput(x);
        if (y.dataType() != DataType.FLOAT || !Arrays.equals(y.shape(), new long[] {x.size(0), out})
                || !Dnnl.isDense(y)) {
            throw new IllegalArgumentException("output must be a dense row-major FLOAT [" + x.size(0) + ", " + out
                    + "], got " + y.dataType() + Arrays.toString(y.shape()) + " order " + y.ordering());
        }
        INDArray src = Dnnl.dense(x);
        Dnnl.withOmpThreads(threads, () -> plan(x.size(0)).run(src, packedWeight, bias, y));
        Reference.reachabilityFence(this);                             // the cleaner must not destroy the plan early
        return y;
    }

    /** {@code in}. */
    public long inFeatures() {
        return in;
    }

    /** {@code out}. */
    public long outFeatures() {
        return out;
    }

    /** Bytes of the packed bf16 weight: {@code 2·in·out} plus the padding of oneDNN's blocks. */
    public long weightBytes() {
        return dnnl_memory_desc_get_size(weightDesc);
    }

    /** The oneDNN implementation that runs {@code n} rows, e.g. {@code brg:avx512_core_amx}. */
    public String implementation(long n) {
        return Dnnl.withOmpThreads(threads, () -> plan(n)).implementation();
    }

    /** Call inside {@link Dnnl#withOmpThreads}: a plan's primitives keep the thread count they were made with. */
    private MatmulPlan plan(long n) {
        return plans.get(n, rows -> new MatmulPlan(engine, rows, weightDesc, biasDesc));
    }

    /** Frees the packed weight, the bias copy and the primitives; a second call does nothing. */
    @Override
    public void close() {
        destroyPlans.clean();                                          // runs the destroy at most once
        closeOnce(packedWeight);
        if (bias != null) {
            closeOnce(bias);
        }
    }

    private static void closeOnce(INDArray array) {
        if (!array.wasClosed()) {
            array.close();
        }
    }

    /** Asks the matmul for its favourite bf16 layout of the {@code [in, out]} weight. */
    private dnnl_memory_desc_t preferredWeightLayout() {
        dnnl_primitive_desc pd = Dnnl.matmulDesc(engine,
                Dnnl.desc(dnnl_bf16, dnnl_ab, LAYOUT_ROWS, in),
                Dnnl.desc(dnnl_bf16, dnnl_format_tag_any, in, out),
                null,
                Dnnl.desc(dnnl_f32, dnnl_ab, LAYOUT_ROWS, out),
                null);
        try {
            return Dnnl.query(pd, dnnl_query_weights_md);
        } finally {
            dnnl_primitive_desc_destroy(pd);
        }
    }

    /** The fp32 {@code [out, in]} weight, seen as {@code [in, out]} column-major, reordered into {@code weightDesc}. */
    private INDArray pack(INDArray weight) {
        INDArray packed = Nd4j.createUninitialized(DataType.BFLOAT16, dnnl_memory_desc_get_size(weightDesc) / 2);
        dnnl_memory_desc_t plain = Dnnl.desc(dnnl_f32, dnnl_ba, in, out);
        Primitive reorder = Primitive.reorder(engine, plain, weightDesc);
        try {
            reorder.execute(engine,
                    new Bound(DNNL_ARG_FROM, plain, weight),
                    new Bound(DNNL_ARG_TO, weightDesc, packed));
            return packed;
        } finally {
            reorder.destroy();
        }
    }

    private void requireInput(INDArray x) {
        if (x.rank() != 2 || x.size(1) != in || x.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("input must be FLOAT [n, " + in + "], got " + x.dataType()
                    + Arrays.toString(x.shape()));
        }
    }

    /** The per-row-count plans; also the cleaner's action, so it must not refer back to the layer. */
    private static final class Plans {
        private final Map<Long, MatmulPlan> byRows = new ConcurrentHashMap<>();

        MatmulPlan get(long n, LongFunction<MatmulPlan> create) {
            return byRows.computeIfAbsent(n, create::apply);
        }

        void destroy() {
            byRows.values().forEach(MatmulPlan::destroy);
        }
    }
}
