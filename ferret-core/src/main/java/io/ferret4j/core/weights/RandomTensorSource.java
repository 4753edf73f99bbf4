package io.ferret4j.core.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * F32 tensors of given names and shapes, filled on request with seeded noise, for benchmarks of the real model
 * shapes without a checkpoint on disk: uniform with standard deviation 0.02, and 1 plus that noise for normalisation
 * weights (names ending in {@code norm.weight}, {@code norm1.weight}, {@code norm2.weight}).
 */
public final class RandomTensorSource implements TensorSource {
    private static final Pattern NORM_WEIGHT = Pattern.compile(".*norm[12]?\\.weight");
    private static final double HALF_WIDTH = 0.0346;                   // uniform(-a, a) has std a/√3 = 0.02

    private final Map<String, long[]> shapes;
    private final long seed;
    private final Path path;

    /** Tensors {@code shapes} (in this order), noise seeded by {@code seed} and each name. */
    public RandomTensorSource(Map<String, long[]> shapes, long seed, String label) {
        this.shapes = Collections.unmodifiableMap(new LinkedHashMap<>(shapes));
        this.seed = seed;
        this.path = Path.of(label);
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public Set<String> names() {
        return shapes.keySet();
    }

    @Override
    public RawTensor get(String name) {
        long[] shape = shapes.get(name);
        if (shape == null) {
            throw new CheckpointException(path, "no tensor '" + name + "'");
        }
        int n = Math.toIntExact(RawTensor.numel(shape));
        ByteBuffer bytes = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer f = bytes.asFloatBuffer();
        SplittableRandom random = new SplittableRandom(seed ^ name.hashCode());
        float base = NORM_WEIGHT.matcher(name).matches() ? 1f : 0f;
        for (int i = 0; i < n; i++) {
            f.put(i, base + (float) random.nextDouble(-HALF_WIDTH, HALF_WIDTH));
        }
        return new RawTensor(name, DType.F32, shape, bytes, path);
    }

    @Override
    public void close() {
    }
}
