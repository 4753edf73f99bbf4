package io.ferret4j.sampler;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.SafeTensorsWriter;

/** Writes {@code model.region_geo_sampler.*} with PyTorch-default-like random weights, for shapes without goldens. */
final class RandomSamplerCheckpoint {

    private RandomSamplerCheckpoint() {
    }

    /**
     * @param withHead also write {@code flatten_projector} and {@code dim_projector} (the flatten weight is
     *                 {@code [D, 32·D]}: 128 MiB at D = 1024)
     */
    static Path write(Path file, GeoRegionSamplerConfig c, boolean withHead, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        long d = c.inputDim();
        long loc = d + 2;
        SafeTensorsWriter out = new SafeTensorsWriter();
        String p = GeoRegionSampler.PREFIX;
        for (int s = 0; s < c.numStages(); s++) {
            linear(out, rng, p + "diff_projector_list." + s, new long[] {loc, loc}, loc);
            linear(out, rng, p + "agg_projector_list." + s + ".net.0", new long[] {d, 2 * loc, 1}, 2 * loc);
            out.add(p + "agg_projector_list." + s + ".norm.weight", DType.F32, new long[] {d},
                    uniform(rng.split(), d, 0.5, 1.5));
            out.add(p + "agg_projector_list." + s + ".norm.bias", DType.F32, new long[] {d},
                    uniform(rng.split(), d, -0.5, 0.5));
        }
        if (withHead) {
            long flat = d * c.numSubPoint().get(c.numStages() - 1);
            linear(out, rng, p + "flatten_projector", new long[] {d, flat}, flat);
            linear(out, rng, p + "dim_projector", new long[] {c.outputDim(), d}, d);
        }
        out.write(file);
        return file;
    }

    /** Weight and bias uniform in ±1/√fanIn, as {@code nn.Linear} / {@code nn.Conv1d} initialise them. */
    private static void linear(SafeTensorsWriter out, SplittableRandom rng, String name, long[] weightShape,
                               long fanIn) {
        double bound = 1 / Math.sqrt(fanIn);
        long numel = 1;
        for (long s : weightShape) {
            numel *= s;
        }
        out.add(name + ".weight", DType.F32, weightShape, uniform(rng.split(), numel, -bound, bound));
        out.add(name + ".bias", DType.F32, new long[] {weightShape[0]}, uniform(rng.split(), weightShape[0], -bound,
                bound));
    }

    private static Supplier<ByteBuffer> uniform(SplittableRandom rng, long n, double lo,
                                                                  double hi) {
        return () -> {
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(n * 4)).order(ByteOrder.LITTLE_ENDIAN);
            FloatBuffer f = b.asFloatBuffer();
            SplittableRandom r = rng.split();
            for (long i = 0; i < n; i++) {
                f.put((float) r.nextDouble(lo, hi));
            }
            return b;
        };
    }
}
