package io.ferret4j.core.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import io.ferret4j.core.dnnl.Bf16TileProduct;
import io.ferret4j.core.dnnl.DnnlSupport;
import io.ferret4j.core.nn.Nd4jRuntime;
import io.ferret4j.core.plan.Precision;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The batched route of {@link MatMul} in fp32 (tiles widened for ND4J sgemm) against bf16 (tiles rounded for
 * oneDNN) on LLaMA-7B prefill products: {@code [714, 4096]·[11008, 4096]ᵀ} (gate/up),
 * {@code [714, 4096]·[4096, 4096]ᵀ} (q/k/v/o) and {@code [714, 11008]·[4096, 11008]ᵀ} (down), 714 rows being 576
 * image rows plus a prompt, F16 and Q8_0 weights: fp32 and bf16 with their default tiles (32 and 96 MiB, the
 * latter holding each of these weights whole), and bf16 in 32 MiB tiles. All variants run interleaved so they
 * share the machine's load; times are medians with the range. Also prints the relative error of bf16 against
 * fp32 and the oneDNN implementation of each tile size. Run it with
 * {@code scripts/bench.sh bf16-prefill [repetitions]}.
 */
public final class Bf16PrefillBenchmark {
    private static final int N = 714;
    private static final int[][] SHAPES = {{11008, 4096}, {4096, 4096}, {4096, 11008}};   // out, in
    /** fp32-sized bf16 tiles: parts of the larger weights. */
    private static final long SMALL_TILE_BYTES = MatMul.DEFAULT_TILE_BYTES;

    private Bf16PrefillBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int repetitions = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        Nd4jRuntime.configure();
        System.out.printf(Locale.ROOT, "java %s, kernels %s, %d kernel threads; %s; load %s%n", Runtime.version(),
                RowKernels.best().name(), KernelPool.shared().threads(), DnnlSupport.status(), loadAverage());
        if (!DnnlSupport.available()) {
            return;
        }
        MatMul fp32 = MatMul.defaults();
        MatMul bf16 = MatMul.defaults(Precision.BF16);
        MatMul smallTiles = new MatMul(KernelPool.shared(), RowKernels.best(), MatMul.DEFAULT_GEMM_MIN_ROWS,
                SMALL_TILE_BYTES, Precision.BF16);
        SplittableRandom random = new SplittableRandom(5);
        List<String> labels = new ArrayList<>();
        List<Runnable> calls = new ArrayList<>();
        for (int[] shape : SHAPES) {
            int out = shape[0];
            int in = shape[1];
            INDArray x = Nd4j.create(TestMatrices.floats(random, N * in, 1), new long[] {N, in}, 'c');
            printImplementations(x, out, MatMul.DEFAULT_BF16_TILE_BYTES, SMALL_TILE_BYTES);
            for (CompactMatrix w : new CompactMatrix[] {TestMatrices.randomF16(random, out, in, true),
                    Q8_0.quantize(TestMatrices.floats(random, out * in, 0.02), out, in)}) {
                String name = (w instanceof F16Matrix ? "F16 " : "Q8_0 ") + out + "x" + in;
                INDArray expected = fp32.gemm(w, x);
                INDArray actual = bf16.gemm(w, x);
                System.out.printf(Locale.ROOT, "  %-16s bf16 vs fp32: ‖err‖/‖y‖ %.2e, max|err|/max|y| %.2e%n",
                        name, actual.sub(expected).norm2Number().doubleValue() / expected.norm2Number().doubleValue(),
                        actual.sub(expected).amaxNumber().doubleValue() / expected.amaxNumber().doubleValue());
                labels.add(name + " fp32");
                calls.add(() -> fp32.gemm(w, x));
                labels.add(name + " bf16");
                calls.add(() -> bf16.gemm(w, x));
                labels.add(name + " bf16 32M");
                calls.add(() -> smallTiles.gemm(w, x));
            }
        }
        double[][] ms = new double[calls.size()][repetitions];
        for (int r = 0; r < repetitions; r++) {
            for (int v = 0; v < calls.size(); v++) {
                long t0 = System.nanoTime();
                calls.get(v).run();
                ms[v][r] = (System.nanoTime() - t0) / 1e6;
            }
        }
        System.out.println("product                   median ms  GFLOP/s  [range ms]      speed-up over fp32");
        for (int v = 0; v < calls.size(); v++) {
            int[] shape = SHAPES[v / 6];
            double median = median(ms[v]);
            System.out.printf(Locale.ROOT, "%-24s %9.1f  %7.0f  [%.1f-%.1f]%s%n", labels.get(v), median,
                    2.0 * N * shape[0] * shape[1] / median / 1e6, Arrays.stream(ms[v]).min().orElse(0),
                    Arrays.stream(ms[v]).max().orElse(0), v % 3 == 0 ? ""
                            : String.format(Locale.ROOT, "   %.2fx", median(ms[v - v % 3]) / median));
        }
        System.out.println("load " + loadAverage());
    }

    /** Which oneDNN implementation multiplies the tiles of each tile size. */
    private static void printImplementations(INDArray x, int out, long... tileBytes) {
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, N, out);
        try (Bf16TileProduct product = Bf16TileProduct.start(x, y, KernelPool.shared().threads())) {
            for (long bytes : tileBytes) {
                long t = Math.min(out, bytes / (2 * x.size(1)));
                System.out.printf(Locale.ROOT, "[%d, %d]·[%d, %d]ᵀ, bf16 tiles of %d MiB: %d rows %s%s%n", N,
                        x.size(1), out, x.size(1), bytes >> 20, t, product.implementation(t),
                        out % t == 0 ? "" : ", last " + out % t + " rows " + product.implementation(out % t));
            }
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }
}
