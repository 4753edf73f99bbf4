package io.ferret4j.llm.convert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model folder that appears all at once or not at all. Files are written into a sibling temporary folder
 * ({@code OUT.partial-<random hex>}); {@link #commit()} syncs them and renames that folder to {@code OUT} in one
 * move, and {@link #close()} deletes it if the commit never happened. Use it in try-with-resources:
 * <pre>{@code
 * try (AtomicModelFolder folder = AtomicModelFolder.create(out, false)) {
 *     writeEverything(folder.path());
 *     folder.commit();
 * }
 * }</pre>
 * A process killed mid-write can leave an {@code OUT.partial-*} folder behind, never a half-written {@code OUT}.
 */
public final class AtomicModelFolder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicModelFolder.class);
    private static final String PARTIAL = ".partial-";
    private static final String REPLACED = ".replaced-";

    private final Path target;
    private final Path partial;
    private final boolean replaceExisting;
    private boolean committed;

    private AtomicModelFolder(Path target, Path partial, boolean replaceExisting) {
        this.target = target;
        this.partial = partial;
        this.replaceExisting = replaceExisting;
    }

    /**
     * Creates the temporary folder beside {@code target} (and {@code target}'s parent folders if needed).
     *
     * @param replaceExisting whether {@link #commit()} may replace an existing {@code target}; the old folder is
     *                        then deleted only after the new one is in place
     * @throws IllegalArgumentException if {@code target} exists and {@code replaceExisting} is false
     */
    public static AtomicModelFolder create(Path target, boolean replaceExisting) {
        Path absolute = target.toAbsolutePath().normalize();
        if (absolute.getParent() == null) {
            throw new IllegalArgumentException("output folder " + target + " has no parent folder");
        }
        refuseExisting(absolute, replaceExisting);
        try {
            Files.createDirectories(absolute.getParent());
            Path partial = Files.createDirectory(randomSibling(absolute, PARTIAL));
            return new AtomicModelFolder(absolute, partial, replaceExisting);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder beside " + absolute + ": " + e, e);
        }
    }

    /** The temporary folder to write into. */
    public Path path() {
        return partial;
    }

    /** The folder that {@link #commit()} creates. */
    public Path target() {
        return target;
    }

    /**
     * Flushes every file to disk and renames the temporary folder to the target.
     *
     * @throws IllegalArgumentException if the target appeared meanwhile and replacing was not allowed
     */
    public void commit() {
        if (committed) {
            throw new IllegalStateException(target + " is already committed");
        }
        refuseExisting(target, replaceExisting);
        try {
            syncTree(partial);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                replace();
            } else {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
                committed = true;
            }
            syncFolder(target.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + partial + " to " + target + ": " + e, e);
        }
    }

    /** Deletes the temporary folder and everything in it, unless {@link #commit()} succeeded. */
    @Override
    public void close() {
        if (!committed) {
            deleteTree(partial);
        }
    }

    /** Moves the old target aside, the new folder in, then deletes the old one; restores it if the move fails. */
    private void replace() throws IOException {
        Path aside = randomSibling(target, REPLACED);
        Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
            throw e;
        }
        committed = true;
        try {
            deleteTree(aside);
        } catch (UncheckedIOException e) {
            LOG.warn("{} is in place, but the folder it replaced could not be deleted: {}", target, e.getMessage());
        }
    }

    private static void refuseExisting(Path target, boolean replaceExisting) {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !(replaceExisting && Files.isDirectory(target))) {
            throw new IllegalArgumentException("output " + target + " already exists"
                    + (replaceExisting ? " and is not a folder" : "; remove it or allow overwriting"));
        }
    }

    /** {@code target} + infix + 16 random hex digits (a clash is refused by the create or move that follows). */
    private static Path randomSibling(Path target, String infix) {
        String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        return target.resolveSibling(target.getFileName() + infix + suffix);
    }

    /** fsyncs every file, then every folder, so the rename cannot become visible before the data. */
    private static void syncTree(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.collect(Collectors.toList());
        }
        for (Path p : all) {
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                    ch.force(true);
                }
            }
        }
        for (Path p : all) {
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                syncFolder(p);
            }
        }
    }

    /** Best effort: not every platform can open a folder as a channel, and the data files are synced already. */
    private static void syncFolder(Path folder) {
        try (FileChannel ch = FileChannel.open(folder, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // directory fsync is unsupported here; the rename itself is still atomic
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root + ": " + e, e);
        }
    }

    @Override
    public String toString() {
        return "AtomicModelFolder[" + partial + " -> " + target + (committed ? ", committed" : "") + "]";
    }
}
