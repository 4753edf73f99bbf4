package io.ferret4j.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What this process holds, read from Linux's {@code /proc/self}: resident memory, open files, threads, mappings. */
public final class ProcSelf {
    private static final Path PROC = Path.of("/proc/self");

    private ProcSelf() {
    }

    /** Whether {@code /proc/self} can be read (Linux). */
    public static boolean available() {
        return Files.isReadable(PROC.resolve("status")) && Files.isReadable(PROC.resolve("maps"));
    }

    /** {@code VmRSS}: resident memory in KiB. */
    public static long residentKib() {
        return statusValue("VmRSS:");
    }

    /** {@code Threads}: live threads. */
    public static long threads() {
        return statusValue("Threads:");
    }

    /** Open file descriptors. */
    public static long openFiles() {
        try (Stream<Path> fds = Files.list(PROC.resolve("fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines of {@code /proc/self/maps} mapping a file inside {@code folder} (any depth). */
    public static long mappingsUnder(Path folder) {
        String prefix = realPath(folder) + "/";
        return lines("maps").stream().filter(line -> line.contains(" " + prefix)).count();
    }

    private static long statusValue(String key) {
        return lines("status").stream().filter(line -> line.startsWith(key))
                .map(line -> Long.parseLong(line.substring(key.length()).replace("kB", "").strip()))
                .findFirst().orElseThrow(() -> new IllegalStateException("no " + key + " in /proc/self/status"));
    }

    private static List<String> lines(String file) {
        try {
            return Files.readAllLines(PROC.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String realPath(Path p) {
        try {
            return p.toRealPath().toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
