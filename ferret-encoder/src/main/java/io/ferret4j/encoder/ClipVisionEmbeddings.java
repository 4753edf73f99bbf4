package io.ferret4j.encoder;

import io.ferret4j.core.nn.DenseLinear;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * HF {@code CLIPVisionEmbeddings}: a {@code Conv2d(3, D, kernel=stride=P, bias=False)} patch embedding, the
 * class token prepended, and the learned position embedding added. The convolution is one gemm: the
 * non-overlapping patches are unfolded to rows {@code [N, 3·P·P]} in the weight's {@code (c, ky, kx)} order,
 * patch {@code p} being row {@code p / (S/P)}, column {@code p % (S/P)} of the grid.
 */
final class ClipVisionEmbeddings {
    private final DenseLinear patchEmbedding;                          // weight [D, 3·P·P]
    private final INDArray classEmbedding;                             // [1, D]
    private final INDArray positionEmbedding;                          // [T, D], T = N + 1
    private final int channels;
    private final int patch;
    private final int perSide;

    private ClipVisionEmbeddings(INDArray convWeight, INDArray classEmbedding, INDArray positionEmbedding,
                                 ClipVisionConfig c) {
        this.channels = c.numChannels();
        this.patch = c.patchSize();
        this.perSide = c.patchesPerSide();
        long rowLength = (long) channels * patch * patch;
        this.patchEmbedding = new DenseLinear(convWeight.reshape(c.hiddenSize(), rowLength), null);
        this.classEmbedding = classEmbedding.reshape(1, c.hiddenSize());
        this.positionEmbedding = positionEmbedding;
    }

    /** Loads {@code prefix.{patch_embedding.weight, class_embedding, position_embedding.weight}}. */
    static ClipVisionEmbeddings load(Weights w, String prefix, ClipVisionConfig c) {
        int d = c.hiddenSize();
        return new ClipVisionEmbeddings(
                w.require(prefix + "patch_embedding.weight", d, c.numChannels(), c.patchSize(), c.patchSize()),
                w.require(prefix + "class_embedding", d),
                w.require(prefix + "position_embedding.weight", c.numPositions(), d),
                c);
    }

    INDArray forward(INDArray pixelValues) {                           // one image [3, S, S] -> [T, D]
        INDArray patchEmbeds = patchEmbedding.forward(unfold(pixelValues));           // [N, D]
        INDArray embeddings = Nd4j.concat(0, classEmbedding, patchEmbeds);            // [T, D], class first
        return embeddings.addi(positionEmbedding);                                    // in place: ours
    }

    /** Patches as rows: row {@code py·(S/P) + px}, column {@code c·P·P + ky·P + kx}; one ND4J permute. */
    private INDArray unfold(INDArray pixelValues) {                    // [3, S, S] -> [N, 3·P·P]
        return pixelValues.reshape('c', channels, perSide, patch, perSide, patch)      // [c, py, ky, px, kx]
                .permute(1, 3, 0, 2, 4).dup('c')                                         // [py, px, c, ky, kx]
                .reshape((long) perSide * perSide, (long) channels * patch * patch);
    }
}
