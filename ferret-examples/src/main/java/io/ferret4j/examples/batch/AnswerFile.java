package io.ferret4j.examples.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answers file: one JSON object per line, each written whole with a single append and flushed, so a run that
 * is killed leaves whole lines and at most one torn last line. Opening it again drops that torn line and collects
 * the keys (see {@link #key}) already answered, so a restarted run can skip them.
 */
final class AnswerFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AnswerFile.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileChannel channel;
    private final Set<String> done;

    private AnswerFile(FileChannel channel, Set<String> done) {
        this.channel = channel;
        this.done = done;
    }

    /**
     * Opens {@code file} for appending, creating it if needed, after dropping a torn last line.
     *
     * @throws IllegalArgumentException if a line other than the last is not a JSON object with {@code id} or
     *         {@code line}: the file is not an answers file, and is left as it is
     */
    static AnswerFile open(Path file) {
        try {
            Set<String> done = new HashSet<>();
            if (Files.exists(file)) {
                dropTornLine(file);
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    done.add(keyOf(readLine(file, i + 1, lines.get(i))));
                }
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            return new AnswerFile(channel, done);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open answers file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The key a task is known by: its {@code id} as JSON text ({@code 7} and {@code "7"} differ), or its line in
     * the task file if it has no id.
     */
    static String key(JsonNode id, int line) {
        return id == null || id.isMissingNode() || id.isNull() ? "line " + line : "id " + id;
    }

    /** Whether the task known by {@code key} has a line already. */
    boolean has(String key) {
        return done.contains(key);
    }

    /** How many tasks have a line. */
    int size() {
        return done.size();
    }

    /** Appends {@code record} as one line, whole, and flushes it to the file. */
    void append(ObjectNode record) {
        byte[] bytes;
        try {
            bytes = (JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the answers file: " + e.getMessage(), e);
        }
        done.add(keyOf(record));
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Cuts the file after its last newline, if anything follows it: a line a killed run did not finish. */
    private static void dropTornLine(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long end = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (end > 0) {
                one.clear();
                ch.read(one, end - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                end--;
            }
            if (end < size) {
                LOG.warn("{}: dropping a torn last line of {} bytes left by an interrupted run", file, size - end);
                ch.truncate(end);
            }
        }
    }

    private static JsonNode readLine(Path file, int number, String line) {
        try {
            JsonNode node = JSON.readTree(line);
            if (node != null && node.isObject() && (node.has("id") || node.has("line"))) {
                return node;
            }
        } catch (JsonProcessingException e) {
            LOG.debug("line {} of {} is not JSON", number, file, e);
        }
        throw new IllegalArgumentException(file + " line " + number + " is not an answer (a JSON object with an id "
                + "or line): refusing to append to a file that is not an answers file");
    }

    private static String keyOf(JsonNode record) {
        return key(record.get("id"), record.path("line").asInt());
    }
}
