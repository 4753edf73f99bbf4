package io.ferret4j.sampler;

import java.util.Arrays;

/**
 * {@code farthest_point_sample} of the reference on one region's 2-D points, in fp32 as PyTorch computes it:
 * {@code dist = sum((xyz - centroid)²)}, the running minimum starts at {@code 1e10}, and the next centroid is the
 * first index of the largest running minimum.
 */
final class FarthestPointSampling {

    private FarthestPointSampling() {
    }

    /**
     * @param xy      {@code [N, 2]} interleaved points
     * @param npoint  how many centroids to pick
     * @param start   the first centroid (the reference draws it with {@code torch.randint})
     * @return centroid indices in selection order (the order later decides the flatten order)
     */
    static int[] sample(float[] xy, int npoint, int start) {
        int n = xy.length / 2;
        float[] distance = new float[n];
        Arrays.fill(distance, 1e10f);
        int[] centroids = new int[npoint];
        int farthest = start;
        for (int i = 0; i < npoint; i++) {
            centroids[i] = farthest;
            float cx = xy[2 * farthest];
            float cy = xy[2 * farthest + 1];
            float best = Float.NEGATIVE_INFINITY;
            int next = 0;
            for (int j = 0; j < n; j++) {
                float dx = xy[2 * j] - cx;
                float dy = xy[2 * j + 1] - cy;
                float dist = dx * dx + dy * dy;
                if (dist < distance[j]) {
                    distance[j] = dist;
                }
                if (distance[j] > best) {                               // strict: the first index wins ties
                    best = distance[j];
                    next = j;
                }
            }
            farthest = next;
        }
        return centroids;
    }
}
