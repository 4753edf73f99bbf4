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
    private final int imageSize;

    private ClipVisionEmbeddings(INDArray convWeight, INDArray classEmbedding, INDArray positionEmbedding,
                                 ClipVisionConfig c) {
        this.channels = c.numChannels();
        this.patch = c.patchSize();
        this.perSide = c.patchesPerSide();
        this.imageSize = c.imageSize();
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

    /** Patches as rows: row {@code py·(S/P) + px}, column {@code c·P·P + ky·P + kx}. */
    private INDArray unfold(INDArray pixelValues) {                    // [3, S, S] -> [N, 3·P·P]
        float[] px = pixelValues.dup('c').data().asFloat();
        int side = imageSize;
        int rowLen = channels * patch * patch;
        float[] rows = new float[perSide * perSide * rowLen];
        int o = 0;
        for (int py = 0; py < perSide; py++) {
            for (int pxi = 0; pxi < perSide; pxi++) {
                for (int c = 0; c < channels; c++) {
                    for (int ky = 0; ky < patch; ky++) {
                        System.arraycopy(px, (c * side + py * patch + ky) * side + pxi * patch, rows, o, patch);
                        o += patch;
                    }
                }
            }
        }
        return Nd4j.create(rows, new long[] {(long) perSide * perSide, rowLen}, 'c');
    }
}
