package io.ferret4j.sampler;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

import io.ferret4j.core.region.Region;

/**
 * Turns a region mask into the sampler's fixed number of points, and picks where farthest-point sampling starts:
 * the only places the reference draws random numbers ({@code rand_sample_repeat} and {@code torch.randint} in
 * {@code farthest_point_sample}). Three policies:
 * <ul>
 *   <li>{@link #random}: the reference's distributions (pad with uniform repeats, take a uniformly random ordered
 *       subset, start FPS at a uniform index) from an injected generator, so a seeded run is reproducible;</li>
 *   <li>{@link #deterministic}: the spec's DET variant (cyclic padding, evenly spread subset, FPS starts at 0), which
 *       is what the golden fixtures were produced with;</li>
 *   <li>{@link #fixed}: explicit indices, for parity with a patched Python run.</li>
 * </ul>
 * Points are the mask's pixels read the way the reference reads its x-major {@code [W, H]} mask: ordered by x,
 * then y, and normalised to {@code (x/W, y/H)} in fp32. Not thread-safe when its generator is not.
 */
public final class MaskPointSampler {

    /** Chooses {@code wanted} indices of a region's {@code available} pixels. */
    private interface Picker {
        int[] pick(int region, int available, int wanted);
    }

    /** Chooses the first FPS centroid of a region at a stage. */
    private interface Starter {
        int start(int stage, int region, int numPoints);
    }

    private final Picker picker;
    private final Starter starter;

    private MaskPointSampler(Picker picker, Starter starter) {
        this.picker = picker;
        this.starter = starter;
    }

    /**
     * The reference's behaviour with randomness from {@code rng}: fewer pixels than wanted keeps all in order and
     * appends uniform repeats; more takes a uniformly random ordered subset ({@code randperm(n)[:wanted]}); exactly
     * as many keeps them. FPS starts at a uniform index. Draws happen in the reference's order: every region's
     * points, then stage 0's FPS starts for all regions, then stage 1's.
     */
    public static MaskPointSampler random(RandomGenerator rng) {
        Objects.requireNonNull(rng, "rng");
        return new MaskPointSampler((region, n, wanted) -> {
            if (n <= wanted) {
                int[] idx = identityPrefix(n, wanted);
                for (int i = n; i < wanted; i++) {
                    idx[i] = rng.nextInt(n);
                }
                return idx;
            }
            int[] perm = identityPrefix(n, n);
            for (int i = 0; i < wanted; i++) {                         // partial Fisher-Yates = randperm prefix
                int j = i + rng.nextInt(n - i);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            return Arrays.copyOf(perm, wanted);
        }, (stage, region, numPoints) -> rng.nextInt(numPoints));
    }

    /**
     * The DET variant (spec §7.7): pad with {@code P[r mod n]} for {@code r = 0, 1, ...}; subsample as
     * {@code P[floor(k * n / wanted)]} for {@code k = 0 .. wanted-1}; FPS always starts at index 0.
     */
    public static MaskPointSampler deterministic() {
        return new MaskPointSampler((region, n, wanted) -> {
            int[] idx = new int[wanted];
            for (int k = 0; k < wanted; k++) {
                idx[k] = n <= wanted ? k % n : (int) ((long) k * n / wanted);
            }
            return idx;
        }, (stage, region, numPoints) -> 0);
    }

    /**
     * Explicit choices: {@code pointIndices.get(r)} are region {@code r}'s indices into its ordered pixels, and
     * {@code fpsStarts.get(s)[r]} is region {@code r}'s first centroid at stage {@code s}.
     */
    public static MaskPointSampler fixed(List<int[]> pointIndices, List<int[]> fpsStarts) {
        List<int[]> points = pointIndices.stream().map(int[]::clone).toList();
        List<int[]> starts = fpsStarts.stream().map(int[]::clone).toList();
        return new MaskPointSampler((region, n, wanted) -> {
            int[] idx = entry(points, region, "point indices").clone();
            if (idx.length != wanted) {
                throw new IllegalArgumentException("region " + region + ": " + idx.length
                        + " fixed point indices given, " + wanted + " needed");
            }
            for (int i : idx) {
                checkIndex(i, n, "region " + region + ": fixed point index");
            }
            return idx;
        }, (stage, region, numPoints) -> {
            int[] stageStarts = entry(starts, stage, "FPS starts of stage");
            int start = stageStarts.length > region ? stageStarts[region] : -1;
            checkIndex(start, numPoints, "stage " + stage + " region " + region + ": fixed FPS start");
            return start;
        });
    }

    /**
     * Every pixel of {@code mask} as a normalised point {@code (x/W, y/H)}, fp32, in the order
     * {@code nonzero()} visits the reference's x-major {@code [W, H]} mask: x ascending, then y ascending.
     *
     * @return {@code [n * 2]} interleaved {@code u, v}
     */
    public static float[] nonzeroPoints(Region.Mask mask) {
        int w = mask.width();
        int n = mask.pixelCount();
        int[] columnStart = new int[w + 1];
        for (int i = mask.nextPixel(0); i >= 0; i = mask.nextPixel(i + 1)) {
            columnStart[i % w + 1]++;
        }
        for (int x = 0; x < w; x++) {
            columnStart[x + 1] += columnStart[x];
        }
        // a stable counting sort by x of the row-major pixels keeps y ascending within each column
        float[] points = new float[n * 2];
        float fw = w;
        float fh = mask.height();
        for (int i = mask.nextPixel(0); i >= 0; i = mask.nextPixel(i + 1)) {
            int x = i % w;
            int slot = columnStart[x]++;
            points[2 * slot] = x / fw;                                 // int64 / int64 in torch → fp32 quotient
            points[2 * slot + 1] = (i / w) / fh;
        }
        return points;
    }

    /**
     * {@code count} points of region {@code region} (its index among the regions of one call): the mask's pixels
     * ({@link #nonzeroPoints}) padded or subsampled by this policy; a mask of exactly {@code count} pixels is kept
     * as it is, whatever the policy, as in the reference.
     *
     * @return {@code [count * 2]} interleaved {@code u, v}
     */
    public float[] samplePoints(int region, Region.Mask mask, int count) {
        float[] all = nonzeroPoints(mask);
        int n = all.length / 2;
        if (n == count) {
            return all;
        }
        int[] idx = picker.pick(region, n, count);
        float[] out = new float[count * 2];
        for (int k = 0; k < count; k++) {
            out[2 * k] = all[2 * idx[k]];
            out[2 * k + 1] = all[2 * idx[k] + 1];
        }
        return out;
    }

    /** The index, in {@code [0, numPoints)}, of the first FPS centroid of region {@code region} at {@code stage}. */
    public int fpsStart(int stage, int region, int numPoints) {
        return starter.start(stage, region, numPoints);
    }

    private static int[] identityPrefix(int n, int length) {
        int[] idx = new int[length];
        for (int i = 0; i < Math.min(n, length); i++) {
            idx[i] = i;
        }
        return idx;
    }

    private static int[] entry(List<int[]> list, int i, String what) {
        if (i >= list.size()) {
            throw new IllegalArgumentException("no fixed " + what + " " + i + ": only " + list.size() + " given");
        }
        return list.get(i);
    }

    private static void checkIndex(int i, int n, String what) {
        if (i < 0 || i >= n) {
            throw new IllegalArgumentException(what + " " + i + " outside [0, " + n + ")");
        }
    }
}
