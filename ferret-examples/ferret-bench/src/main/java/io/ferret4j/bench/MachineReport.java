package io.ferret4j.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.ferret4j.core.dnnl.DnnlSupport;
import io.ferret4j.core.kernels.KernelPool;
import io.ferret4j.core.kernels.RowKernels;

/**
 * The lines a benchmark's figures need beside them to mean anything: the CPU and its vector features, the JVM and
 * its options, the kernels and threads picked at run time, and the benchmark's own arguments.
 */
final class MachineReport {
    /** The {@code /proc/cpuinfo} flags that decide which kernels and products run. */
    private static final List<String> FEATURES = List.of("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16",
            "amx_bf16");

    private MachineReport() {
    }

    static void print(String benchmark, String[] args, PrintStream out) {
        List<String> cpuinfo = cpuinfo();
        Set<String> flags = field(cpuinfo, "flags").map(f -> Set.of(f.split("\\s+"))).orElse(Set.of());
        out.printf("benchmark %s %s%n", benchmark, String.join(" ", args));
        out.printf("cpu       %s, %d CPUs; %s%n", field(cpuinfo, "model name").orElse("(model not in /proc/cpuinfo)"),
                Runtime.getRuntime().availableProcessors(), FEATURES.stream()
                        .map(f -> (flags.contains(f) ? "" : "no ") + f).collect(Collectors.joining(" ")));
        out.printf("java      %s %s, options %s%n", System.getProperty("java.vm.name"), Runtime.version(),
                ManagementFactory.getRuntimeMXBean().getInputArguments());
        out.printf("kernels   %s, %d kernel threads, OMP_NUM_THREADS=%s; oneDNN bf16: %s%n", RowKernels.best().name(),
                KernelPool.shared().threads(), System.getenv().getOrDefault("OMP_NUM_THREADS", "(unset)"),
                DnnlSupport.status());
        out.println();
    }

    private static List<String> cpuinfo() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/cpuinfo (the benchmarks describe a Linux machine)", e);
        }
    }

    /** The first {@code name : value} line's value. */
    private static Optional<String> field(List<String> cpuinfo, String name) {
        return cpuinfo.stream().filter(l -> l.startsWith(name)).map(l -> l.substring(l.indexOf(':') + 1).strip())
                .findFirst();
    }
}
