package io.ferret4j.core.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import io.ferret4j.core.dnnl.Dnnl.Bound;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One product {@code y = x·wᵀ} of FLOAT rows {@code x [n, in]} with a weight {@code w [out, in]} that the caller
 * hands over as bf16 tiles of consecutive rows (the weight's own row-major layout, filled from Java), each
 * multiplied by oneDNN with fp32 accumulation straight into its columns of {@code y}. {@code x} is rounded to
 * bf16 once, in {@link #start}. The matmul primitive of each tile height is built on first use (a product has at
 * most two: full tiles and the last one) and freed by {@link #close}. One thread uses an instance.
 *
 * <p>Error: the bound of {@link DnnlBf16Matmul}, {@code (2u + u²)·Σ|x·w| + fp32 summation error}, {@code u = 2^-8},
 * when {@code w} is rounded to nearest bf16 from its fp32 values.
 */
public final class Bf16TileProduct implements AutoCloseable {
    private final dnnl_engine engine;
    private final int threads;
    private final long in;
    private final long out;
    private final dnnl_memory_desc_t src;                              // [n, in] bf16, row-major
    private final INDArray xBf16;
    private final INDArray y;                                          // [n, out] FLOAT, row-major
    private final Map<Long, Step> byHeight = new HashMap<>();

    private Bf16TileProduct(dnnl_engine engine, int threads, INDArray x, INDArray y) {
        this.engine = engine;
        this.threads = threads;
        this.in = x.size(1);
        this.out = y.size(1);
        this.y = y;
        RoundToBf16 toBf16 = Dnnl.withOmpThreads(threads, () -> new RoundToBf16(engine, x.size(0), in));
        try {
            this.src = toBf16.desc();
            this.xBf16 = Dnnl.withOmpThreads(threads, () -> toBf16.apply(x));
        } finally {
            toBf16.destroy();
        }
    }

    /**
     * Rounds {@code x} to bf16 for products written into {@code y}; both must be dense row-major FLOAT arrays that
     * are not views, {@code x [n, in]} and {@code y [n, out]}. oneDNN runs on an OpenMP team of {@code threads}.
     * Fails where {@link DnnlSupport#available()} is false.
     */
    public static Bf16TileProduct start(INDArray x, INDArray y, int threads) {
        for (INDArray a : new INDArray[] {x, y}) {
            if (a.rank() != 2 || a.dataType() != DataType.FLOAT || !Dnnl.isDense(a)) {
                throw new IllegalArgumentException("x and y must be dense row-major FLOAT matrices, got "
                        + a.dataType() + Arrays.toString(a.shape()) + " order " + a.ordering());
            }
        }
        if (x.size(0) != y.size(0)) {
            throw new IllegalArgumentException("x has " + x.size(0) + " rows but y has " + y.size(0));
        }
        return new Bf16TileProduct(DnnlSupport.engine(), threads, x, y);
    }

    /**
     * {@code y[:, r0, r0 + rows) = bf16(x)·tileᵀ}, where {@code tile} is a BFLOAT16 array whose first
     * {@code rows·in} values are weight rows {@code r0 .. r0 + rows - 1}, row after row.
     */
    public void multiply(INDArray tile, long r0, long rows) {
        if (tile.dataType() != DataType.BFLOAT16 || tile.length() < rows * in || tile.offset() != 0) {
            throw new IllegalArgumentException("tile must be a BFLOAT16 array of at least " + rows + "x" + in
                    + " values from its buffer's start, got " + tile.dataType() + Arrays.toString(tile.shape()));
        }
        if (rows < 1 || r0 < 0 || r0 + rows > out) {
            throw new IllegalArgumentException("weight rows [" + r0 + ", " + (r0 + rows) + ") are not within [0, "
                    + out + ")");
        }
        Dnnl.withOmpThreads(threads, () -> {
            Step step = byHeight.computeIfAbsent(rows, this::step);
            step.matmul().execute(engine,
                    new Bound(DNNL_ARG_SRC, src, xBf16),
                    new Bound(DNNL_ARG_WEIGHTS, step.weights(), tile),
                    new Bound(DNNL_ARG_DST, step.dst(), y, Float.BYTES * r0));
            return null;
        });
    }

    /** The implementation that multiplies tiles of {@code rows} weight rows, e.g. {@code brg:avx512_core_bf16}. */
    public String implementation(long rows) {
        return Dnnl.withOmpThreads(threads, () -> byHeight.computeIfAbsent(rows, this::step)).matmul().implementation();
    }

    /** Frees the primitives. */
    @Override
    public void close() {
        byHeight.values().forEach(s -> s.matmul().destroy());
        byHeight.clear();
    }

    /** Call inside {@link Dnnl#withOmpThreads}. */
    private Step step(long rows) {
        long n = y.size(0);
        dnnl_memory_desc_t weights = Dnnl.desc(dnnl_bf16, dnnl_ba, in, rows);   // [in, rows] = the tile transposed
        dnnl_memory_desc_t dst = Dnnl.rowsOf(dnnl_f32, n, rows, out);          // columns of y
        return new Step(weights, dst, Primitive.matmul(engine, src, weights, null, dst));
    }

    /** The matmul of one tile height and the layouts it was made for. */
    private record Step(dnnl_memory_desc_t weights, dnnl_memory_desc_t dst, Primitive matmul) {
    }
}
