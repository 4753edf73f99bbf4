package io.ferret4j.core.dnnl;

import static org.bytedeco.dnnl.global.dnnl.dnnl_set_verbose;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import io.ferret4j.core.nn.DenseLinear;
import io.ferret4j.core.nn.Nd4jRuntime;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Compares ND4J fp32 sgemm ({@code Nd4j.gemm(x, W, out, false, true, 1, 0)} on the {@code [out, in]} weight)
 * with {@link DnnlBf16Matmul} on Ferret's big batched products: CLIP ViT-L's MLP ({@code 577×1024·1024×4096} and
 * back) and LLaMA-7B prefill ({@code 700×4096·4096×4096}, {@code ·4096×11008}), plus one decode row for contrast.
 * Twice: into a reused output ("product") and as {@code Linear.forward}, which allocates its output
 * ({@link DenseLinear} against {@link DnnlBf16Matmul}). Weights are warm (packed once, reused); all four run
 * interleaved so they see the same machine load; times are medians with the range in brackets. Also prints the
 * error of bf16 against fp32 and the ISA oneDNN dispatches. Run it with {@code scripts/bench.sh dnnl [repetitions]}.
 */
public final class DnnlBenchmark {
    private static final long[][] SHAPES = {                           // n, in, out
        {577, 1024, 4096}, {577, 4096, 1024}, {700, 4096, 4096}, {700, 4096, 11008}, {1, 4096, 11008}};

    private DnnlBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int repetitions = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        Nd4jRuntime.configure();                                       // BLAS on every core, as in the models
        if (!DnnlSupport.available()) {
            System.out.println("oneDNN bf16 path unavailable: " + DnnlSupport.status());
            return;
        }
        System.out.println(DnnlSupport.status() + "; load " + loadAverage());
        System.out.println("n x in x out         product: fp32 ms (GF/s) [range]  bf16 ms (GF/s) [range]  speed-up"
                + " | forward: fp32 ms  bf16 ms  speed-up | max|err|  max|err|/max|y|  ‖err‖/‖y‖");
        Nd4j.getRandom().setSeed(42);
        for (long[] s : SHAPES) {
            run(s[0], s[1], s[2], repetitions);
        }
        System.out.println("load " + loadAverage());
    }

    private static void run(long n, long in, long out, int repetitions) {
        INDArray weight = Nd4j.randn(DataType.FLOAT, out, in).muli(0.02);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, in);
        DenseLinear fp32 = new DenseLinear(weight, null);
        long t0 = System.nanoTime();
        DnnlBf16Matmul bf16 = new DnnlBf16Matmul(weight, null);
        double packMs = (System.nanoTime() - t0) / 1e6;
        if (n == SHAPES[0][0] && in == SHAPES[0][1]) {
            dnnl_set_verbose(1);                                       // one exec line naming the ISA, on stdout
            bf16.forward(x);
            dnnl_set_verbose(0);
        }
        INDArray expected = fp32.forward(x);
        INDArray actual = bf16.forward(x);
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, n, out);
        double[][] ms = new double[4][repetitions];                    // product fp32, bf16; forward fp32, bf16
        for (int r = 0; r < repetitions; r++) {
            ms[0][r] = millis(() -> Nd4j.gemm(x, weight, y, false, true, 1.0, 0.0));
            ms[1][r] = millis(() -> bf16.forward(x, y));
            ms[2][r] = millis(() -> fp32.forward(x));
            ms[3][r] = millis(() -> bf16.forward(x));
        }
        double flop = 2.0 * n * in * out;
        INDArray err = actual.sub(expected);
        double maxErr = err.amaxNumber().doubleValue();
        System.out.printf("%4d x %5d x %5d   %7.2f (%3.0f) [%s]   %7.2f (%3.0f) [%s]   %4.2fx  | %7.2f  %7.2f   %4.2fx"
                        + "  | %.2e   %.2e   %.2e%n",
                n, in, out, median(ms[0]), flop / median(ms[0]) / 1e6, range(ms[0]),
                median(ms[1]), flop / median(ms[1]) / 1e6, range(ms[1]), median(ms[0]) / median(ms[1]),
                median(ms[2]), median(ms[3]), median(ms[2]) / median(ms[3]),
                maxErr, maxErr / expected.amaxNumber().doubleValue(),
                err.norm2Number().doubleValue() / expected.norm2Number().doubleValue());
        System.out.printf("      %s; bf16 weight %.1f MB (fp32 %.1f MB), packed in %.0f ms%n", bf16.implementation(n),
                bf16.weightBytes() / 1e6, 4.0 * in * out / 1e6, packMs);
    }

    private static double millis(Runnable body) {
        long t0 = System.nanoTime();
        body.run();
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String range(double[] values) {
        return String.format("%.1f-%.1f", Arrays.stream(values).min().orElse(0), Arrays.stream(values).max().orElse(0));
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }
}
