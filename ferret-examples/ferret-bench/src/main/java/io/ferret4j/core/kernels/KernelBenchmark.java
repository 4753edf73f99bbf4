package io.ferret4j.core.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

import io.ferret4j.core.nn.Nd4jRuntime;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.weights.Float16;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measures the compact-weight kernels on this machine (a main, not a test). "Cold" runs rotate over at least
 * {@value #COLD_BYTES} bytes of distinct matrices so every product streams its weights from DRAM, as a 7B decode
 * step does. Sections (arguments, default all): {@code cores bandwidth hot decode batch crossover prefill}. Run it
 * with {@code scripts/bench.sh kernels [SECTION...]}; {@code -Dkernels=F16,Q8_0-copy,...} picks the weight variants of
 * {@code hot}, {@code decode} and {@code batch}, {@code -Dns=1,2,4,8} the input row counts of {@code batch}.
 */
public final class KernelBenchmark {
    static final long COLD_BYTES = 2L << 30;
    private static final double WARMUP_S = 1.5;
    private static final int RUNS = 7;
    private static final double RUN_S = 0.4;
    private static final int BURSTS = 15;
    private static final double BURST_S = 0.12;
    private static final int PREFILL_ROUNDS = 5;

    private final ByteBuffer arena;                                    // direct memory for "mapped" weights
    private final SplittableRandom random = new SplittableRandom(7);

    private KernelBenchmark() {
        arena = ByteBuffer.allocateDirect((int) Math.min(Integer.MAX_VALUE - 8L, COLD_BYTES + (256L << 20)))
                .order(ByteOrder.LITTLE_ENDIAN);
        fillHalves(arena);
    }

    public static void main(String[] args) {
        List<String> sections = args.length == 0 ? List.of("cores", "bandwidth", "hot", "decode", "batch", "crossover",
                "prefill")
                : Arrays.asList(args);
        Nd4jRuntime.configure();
        System.out.printf(Locale.ROOT, "java %s, kernels %s, %d cores, kernel threads up to %d%n",
                Runtime.version(), RowKernels.best().name(), Runtime.getRuntime().availableProcessors(),
                KernelPool.shared().threads());
        KernelBenchmark b = new KernelBenchmark();
        if (sections.contains("cores")) {
            cores();
        }
        if (sections.contains("bandwidth")) {
            b.bandwidth();
        }
        if (sections.contains("hot")) {
            b.hot();
        }
        if (sections.contains("decode")) {
            b.decode();
        }
        if (sections.contains("batch")) {
            b.batch();
        }
        if (sections.contains("crossover")) {
            b.crossover();
        }
        if (sections.contains("prefill")) {
            b.prefill();
        }
    }

    // ---------------------------------------------------------------- compute peak

    /** Vector FMA throughput on 1 and 2 threads: tells real cores from hyper-threads sharing one core's FPUs. */
    private static void cores() {
        System.out.println("\n== fp32 FMA peak (8 independent chains per thread), GFLOP/s best of 5");
        for (int threads : new int[] {1, 2}) {
            try (KernelPool pool = new KernelPool(threads)) {
                double best = Double.MAX_VALUE;
                float[] sink = new float[2];
                long iterations = 20_000_000L;
                for (int rep = 0; rep < 5; rep++) {
                    long start = System.nanoTime();
                    pool.forEachRange(threads, 1, (a, b) -> sink[a] += fmaChains(iterations));
                    best = Math.min(best, (System.nanoTime() - start) / 1e9);
                }
                double flops = threads * iterations * 8.0 * 2 * FloatVector.SPECIES_PREFERRED.length();
                System.out.printf(Locale.ROOT, "  %d thread(s): %6.1f GFLOP/s%n", threads, flops / best / 1e9);
            }
        }
    }

    private static float fmaChains(long iterations) {
        VectorSpecies<Float> f = FloatVector.SPECIES_PREFERRED;
        FloatVector m = FloatVector.broadcast(f, 0.999999f);
        FloatVector c = FloatVector.broadcast(f, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(f, 1);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector a4 = a0;
        FloatVector a5 = a0;
        FloatVector a6 = a0;
        FloatVector a7 = a0;
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).reduceLanes(VectorOperators.ADD);
    }

    // ---------------------------------------------------------------- memory bandwidth

    /**
     * Read bandwidth two ways, 1 and 2 threads: the direct arena streamed through a 16 KB array (bulk copies, the
     * kernels' access pattern for mapped weights) and 2 GB of heap float arrays summed with vectors in place.
     */
    private void bandwidth() {
        System.out.println("\n== memory read bandwidth, GB/s (median, best, spread of runs)");
        long bytes = arena.capacity() & ~((1L << 14) - 1);
        float[][] heap = new float[8][1 << 26];                        // 8 x 256 MB
        for (float[] h : heap) {
            Arrays.fill(h, 1f);
        }
        for (int threads : new int[] {1, 2}) {
            try (KernelPool pool = new KernelPool(threads)) {
                int chunks = (int) (bytes >> 14);
                double[] sink = new double[16];
                Stats copy = measure(() -> pool.forEachRange(chunks, 1, (a, b) -> {
                    LongBuffer lb = arena.asLongBuffer();
                    long[] scratch = new long[2048];
                    long sum = 0;
                    for (int c = a; c < b; c++) {
                        lb.get(c * 2048, scratch, 0, 2048);
                        sum += scratch[c & 2047];
                    }
                    sink[a == 0 ? 0 : 8] += sum;
                }), 1);
                int parts = heap.length * 64;                          // 4 MB pieces
                Stats inPlace = measure(() -> pool.forEachRange(parts, 1, (a, b) -> {
                    double sum = 0;
                    for (int p = a; p < b; p++) {
                        int from = (p % 64) * (heap[0].length / 64);
                        sum += RowKernels.best().sum(heap[p / 64], from, from + heap[0].length / 64);
                    }
                    sink[a == 0 ? 0 : 8] += sum;
                }), 1);
                long heapBytes = (long) heap.length * heap[0].length * 4;
                System.out.printf(Locale.ROOT, "  %d thread(s): direct via 16 KB copies %5.1f %5.1f (%s);"
                                + "  heap in place %5.1f %5.1f (%s)%n", threads,
                        bytes / copy.median / 1e9, bytes / copy.best / 1e9, copy,
                        heapBytes / inPlace.median / 1e9, heapBytes / inPlace.best / 1e9, inPlace);
            }
        }
    }

    // ---------------------------------------------------------------- decode matvec

    /** The kernel variants to compare, all unless {@code -Dkernels=F16,Q8_0-heap,...} names some. */
    private static String[] selected() {
        String only = System.getProperty("kernels");
        return only == null ? new String[] {"F16", "F16-copy", "Q8_0", "Q8_0-copy", "Q8_0-heap", "Q4_0", "Q4_0-copy",
                "Q4_0-heap"} : only.split(",");
    }

    /** The matrices a variant reads: "Q8_0-copy" reads those of "Q8_0" through the copying kernels. */
    private static String matrices(String label) {
        return label.endsWith("-copy") ? label.substring(0, label.length() - "-copy".length()) : label;
    }

    /** One small matrix used over and over (mostly cache-resident): the kernels' compute-bound speed. */
    private void hot() {
        System.out.println("\n== hot matvec (one 1024x4096 matrix, mostly cache-resident): compute-bound speed, interleaved");
        String[] labels = selected();
        RowKernels copying = new VectorRowKernels(false);
        float[] x = randomFloats(4096);
        float[] y = new float[1024];
        for (int threads : new int[] {1, 2}) {
            try (KernelPool pool = new KernelPool(threads)) {
                List<Runnable> calls = new ArrayList<>();
                List<CompactMatrix> ws = new ArrayList<>();
                for (String label : labels) {
                    CompactMatrix w = coldSet(matrices(label), 1024, 4096).get(0);
                    MatMul mm = MatMul.defaults().withPool(pool);
                    MatMul run = label.endsWith("copy") ? mm.withKernels(copying) : mm;
                    ws.add(w);
                    calls.add(() -> run.matvec(w, x, 1, y));
                }
                Stats[] stats = interleaved(calls);
                for (int v = 0; v < labels.length; v++) {
                    System.out.printf(Locale.ROOT, "  %-10s %d thread(s): best %6.1f us = %5.1f GB/s, median %6.1f us%n",
                            labels[v], threads, stats[v].best * 1e6, ws.get(v).byteSize() / stats[v].best / 1e9,
                            stats[v].median * 1e6);
                }
            }
        }
    }

    private void decode() {
        System.out.println("\n== decode matvec, cold (weights rotate over >= 2 GB), y = W x. 'F16', 'Q8_0' and 'Q4_0' sit in"
                + " direct memory like a mapped file; 'copy' copies each row into an array first; 'heap' was quantised"
                + " at load. Variants interleaved in bursts; best = min over bursts (the quietest), med = median");
        System.out.println("  format        shape        thr   best ms   med ms   GB/s(best)  GB/s(med)");
        RowKernels copying = new VectorRowKernels(false);
        String[] labels = selected();
        for (int[] shape : new int[][] {{4096, 4096}, {11008, 4096}}) {
            List<List<CompactMatrix>> sets = new ArrayList<>();
            for (String label : labels) {
                sets.add(coldSet(matrices(label), shape[0], shape[1]));
            }
            float[] x = randomFloats(shape[1]);
            float[] y = new float[shape[0]];
            for (int threads : new int[] {1, 2}) {
                try (KernelPool pool = new KernelPool(threads)) {
                    List<Runnable> calls = new ArrayList<>();
                    for (int v = 0; v < labels.length; v++) {
                        MatMul mm = MatMul.defaults().withPool(pool);
                        MatMul run = labels[v].endsWith("copy") ? mm.withKernels(copying) : mm;
                        List<CompactMatrix> set = sets.get(v);
                        int[] next = {0};
                        calls.add(() -> run.matvec(set.get(next[0]++ % set.size()), x, 1, y));
                    }
                    Stats[] stats = interleaved(calls);
                    for (int v = 0; v < labels.length; v++) {
                        long wb = sets.get(v).get(0).byteSize();
                        System.out.printf(Locale.ROOT, "  %-12s %5dx%-5d  %d   %7.3f  %7.3f    %7.1f    %7.1f%n", labels[v],
                                shape[0], shape[1], threads, stats[v].best * 1e3, stats[v].median * 1e3,
                                wb / stats[v].best / 1e9, wb / stats[v].median / 1e9);
                    }
                }
            }
            sets.clear();
        }
    }

    // ---------------------------------------------------------------- batched decoding

    /**
     * The kernel route for n input rows at once (several sequences decoding together), 11008x4096, cold: time per
     * call, input rows per second and both against n = 1. All n of one weight variant and thread count are
     * interleaved, so load from other processes hits them alike.
     */
    private void batch() {
        String only = System.getProperty("kernels");
        String[] labels = only == null ? new String[] {"F16", "Q8_0"} : only.split(",");
        int[] ns = Arrays.stream(System.getProperty("ns", "1,2,4,8").split(",")).mapToInt(Integer::parseInt).toArray();
        System.out.println("\n== batched decoding: y [n, 11008] = x [n, 4096] W^T, cold, n input rows per call;"
                + " best = min over interleaved bursts, med = median; rows/s and the ratios from the median");
        System.out.printf(Locale.ROOT, "  format       thr    n   best ms    med ms     rows/s   time / time(n=%d)"
                + "  rows/s / rows/s(n=%d)%n", ns[0], ns[0]);
        RowKernels copying = new VectorRowKernels(false);
        for (String label : labels) {
            List<CompactMatrix> set = coldSet(label.startsWith("F16") ? "F16" : label.endsWith("heap") ? "Q8_0-heap"
                    : "Q8_0", 11008, 4096);
            for (int threads : new int[] {1, 2}) {
                try (KernelPool pool = new KernelPool(threads)) {
                    MatMul mm = MatMul.defaults().withPool(pool);
                    MatMul run = label.endsWith("copy") ? mm.withKernels(copying) : mm;
                    List<Runnable> calls = new ArrayList<>();
                    for (int n : ns) {
                        float[] x = randomFloats(n * 4096);
                        float[] y = new float[n * 11008];
                        int[] next = {0};
                        calls.add(() -> run.matvec(set.get(next[0]++ % set.size()), x, n, y));
                    }
                    Stats[] stats = interleaved(calls);
                    for (int v = 0; v < ns.length; v++) {
                        double perSecond = ns[v] / stats[v].median;
                        System.out.printf(Locale.ROOT, "  %-12s %d  %4d  %8.2f  %8.2f  %9.0f  %10.2f  %14.2f%n", label,
                                threads, ns[v], stats[v].best * 1e3, stats[v].median * 1e3, perSecond,
                                stats[v].median / stats[0].median, perSecond / (ns[0] / stats[0].median));
                    }
                }
            }
            set.clear();
        }
    }

    // ---------------------------------------------------------------- crossover between the two routes

    private void crossover() {
        System.out.println("\n== kernel route vs sgemm route by input rows n, 11008x4096, cold, 2 threads (ms)");
        System.out.println("  format   n    kernels    sgemm");
        for (String format : new String[] {"F16", "Q8_0-heap"}) {
            List<CompactMatrix> set = coldSet(format, 11008, 4096);
            for (int n : new int[] {1, 2, 4, 8, 12, 16, 24, 32, 64}) {
                INDArray x = Nd4j.create(randomFloats(n * 4096), new long[] {n, 4096}, 'c');
                MatMul mm = MatMul.defaults();
                int[] next = {0};
                Stats k = measure(() -> mm.matvec(set.get(next[0]++ % set.size()), x), 1);
                Stats g = measure(() -> mm.gemm(set.get(next[0]++ % set.size()), x), 1);
                System.out.printf(Locale.ROOT, "  %-8s %3d  %8.2f  %8.2f%n", format, n, k.median * 1e3,
                        g.median * 1e3);
            }
        }
    }

    // ---------------------------------------------------------------- prefill

    private void prefill() {
        int n = 700;
        int in = 4096;
        int out = 11008;
        double flop = 2.0 * n * in * out;
        System.out.printf(Locale.ROOT, "%n== prefill [%d,%d] x [%d,%d]^T, GFLOP/s (best, median of interleaved rounds)%n",
                n, in, out, in);
        INDArray x = Nd4j.create(randomFloats(n * in), new long[] {n, in}, 'c');
        INDArray w32 = Nd4j.create(randomFloats(out * in), new long[] {out, in}, 'c');
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, n, out);
        F16Matrix f16 = (F16Matrix) coldSet("F16", out, in).get(0);
        Q8_0 q8 = Q8_0.quantize(w32.data().asFloat(), out, in);
        List<String> labels = new ArrayList<>(List.of("ND4J sgemm, fp32 W"));
        List<Runnable> calls = new ArrayList<>(List.of(() -> Nd4j.gemm(x, w32, y, false, true, 1.0, 0.0)));
        for (int tile : new int[] {256, 512, 1024, 2048}) {
            MatMul mm = new MatMul(KernelPool.shared(), RowKernels.best(), 2, 4L * in * tile, Precision.FP32);
            labels.add("F16 tile " + tile);
            calls.add(() -> mm.gemm(f16, x));
            labels.add("Q8_0 tile " + tile);
            calls.add(() -> mm.gemm(q8, x));
        }
        double[][] per = new double[calls.size()][PREFILL_ROUNDS];
        for (Runnable call : calls) {
            call.run();                                                // warm-up, pages tiles in
        }
        for (int round = 0; round < PREFILL_ROUNDS; round++) {
            for (int v = 0; v < calls.size(); v++) {
                long start = System.nanoTime();
                calls.get(v).run();
                per[v][round] = (System.nanoTime() - start) / 1e9;
            }
        }
        for (int v = 0; v < calls.size(); v++) {
            Arrays.sort(per[v]);
            System.out.printf(Locale.ROOT, "  %-20s %6.1f  %6.1f   (%.0f ms best)%n", labels.get(v), flop / per[v][0] / 1e9,
                    flop / per[v][PREFILL_ROUNDS / 2] / 1e9, per[v][0] * 1e3);
        }
        INDArray viaTiles = MatMul.defaults().gemm(q8, x);
        INDArray dense = MatMul.defaults().withKernels(RowKernels.scalar()).matvec(q8, x.get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2), org.nd4j.linalg.indexing.NDArrayIndex.all()));
        System.out.printf(Locale.ROOT, "  check: tiled sgemm vs scalar kernels on 2 rows, max |diff| %.2e%n",
                viaTiles.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2),
                        org.nd4j.linalg.indexing.NDArrayIndex.all()).sub(dense).amaxNumber().doubleValue());
    }

    // ---------------------------------------------------------------- data

    /**
     * Distinct matrices totalling at least {@link #COLD_BYTES}: "F16", "Q8_0" and "Q4_0" in direct memory, "Q8_0-heap"
     * and "Q4_0-heap" with their quants in heap arrays.
     */
    private List<CompactMatrix> coldSet(String format, int rows, int cols) {
        IntFunction<CompactMatrix> make;
        long each;
        if (format.equals("F16")) {
            each = 2L * rows * cols;
            make = i -> F16Matrix.of(slice(i * each, each), rows, cols);
        } else if (format.equals("Q8_0")) {
            long q = (long) rows * cols;
            each = q + q / 16;
            make = i -> Q8_0.of(slice(i * each, q), slice(i * each + q, q / 16), rows, cols);
        } else if (format.equals("Q8_0-heap")) {
            long q = (long) rows * cols;
            each = q + q / 16;
            make = i -> Q8_0.of(ByteBuffer.wrap(randomBytes(q)), slice(i * q / 16, q / 16), rows, cols);
        } else if (format.equals("Q4_0")) {
            long p = (long) rows * cols / 2;
            each = p + p / 8;
            make = i -> Q4_0.of(slice(i * each, p), slice(i * each + p, p / 8), rows, cols);
        } else if (format.equals("Q4_0-heap")) {
            long p = (long) rows * cols / 2;
            each = p + p / 8;
            make = i -> Q4_0.of(ByteBuffer.wrap(randomBytes(p)), slice(i * p / 8, p / 8), rows, cols);
        } else {
            throw new IllegalArgumentException("unknown variant matrices '" + format + "'");
        }
        int count = (int) Math.min((COLD_BYTES + each - 1) / each, arena.capacity() / each);
        List<CompactMatrix> set = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            set.add(make.apply(i));
        }
        return set;
    }

    private byte[] randomBytes(long n) {
        byte[] b = new byte[Math.toIntExact(n)];
        random.nextBytes(b);
        return b;
    }

    private ByteBuffer slice(long offset, long length) {
        return arena.duplicate().position((int) offset).limit((int) (offset + length)).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Random N(0, 0.05) halves (no subnormals, inf or NaN), also valid as int8 quants. */
    private void fillHalves(ByteBuffer b) {
        short[] pattern = new short[1 << 20];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = Float16.fromFloat((float) (random.nextDouble(-1, 1) * 0.05 + 0.001));
        }
        var sb = b.duplicate().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        int shift = 0;
        while (sb.remaining() > 0) {
            int len = Math.min(sb.remaining(), pattern.length - shift);
            sb.put(pattern, shift, len);
            shift = (shift + 4099) % pattern.length;
        }
    }

    private float[] randomFloats(int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) random.nextDouble(-1, 1);
        }
        return f;
    }

    // ---------------------------------------------------------------- timing

    private record Stats(double median, double best, double spread) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.0f%%", spread * 100);
        }
    }

    /**
     * Seconds per call of each of {@code calls}, measured in alternating bursts of {@value #BURST_S} s so that load from
     * other processes hits all variants alike: the best burst approximates a quiet machine.
     */
    private static Stats[] interleaved(List<Runnable> calls) {
        for (Runnable call : calls) {
            long end = System.nanoTime() + (long) (WARMUP_S * 1e9 / calls.size() + 0.3e9);
            while (System.nanoTime() < end) {
                call.run();
            }
        }
        double[][] per = new double[calls.size()][BURSTS];
        for (int b = 0; b < BURSTS; b++) {
            for (int v = 0; v < calls.size(); v++) {
                long start = System.nanoTime();
                int n = 0;
                while (System.nanoTime() - start < BURST_S * 1e9) {
                    calls.get(v).run();
                    n++;
                }
                per[v][b] = (System.nanoTime() - start) / 1e9 / n;
            }
        }
        Stats[] out = new Stats[calls.size()];
        for (int v = 0; v < calls.size(); v++) {
            Arrays.sort(per[v]);
            out[v] = new Stats(per[v][BURSTS / 2], per[v][0], (per[v][BURSTS - 1] - per[v][0]) / per[v][BURSTS / 2]);
        }
        return out;
    }

    /** Seconds per call: warm-up, then {@value #RUNS} runs of at least {@code minCalls} calls and {@value #RUN_S} s. */
    private static Stats measure(Runnable call, int minCalls) {
        long end = System.nanoTime() + (long) (WARMUP_S * 1e9);
        while (System.nanoTime() < end) {
            call.run();
        }
        double[] per = new double[RUNS];
        for (int r = 0; r < RUNS; r++) {
            long start = System.nanoTime();
            int calls = 0;
            while (calls < minCalls || System.nanoTime() - start < RUN_S * 1e9) {
                call.run();
                calls++;
            }
            per[r] = (System.nanoTime() - start) / 1e9 / calls;
        }
        Arrays.sort(per);
        return new Stats(per[RUNS / 2], per[0], (per[RUNS - 1] - per[0]) / per[RUNS / 2]);
    }
}
