package io.ferret4j.core.machine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.ferret4j.core.dnnl.DnnlSupport;
import io.ferret4j.core.kernels.KernelPool;
import io.ferret4j.core.kernels.RowKernels;

/**
 * What a benchmark's figures need beside them to mean anything: the CPU and its vector features, the JVM and its
 * options, and the kernels, threads and oneDNN products picked at run time.
 *
 * @param cpu        the CPU model, as {@code /proc/cpuinfo} names it
 * @param cpus       the processors the JVM may use
 * @param features   for each {@link #FEATURES} flag, whether the CPU has it
 * @param java       the JVM's name and version
 * @param jvmOptions the options the JVM was started with
 * @param kernels    the row kernels chosen at run time
 * @param threads    the kernel pool's threads
 * @param ompThreads {@code OMP_NUM_THREADS}, or {@code (unset)}
 * @param oneDnn     whether oneDNN's bf16 products run here, and if not why
 */
public record MachineReport(String cpu, int cpus, Map<String, Boolean> features, String java, List<String> jvmOptions,
                            String kernels, int threads, String ompThreads, String oneDnn) {

    /** The {@code /proc/cpuinfo} flags that decide which kernels and products run. */
    public static final List<String> FEATURES = List.of("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16",
            "amx_bf16");

    /** Reads this machine and JVM. */
    public static MachineReport read() {
        List<String> cpuinfo = cpuinfo();
        Set<String> flags = field(cpuinfo, "flags").map(f -> Set.of(f.split("\\s+"))).orElse(Set.of());
        Map<String, Boolean> features = new LinkedHashMap<>();
        FEATURES.forEach(f -> features.put(f, flags.contains(f)));
        return new MachineReport(field(cpuinfo, "model name").orElse("(model not in /proc/cpuinfo)"),
                Runtime.getRuntime().availableProcessors(), features,
                System.getProperty("java.vm.name") + " " + Runtime.version(),
                ManagementFactory.getRuntimeMXBean().getInputArguments(), RowKernels.best().name(),
                KernelPool.shared().threads(), System.getenv().getOrDefault("OMP_NUM_THREADS", "(unset)"),
                DnnlSupport.status());
    }

    /** The report as four lines for people. */
    public List<String> lines() {
        String flags = features.entrySet().stream().map(e -> (e.getValue() ? "" : "no ") + e.getKey())
                .collect(Collectors.joining(" "));
        return List.of(
                String.format("cpu       %s, %d CPUs; %s", cpu, cpus, flags),
                String.format("java      %s, options %s", java, jvmOptions),
                String.format("kernels   %s, %d kernel threads, OMP_NUM_THREADS=%s; oneDNN bf16: %s", kernels, threads,
                        ompThreads, oneDnn));
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
