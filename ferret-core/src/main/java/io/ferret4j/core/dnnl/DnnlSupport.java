package io.ferret4j.core.dnnl;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.Loader;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Whether the bf16 oneDNN path can run here: the CPU advertises {@code amx_bf16} or {@code avx512_bf16} in
 * {@code /proc/cpuinfo}, ND4J runs on the CPU backend, the oneDNN natives load, oneDNN itself dispatches a bf16
 * ISA, and nobody switched it off with {@code -Dferret4j.dnnl=off} (or {@code FERRET4J_DNNL=off}).
 */
public final class DnnlSupport {
    /** System property that, set to {@code off}, keeps every layer on ND4J fp32. */
    public static final String SWITCH_PROPERTY = "ferret4j.dnnl";
    /** Environment variable with the same meaning as {@link #SWITCH_PROPERTY}. */
    public static final String SWITCH_ENV = "FERRET4J_DNNL";

    private DnnlSupport() {
    }

    /** True when {@link DnnlBf16Matmul} can be built; false means: stay on {@code DenseLinear}. */
    public static boolean available() {
        return !switchedOff() && Native.STATE.failure == null;
    }

    /** One line saying why the path is or is not available, e.g. {@code "oneDNN 2.5.2, isa avx512_core_bf16"}. */
    public static String status() {
        if (switchedOff()) {
            return "switched off by -D" + SWITCH_PROPERTY + " or " + SWITCH_ENV;
        }
        return Native.STATE.failure != null ? Native.STATE.failure : Native.STATE.description;
    }

    /** Whether {@code /proc/cpuinfo} lists {@code amx_bf16} or {@code avx512_bf16} (false where it is unreadable). */
    public static boolean cpuSupportsBf16() {
        Set<String> flags = cpuFlags();
        return flags.contains("amx_bf16") || flags.contains("avx512_bf16");
    }

    /** The engine every primitive runs on; fails with {@link #status()} where the path is unavailable. */
    static dnnl_engine engine() {
        if (!available()) {
            throw new IllegalStateException("oneDNN bf16 path unavailable: " + status());
        }
        return Native.STATE.engine;
    }

    private static boolean switchedOff() {
        String value = System.getProperty(SWITCH_PROPERTY, System.getenv(SWITCH_ENV));
        return value != null && (value.equalsIgnoreCase("off") || value.equalsIgnoreCase("false"));
    }

    private static Set<String> cpuFlags() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("flags"))
                    .findFirst()
                    .map(l -> Arrays.stream(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))
                            .collect(Collectors.toSet()))
                    .orElse(Set.of());
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
    }

    /** Loaded on first use, so a process that never asks pays nothing and a missing library only disables the path. */
    private static final class Native {
        static final Native STATE = probe();

        final dnnl_engine engine;
        final String description;
        final String failure;

        private Native(dnnl_engine engine, String description, String failure) {
            this.engine = engine;
            this.description = description;
            this.failure = failure;
        }

        private static Native probe() {
            if (!cpuSupportsBf16()) {
                return failed("CPU lacks avx512_bf16 and amx_bf16 (flags of /proc/cpuinfo: " + cpuFlags().stream()
                        .filter(f -> f.startsWith("avx512") || f.startsWith("amx")).sorted().toList() + ")");
            }
            try {
                if (!Nd4j.getEnvironment().isCPU()) {
                    return failed("ND4J runs on " + Nd4j.getBackend().getClass().getSimpleName() + ", not the CPU");
                }
                Loader.load(dnnl.class);
                String isa = isaName(dnnl_get_effective_cpu_isa());
                if ((dnnl_get_effective_cpu_isa() & dnnl_cpu_isa_avx512_core_bf16) != dnnl_cpu_isa_avx512_core_bf16) {
                    return failed("oneDNN dispatches " + isa + ", which has no bf16 instructions");
                }
                dnnl_engine engine = new dnnl_engine();
                Dnnl.check(dnnl_engine_create(engine, dnnl_cpu, 0), "engine_create");
                var v = dnnl_version();
                return new Native(engine, "oneDNN " + v.major() + "." + v.minor() + "." + v.patch() + ", isa " + isa,
                        null);
            } catch (RuntimeException | LinkageError e) {
                return failed("oneDNN natives did not load: " + e);
            }
        }

        private static Native failed(String why) {
            return new Native(null, null, why);
        }

        private static String isaName(int isa) {
            if (isa == dnnl_cpu_isa_avx512_core_amx) {
                return "avx512_core_amx";
            } else if (isa == dnnl_cpu_isa_avx512_core_bf16) {
                return "avx512_core_bf16";
            } else if (isa == dnnl_cpu_isa_avx512_core_vnni) {
                return "avx512_core_vnni";
            } else if (isa == dnnl_cpu_isa_avx512_core) {
                return "avx512_core";
            }
            return "cpu_isa 0x" + Integer.toHexString(isa).toLowerCase(Locale.ROOT);
        }
    }
}
