package io.ferret4j.sampler;

/**
 * {@code knn_point} of the reference: for each query, the {@code k} points with the smallest squared distance in
 * {@code square_distance}'s expanded fp32 form {@code (-2·q·p + |q|²) + |p|²} (it can be slightly negative, and a
 * point's distance to itself need not be 0). Ties at the boundary go to the lowest index.
 */
final class NearestNeighbors {

    private NearestNeighbors() {
    }

    /**
     * @param xy      {@code [N, 2]} interleaved points
     * @param queries {@code [S, 2]} interleaved query points
     * @return {@code [S, k]} row-major point indices, each row ordered by distance; the reference's order within a
     *         row is unspecified ({@code topk(sorted=False)}) and nothing downstream depends on it
     */
    static int[] query(float[] xy, float[] queries, int k) {
        int n = xy.length / 2;
        int s = queries.length / 2;
        float[] norms = new float[n];
        for (int j = 0; j < n; j++) {
            norms[j] = xy[2 * j] * xy[2 * j] + xy[2 * j + 1] * xy[2 * j + 1];
        }
        int[] out = new int[s * k];
        float[] bestDist = new float[k];
        for (int t = 0; t < s; t++) {
            float qx = queries[2 * t];
            float qy = queries[2 * t + 1];
            float qNorm = qx * qx + qy * qy;
            int size = 0;
            for (int j = 0; j < n; j++) {
                float dot = qx * xy[2 * j] + qy * xy[2 * j + 1];
                float d = (-2f * dot + qNorm) + norms[j];
                if (size < k) {
                    insert(bestDist, out, t * k, size++, d, j);
                } else if (d < bestDist[k - 1]) {                      // strict: an equal later index loses
                    insert(bestDist, out, t * k, k - 1, d, j);
                }
            }
        }
        return out;
    }

    /** Inserts (d, j) into the distance-sorted row, using slot {@code free} (the last one when the row is full). */
    private static void insert(float[] dist, int[] idx, int rowOffset, int free, float d, int j) {
        int pos = free;
        while (pos > 0 && dist[pos - 1] > d) {                          // stays after equal distances (lower indices)
            dist[pos] = dist[pos - 1];
            idx[rowOffset + pos] = idx[rowOffset + pos - 1];
            pos--;
        }
        dist[pos] = d;
        idx[rowOffset + pos] = j;
    }
}
