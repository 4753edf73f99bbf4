package io.ferret4j.encoder;

import io.ferret4j.core.nd4j.Nd4jAttention;
import io.ferret4j.core.nn.Linear;
import io.ferret4j.core.nn.Linears;
import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * HF {@code CLIPAttention} without a mask (the vision tower attends bidirectionally): {@code q} is scaled by
 * {@code head_dim^-0.5} after {@code q_proj} (bias included), scores are {@code softmax(q·kᵀ)} over the keys,
 * heads are concatenated in head order and projected by {@code out_proj}.
 *
 * <p>Per head, {@code q·kᵀ} and {@code P·v} are sgemm calls on column views of the projections
 * ({@code [T, head_dim]}, row stride {@code D}), so heads are never permuted into a copy; ND4J's 3-D
 * {@code matmul} plus the permutes it needs ran at a third of the speed for ViT-L. The softmax, the costliest
 * element-wise step (ViT-L: 16 × 577² exponentials), runs on all cores through {@link RowBlocks}. The ND4J engine
 * attends with {@link Nd4jAttention}'s batched matmuls instead, one ND4J op per step for all heads.
 */
final class ClipAttention {
    private static final INDArrayIndex ALL = NDArrayIndex.all();
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear outProj;
    private final int heads;
    private final int headDim;
    private final double scale;
    private final Engine engine;

    private ClipAttention(Linear qProj, Linear kProj, Linear vProj, Linear outProj,
                          ClipVisionConfig c, Engine engine) {
        this.qProj = qProj;
        this.kProj = kProj;
        this.vProj = vProj;
        this.outProj = outProj;
        this.heads = c.numAttentionHeads();
        this.headDim = c.headDim();
        this.scale = Math.pow(headDim, -0.5);
        this.engine = engine;
    }

    /** Loads {@code prefix.{q,k,v,out}_proj.{weight, bias}}, each {@code [D, D]} / {@code [D]}. */
    static ClipAttention load(Weights w, String prefix, ClipVisionConfig c, ExecutionPlan.Part part) {
        int d = c.hiddenSize();
        return new ClipAttention(
                Linears.load(w, prefix + "q_proj", d, d, true, part),
                Linears.load(w, prefix + "k_proj", d, d, true, part),
                Linears.load(w, prefix + "v_proj", d, d, true, part),
                Linears.load(w, prefix + "out_proj", d, d, true, part),
                c, part.engine());
    }

    INDArray forward(INDArray hiddenStates) {                          // [T, D] -> [T, D]
        long tokens = hiddenStates.size(0);
        INDArray q = qProj.forward(hiddenStates).muli(scale);          // HF: q_proj(x) * scale (in place: ours)
        INDArray k = kProj.forward(hiddenStates);                      // [T, D]
        INDArray v = vProj.forward(hiddenStates);                      // [T, D]
        if (engine == Engine.ND4J) {                                   // keys and values as [heads, T, head_dim]
            return outProj.forward(Nd4jAttention.attend(q, Nd4jAttention.heads(k, heads),
                    Nd4jAttention.heads(v, heads), null, heads, 1.0));
        }
        INDArray scores = Nd4j.createUninitialized(DataType.FLOAT, heads, tokens, tokens);
        for (int h = 0; h < heads; h++) {                              // scores[h] = q_h · k_hᵀ  [T, T]
            Nd4j.gemm(q.get(ALL, columns(h)), k.get(ALL, columns(h)), scores.slice(h), false, true, 1.0, 0.0);
        }
        RowBlocks.inPlace(scores, engine, block -> Nd4j.exec(new SoftMax(block, block, 2)));   // over keys, in place
        INDArray context = Nd4j.createUninitialized(DataType.FLOAT, tokens, (long) heads * headDim);
        INDArray headOut = Nd4j.createUninitialized(DataType.FLOAT, tokens, headDim);
        for (int h = 0; h < heads; h++) {                              // context[:, h] = P_h · v_h  [T, head_dim]
            Nd4j.gemm(scores.slice(h), v.get(ALL, columns(h)), headOut, false, false, 1.0, 0.0);
            context.get(ALL, columns(h)).assign(headOut);
        }
        return outProj.forward(context);
    }

    private INDArrayIndex columns(int head) {
        return NDArrayIndex.interval((long) head * headDim, (long) (head + 1) * headDim);
    }
}
