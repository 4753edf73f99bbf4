package io.ferret4j.llm;

import java.nio.FloatBuffer;

import io.ferret4j.core.kernels.DirectBuffers;
import io.ferret4j.core.nd4j.Nd4jRotary;
import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.weights.CheckpointException;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.Float16;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code LlamaRotaryEmbedding} with {@code apply_rotary_pos_emb}, in the "rotate_half" convention: within each
 * head, dimension {@code i} is paired with {@code i + headDim/2} (not with its neighbour). The cos/sin tables are
 * computed once in fp32 as HF does ({@code inv_freq = 1 / theta^(2i/d)}, {@code θ = pos · inv_freq}) for every
 * position below {@code max_position_embeddings}; the tables are immutable and shared by all layers.
 */
public final class RotaryEmbedding {
    /** Relative tolerance for a checkpoint's stored {@code inv_freq} against the formula. */
    static final double INV_FREQ_RTOL = 1e-6;

    private final int headDim;
    private final int half;
    private final int maxPositions;
    private final double theta;
    private final float[] invFreq;                                     // [half]
    private final float[] cos;                                         // [maxPositions, half]
    private final float[] sin;                                         // [maxPositions, half]
    private final Nd4jRotary nd4j;                                     // the ND4J engine's, or null

    /** Computes the tables for positions {@code [0, maxPositions)}, rotating in Java. */
    public RotaryEmbedding(int headDim, int maxPositions, double theta) {
        this(headDim, maxPositions, theta, Engine.JAVA);
    }

    /**
     * Computes the tables for positions {@code [0, maxPositions)}; {@link Engine#ND4J} rotates with ND4J ops on
     * copies of the tables ({@link Nd4jRotary}), with the same roundings.
     */
    public RotaryEmbedding(int headDim, int maxPositions, double theta, Engine engine) {
        this.headDim = headDim;
        this.half = headDim / 2;
        this.maxPositions = maxPositions;
        this.theta = theta;
        this.invFreq = new float[half];
        for (int i = 0; i < half; i++) {
            // fp32 at every step, as torch: arange(0, d, 2).float() / d, then base ** x, then 1.0 / that
            float exponent = (2 * i) / (float) headDim;
            invFreq[i] = 1.0f / (float) Math.pow(theta, exponent);
        }
        this.cos = new float[maxPositions * half];
        this.sin = new float[maxPositions * half];
        for (int pos = 0; pos < maxPositions; pos++) {
            for (int i = 0; i < half; i++) {
                float angle = pos * invFreq[i];                        // fp32 product, as torch's einsum
                cos[pos * half + i] = (float) Math.cos(angle);
                sin[pos * half + i] = (float) Math.sin(angle);
            }
        }
        this.nd4j = engine == Engine.ND4J ? new Nd4jRotary(cos, sin, headDim) : null;
    }

    /** The embedding of a configuration: head_dim, max_position_embeddings and rope_theta; rotating in Java. */
    public static RotaryEmbedding of(LlamaConfig c) {
        return of(c, Engine.JAVA);
    }

    /** {@link #of(LlamaConfig)} rotating with {@code engine}. */
    public static RotaryEmbedding of(LlamaConfig c, Engine engine) {
        return new RotaryEmbedding(c.headDim(), c.maxPositionEmbeddings(), c.ropeTheta(), engine);
    }

    /**
     * Rotates every head of {@code x} by the angle of its row's position ({@code startPosition + row}).
     *
     * @param x a {@code [T, heads · headDim]} projection output
     * @return a new array of the same shape
     */
    public INDArray forward(INDArray x, int startPosition) {           // [T, heads*d] -> [T, heads*d]
        int rows = (int) x.size(0);
        int width = (int) x.size(1);
        if (width % headDim != 0 || startPosition < 0 || startPosition + rows > maxPositions) {
            throw new IllegalArgumentException("cannot rotate " + rows + " rows of width " + width + " from position "
                    + startPosition + " (head_dim " + headDim + ", max_position_embeddings " + maxPositions + ")");
        }
        if (nd4j != null) {
            return nd4j.apply(x, startPosition);
        }
        // Plain Java over the rows: per element this is 2 multiplies and an add, which as ND4J ops on half-width
        // views would cost ~7 broadcast op calls per projection. Same fp32 roundings as q·cos + rotate_half(q)·sin.
        // Read and written through the arrays' own buffers: heap copies of a 714-row prefill's q and k were
        // 47 MB of garbage per layer, which grew the Java heap by GBs over 32 layers.
        INDArray result = Nd4j.createUninitialized(DataType.FLOAT, rows, width);
        FloatBuffer in = DirectBuffers.floats(x.isView() || x.ordering() != 'c' ? x.dup('c') : x);
        FloatBuffer out = DirectBuffers.floats(result);
        for (int t = 0; t < rows; t++) {
            int table = (startPosition + t) * half;
            for (int head = t * width; head < (t + 1) * width; head += headDim) {
                for (int i = 0; i < half; i++) {
                    float x1 = in.get(head + i);
                    float x2 = in.get(head + half + i);
                    float c = cos[table + i];
                    float s = sin[table + i];
                    out.put(head + i, x1 * c - x2 * s);                // x1·cos + (−x2)·sin
                    out.put(head + half + i, x2 * c + x1 * s);
                }
            }
        }
        return result;
    }

    /**
     * Accepts a checkpoint's persistent {@code rotary_emb.inv_freq} buffer (4.28–4.31 checkpoints save one per
     * layer) only if it holds this embedding's frequencies, rounded to the buffer's dtype, within
     * {@value #INV_FREQ_RTOL} relative; the buffer is then marked used. Nothing is read from it: a checkpoint
     * trained with other frequencies must fail here rather than run with ours.
     *
     * @throws CheckpointException naming the key, the index, the stored and the expected value
     */
    public void checkStoredInvFreq(Weights w, String name) {
        RawTensor stored = w.requireRaw(name, half);
        float[] values = stored.toFloats();
        for (int i = 0; i < half; i++) {
            float expected = roundTo(stored.dtype(), invFreq[i]);
            if (!(Math.abs(values[i] - expected) <= INV_FREQ_RTOL * Math.abs(expected))) {
                throw new CheckpointException(stored.file(), "tensor '" + w.key(name) + "'[" + i + "] = " + values[i]
                        + " but 1/" + theta + "^(" + (2 * i) + "/" + headDim + ") = " + expected + " in "
                        + stored.dtype() + "; this checkpoint's rotary frequencies (rope_theta, head_dim or scaling) "
                        + "differ from its config.json");
            }
        }
    }

    /** The fp32 inverse frequencies, a copy. */
    public float[] invFreq() {
        return invFreq.clone();
    }

    /** The per-head width it rotates. */
    public int headDim() {
        return headDim;
    }

    private static float roundTo(DType dtype, float value) {
        return switch (dtype) {
            case F16 -> Float16.round(value);
            case BF16 -> Float16.bf16ToFloat(Float16.floatToBf16(value));
            default -> value;
        };
    }
}
