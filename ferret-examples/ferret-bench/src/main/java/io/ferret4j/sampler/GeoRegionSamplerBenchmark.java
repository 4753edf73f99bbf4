package io.ferret4j.sampler;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import io.ferret4j.core.nn.Nd4jRuntime;
import io.ferret4j.core.probe.Probe;
import io.ferret4j.core.region.Region;
import io.ferret4j.core.weights.SafeTensors;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Latency of one region through the sampler at Ferret-7B's shapes (D = 1024, H = 4096, 576 patches) with random
 * weights. Run it with {@code scripts/bench.sh sampler [regions]}; it prints the numbers and asserts nothing.
 */
public final class GeoRegionSamplerBenchmark {

    private GeoRegionSamplerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Nd4jRuntime.configure();
        int regions = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        GeoRegionSamplerConfig config = GeoRegionSamplerConfig.of(1024, 4096, PoolerMode.MAX);
        Path dir = Files.createTempDirectory("sampler-bench");
        Path file = RandomSamplerCheckpoint.write(dir.resolve("sampler.safetensors"), config, true, 7);
        try (SafeTensors st = SafeTensors.open(file)) {
            GeoRegionSampler sampler = GeoRegionSampler.load(Weights.of(st), config);
            SplittableRandom rng = new SplittableRandom(3);
            float[] f = new float[576 * 1024];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) rng.nextDouble(-2, 2);
            }
            INDArray features = Nd4j.create(f, new long[] {576, 1024}, 'c');
            List<Region> boxes = Collections.nCopies(regions, new Region.Box(100, 80, 400, 300));
            MaskPointSampler points = MaskPointSampler.random(new Random(11));
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long[] nanos = new long[50];
            for (int warm = 0; warm < 10; warm++) {
                sampler.forward(features, boxes, 640, 480, points, Probe.NONE);
            }
            long cpu0 = os.getProcessCpuTime();
            for (int i = 0; i < nanos.length; i++) {
                long t0 = System.nanoTime();
                sampler.forward(features, boxes, 640, 480, points, Probe.NONE);
                nanos[i] = System.nanoTime() - t0;
            }
            double cpuPerRun = (os.getProcessCpuTime() - cpu0) / 1e6 / nanos.length;
            Arrays.sort(nanos);
            System.out.printf("GeoRegionSampler D=1024 H=4096, %d region(s) of a 301x221 box, %d runs: wall median "
                    + "%.1f ms (min %.1f, max %.1f); process CPU %.1f ms per run; load average %.1f on %d cores%n",
                    regions, nanos.length, nanos[nanos.length / 2] / 1e6, nanos[0] / 1e6,
                    nanos[nanos.length - 1] / 1e6, cpuPerRun, os.getSystemLoadAverage(),
                    os.getAvailableProcessors());
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }
}
