package io.ferret4j.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import io.ferret4j.core.dnnl.DnnlBenchmark;
import io.ferret4j.core.kernels.Bf16PrefillBenchmark;
import io.ferret4j.core.kernels.KernelBenchmark;
import io.ferret4j.core.machine.MachineReport;
import io.ferret4j.encoder.ClipEncodeBenchmark;
import io.ferret4j.llm.LlamaDecoderBenchmark;
import io.ferret4j.sampler.GeoRegionSamplerBenchmark;

/**
 * Runs one component benchmark by name ({@code scripts/bench.sh NAME [ARGS]}), after printing the machine and the
 * settings it runs with ({@link MachineReport}). Each benchmark prints figures and asserts nothing; what they
 * measured on the project's machine is in docs/performance.md.
 */
public final class Benchmarks {
    /** A benchmark's entry point: its {@code main}. */
    @FunctionalInterface
    private interface Main {
        void run(String[] args) throws Exception;
    }

    private record Entry(Main main, String usage) {
    }

    private static final Map<String, Entry> BENCHMARKS = new LinkedHashMap<>();

    static {
        BENCHMARKS.put("kernels", new Entry(KernelBenchmark::main,
                "[cores|bandwidth|hot|decode|batch|crossover|prefill ...]  compact-weight row kernels (default: all)"));
        BENCHMARKS.put("bf16-prefill", new Entry(Bf16PrefillBenchmark::main,
                "[repetitions]  fp32 against bf16 tiles on LLaMA-7B prefill products"));
        BENCHMARKS.put("dnnl", new Entry(DnnlBenchmark::main,
                "[repetitions]  ND4J fp32 sgemm against oneDNN bf16 on CLIP and LLaMA products"));
        BENCHMARKS.put("clip-encode", new Entry(ClipEncodeBenchmark::main,
                "[runs [warm-up runs]]  CLIP ViT-L/14-336 image encode against the sgemm rate"));
        BENCHMARKS.put("decoder", new Entry(LlamaDecoderBenchmark::main,
                "[tiny|7b]  LLaMA prefill and decode on the tiny golden model or 2 layers of 7B width"));
        BENCHMARKS.put("sampler", new Entry(GeoRegionSamplerBenchmark::main,
                "[regions]  the region sampler at Ferret-7B's shapes"));
    }

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        Entry entry = args.length == 0 ? null : BENCHMARKS.get(args[0]);
        if (entry == null) {
            System.err.println((args.length == 0 ? "" : "unknown benchmark '" + args[0] + "'; ")
                    + "usage: scripts/bench.sh NAME [ARGS]");
            BENCHMARKS.forEach((name, e) -> System.err.printf("  %-13s %s%n", name, e.usage()));
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        System.out.printf("benchmark %s %s%n", args[0], String.join(" ", rest));
        MachineReport.read().lines().forEach(System.out::println);
        System.out.println();
        entry.main().run(rest);
    }
}
