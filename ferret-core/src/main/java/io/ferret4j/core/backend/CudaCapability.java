package io.ferret4j.core.backend;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses, with one message naming the compute capability, a GPU that ND4J's CUDA backend cannot run on, before the
 * backend loads: {@code libnd4jcuda.so} of {@code nd4j-cuda-11.6:1.0.0-M2.1} carries machine code for sm_37 to sm_86
 * and no PTX. Machine code runs on GPUs of its own major version with an equal or higher minor one (CUDA's binary
 * compatibility), so the backend runs on compute capability 3.7 to 8.x (8.9 runs the sm_86 code), and on a GPU of
 * a later major version (H100/H200, sm_90) every kernel launch would fail with "no kernel image is available" deep
 * inside native code. The capabilities are read with {@code nvidia-smi}, which ships with the driver, so no CUDA
 * library is loaded to find out.
 */
public final class CudaCapability {
    /** The oldest GPU generation the backend's binaries hold machine code for. */
    public static final Sm MIN = new Sm(3, 7);
    /** The newest; it also runs on later minor versions of major 8, and there is no PTX for later majors. */
    public static final Sm MAX = new Sm(8, 6);
    private static final Logger LOG = LoggerFactory.getLogger(CudaCapability.class);
    private static final List<String> QUERY = List.of("nvidia-smi", "--query-gpu=index,name,compute_cap",
            "--format=csv,noheader");
    private static volatile boolean checked;

    private CudaCapability() {
    }

    /** A compute capability, {@code major.minor}. */
    public record Sm(int major, int minor) implements Comparable<Sm> {
        /** Parses nvidia-smi's {@code 8.0}. */
        public static Sm parse(String text) {
            String[] parts = text.strip().split("\\.");
            if (parts.length == 2 && parts[0].matches("\\d{1,2}") && parts[1].matches("\\d")) {
                return new Sm(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            }
            throw new IllegalArgumentException("expected a compute capability such as 8.0, got '" + text + "'");
        }

        @Override
        public int compareTo(Sm o) {
            return Integer.compare(major * 10 + minor, o.major * 10 + o.minor);
        }

        /** {@code sm_80} for 8.0. */
        @Override
        public String toString() {
            return "sm_" + major + minor;
        }
    }

    /** One GPU as nvidia-smi lists it. */
    public record Gpu(int index, String name, Sm capability) {
    }

    /**
     * On the CUDA backend, checks every GPU this process may use (all, or those {@code CUDA_VISIBLE_DEVICES} lists
     * by index), once per process; does nothing on other backends. If nvidia-smi cannot be run, logs a warning naming
     * the supported range and lets the backend try.
     *
     * @throws IllegalStateException naming the GPU, its compute capability and the supported range
     */
    public static void checkVisibleGpus() {
        if (checked || !Nd4jBackend.isCuda()) {
            return;
        }
        List<Gpu> gpus;
        try {
            gpus = parse(run(QUERY));
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not read the GPU's compute capability with nvidia-smi ({}); ND4J's CUDA backend runs "
                    + "only on compute capability {}.{} to {}.x", e.getMessage(), MIN.major(), MIN.minor(), MAX.major());
            return;
        }
        check(visible(gpus, System.getenv("CUDA_VISIBLE_DEVICES")));
        checked = true;
    }

    /**
     * Fails on the first GPU that cannot run the backend's machine code (before {@link #MIN}, or of a major version
     * after {@link #MAX}'s), or if there is none.
     *
     * @throws IllegalStateException naming the GPU, its compute capability and the supported range
     */
    public static void check(List<Gpu> gpus) {
        if (gpus.isEmpty()) {
            throw new IllegalStateException("no NVIDIA GPU is visible to this process, but ND4J's CUDA backend "
                    + "(built with -Pcuda) needs one; build without -Pcuda to run on the CPU");
        }
        for (Gpu gpu : gpus) {
            Sm sm = gpu.capability();
            if (!runs(sm)) {
                throw new IllegalStateException("GPU " + gpu.index() + " (" + gpu.name() + ") has compute capability "
                        + sm.major() + "." + sm.minor() + " (" + sm + "), but ND4J's CUDA backend (nd4j-cuda-11.6 "
                        + "1.0.0-M2.1) holds machine code for " + MIN + " to " + MAX + " only and no PTX, which runs "
                        + "on compute capability " + MIN.major() + "." + MIN.minor() + " to " + MAX.major() + ".x: "
                        + "its kernels cannot run on this GPU (\"no kernel image is available\"); use a supported GPU "
                        + "(A100, A10, RTX 30), pick one with CUDA_VISIBLE_DEVICES, or build without -Pcuda");
            }
        }
        LOG.info("CUDA GPUs {} can run the backend's {} to {} machine code", gpus, MIN, MAX);
    }

    /** Whether a GPU of compute capability {@code sm} runs the backend's machine code. */
    public static boolean runs(Sm sm) {
        return sm.compareTo(MIN) >= 0 && sm.major() <= MAX.major();
    }

    /** The GPUs of {@code csv} lines {@code index, name, compute_cap} (nvidia-smi's {@code --format=csv,noheader}). */
    public static List<Gpu> parse(String csv) {
        List<Gpu> gpus = new ArrayList<>();
        for (String line : csv.strip().split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split(",");
            if (fields.length < 3) {
                throw new IllegalArgumentException("expected 'index, name, compute_cap' from nvidia-smi, got '"
                        + line + "'");
            }
            String name = String.join(",", List.of(fields).subList(1, fields.length - 1)).strip();
            gpus.add(new Gpu(Integer.parseInt(fields[0].strip()), name, Sm.parse(fields[fields.length - 1])));
        }
        return gpus;
    }

    /**
     * The GPUs a CUDA program sees: all of them, or those {@code cudaVisibleDevices} names by index (a list of
     * UUIDs or anything else leaves all of them in, to be safe).
     */
    public static List<Gpu> visible(List<Gpu> gpus, String cudaVisibleDevices) {
        if (cudaVisibleDevices == null || !cudaVisibleDevices.strip().matches("\\d+(\\s*,\\s*\\d+)*")) {
            return gpus;
        }
        Set<Integer> indices = List.of(cudaVisibleDevices.split(",")).stream().map(s -> Integer.parseInt(s.strip()))
                .collect(Collectors.toSet());
        return gpus.stream().filter(g -> indices.contains(g.index())).toList();
    }

    private static String run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (InputStream out = process.getInputStream()) {
            String text = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + text.strip());
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0), e);
        } finally {
            process.destroy();
        }
    }
}
