package io.ferret4j.core.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.ferret4j.core.weights.TorchPickle.TensorRef;

/**
 * A PyTorch {@code .bin}/{@code .pt} checkpoint in the ZIP format of {@code torch.save} (PyTorch 1.6 and later):
 * {@code <prefix>/data.pkl}, a pickled state dict, and {@code <prefix>/data/<key>}, the raw little-endian storages.
 * The pickle is run by a restricted unpickler that knows only the opcodes and globals a state dict uses (see
 * {@link TorchPickle}), so opening a file never executes anything it names. Everything is validated when the
 * file is opened (storage records present, uncompressed and of the right size, every view inside its storage);
 * contiguous tensors are then memory-mapped in place and strided views are gathered into a fresh C-order
 * buffer off the Java heap.
 */
public final class PyTorchCheckpoint implements TensorSource {
    /** A state-dict pickle of a 13B model is about 100 KB; anything near this is not one. */
    static final int MAX_PICKLE_BYTES = 64 * 1024 * 1024;

    /**
     * One validated tensor.
     *
     * @param storageStart file offset of the storage's first byte
     */
    private record Tensor(DType dtype, long[] shape, long[] stride, long offset, long storageStart) {
        boolean contiguous() {
            long expected = 1;
            for (int i = shape.length - 1; i >= 0; i--) {
                if (shape[i] != 1 && stride[i] != expected) {
                    return false;
                }
                expected *= shape[i];
            }
            return true;
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final Map<String, Tensor> tensors;

    private PyTorchCheckpoint(Path path, FileChannel channel, Map<String, Tensor> tensors) {
        this.path = path;
        this.channel = channel;
        this.tensors = tensors;
    }

    /**
     * Opens and validates a {@code torch.save} ZIP checkpoint.
     *
     * @throws CheckpointException naming the file and the problem if it is unreadable, malformed, uses anything
     *                             outside the restricted pickle subset, or holds a storage too short for its tensor
     */
    public static PyTorchCheckpoint open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException(path, "cannot open: " + e, e);
        }
        try {
            return new PyTorchCheckpoint(path, channel, read(path, channel));
        } catch (IOException e) {
            CheckpointException failure = new CheckpointException(path, "read failed: " + e, e);
            SafeTensors.closeQuietly(channel, failure);
            throw failure;
        } catch (RuntimeException e) {
            SafeTensors.closeQuietly(channel, e);
            throw e;
        }
    }

    private static Map<String, Tensor> read(Path path, FileChannel channel) throws IOException {
        Map<String, ZipDirectory.Entry> entries = ZipDirectory.read(path, channel);
        ZipDirectory.Entry pickle = findPickle(path, entries);
        String prefix = pickle.name().substring(0, pickle.name().length() - "data.pkl".length());
        checkByteOrder(path, channel, entries.get(prefix + "byteorder"));
        if (pickle.size() > MAX_PICKLE_BYTES) {
            throw new CheckpointException(path, pickle.name() + " is " + pickle.size() + " bytes, more than the "
                    + MAX_PICKLE_BYTES + " a state dict needs");
        }
        byte[] bytes = ZipDirectory.readAt(channel, storedData(path, pickle), (int) pickle.size()).array();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorRef> e : TorchPickle.stateDict(path, pickle.name(), bytes).entrySet()) {
            out.put(e.getKey(), validate(path, e.getKey(), e.getValue(), entries, prefix));
        }
        return Collections.unmodifiableMap(out);
    }

    /** torch.save writes every record under one folder named after the file: {@code <prefix>/data.pkl}. */
    private static ZipDirectory.Entry findPickle(Path path, Map<String, ZipDirectory.Entry> entries) {
        List<ZipDirectory.Entry> found = entries.values().stream()
                .filter(e -> e.name().endsWith("/data.pkl") && e.name().indexOf('/') == e.name().length() - 9)
                .toList();
        if (found.size() != 1) {
            throw new CheckpointException(path, found.isEmpty()
                    ? "zip archive has no <prefix>/data.pkl record, so it is not a torch.save checkpoint"
                    : "zip archive has " + found.size() + " data.pkl records: "
                            + found.stream().map(ZipDirectory.Entry::name).toList());
        }
        return found.get(0);
    }

    /** PyTorch 2.1+ records the writer's byte order; older files are always little-endian. */
    private static void checkByteOrder(Path path, FileChannel channel, ZipDirectory.Entry record)
            throws IOException {
        if (record == null) {
            return;
        }
        if (record.size() > 16) {
            throw new CheckpointException(path, record.name() + " is " + record.size() + " bytes; expected 'little'");
        }
        String order = StandardCharsets.US_ASCII.decode(
                ZipDirectory.readAt(channel, storedData(path, record), (int) record.size())).toString().trim();
        if (!order.equals("little")) {
            throw new CheckpointException(path, record.name() + " says '" + order
                    + "'; only little-endian checkpoints are supported");
        }
    }

    /** The file offset of an entry's bytes, refusing compressed entries (they cannot be mapped in place). */
    private static long storedData(Path path, ZipDirectory.Entry e) {
        if (e.method() != ZipDirectory.STORED) {
            throw new CheckpointException(path, "zip record '" + e.name() + "' is compressed (method " + e.method()
                    + "); only STORED (uncompressed) records can be read in place");
        }
        if (e.size() != e.storedSize()) {
            throw new CheckpointException(path, "zip record '" + e.name() + "' is STORED but its sizes differ ("
                    + e.storedSize() + " stored, " + e.size() + " uncompressed)");
        }
        return e.dataOffset();
    }

    private static Tensor validate(Path path, String name, TensorRef t, Map<String, ZipDirectory.Entry> entries,
                                   String prefix) {
        String where = "tensor '" + name + "': ";
        TorchPickle.StorageRef s = t.storage();
        DType dtype = s.dtype();
        ZipDirectory.Entry record = entries.get(prefix + "data/" + s.key());
        if (record == null) {
            throw new CheckpointException(path, where + "storage record '" + prefix + "data/" + s.key() + "' is missing");
        }
        long start = storedData(path, record);
        if (s.numel() > record.size() / dtype.byteSize() || s.numel() * dtype.byteSize() != record.size()) {
            String needed = s.numel() > Long.MAX_VALUE / dtype.byteSize()
                    ? "more than 2^63" : String.valueOf(s.numel() * dtype.byteSize());
            throw new CheckpointException(path, where + "storage '" + s.key() + "' should hold " + s.numel() + " x "
                    + dtype + " = " + needed + " bytes but its record '" + record.name() + "' has "
                    + record.size() + " bytes");
        }
        long[] shape = t.size();
        long[] stride = t.stride();
        String view = dtype + Arrays.toString(shape) + " with stride " + Arrays.toString(stride) + " at offset "
                + t.storageOffset();
        if (shape.length != stride.length || t.storageOffset() < 0
                || Arrays.stream(shape).anyMatch(d -> d < 0) || Arrays.stream(stride).anyMatch(d -> d < 0)) {
            throw new CheckpointException(path, where + "malformed view " + view);
        }
        long numel;
        long last = t.storageOffset();
        try {
            numel = RawTensor.numel(shape);
            for (int i = 0; i < shape.length; i++) {
                last = Math.addExact(last, Math.multiplyExact(Math.max(shape[i] - 1, 0), stride[i]));
            }
            Math.multiplyExact(numel, dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new CheckpointException(path, where + "view " + view + " overflows");
        }
        if (numel > 0 ? last >= s.numel() : t.storageOffset() > s.numel()) {
            throw new CheckpointException(path, where + "view " + view + " reaches element " + last
                    + ", outside its storage '" + s.key() + "' of " + s.numel() + " elements");
        }
        Tensor tensor = new Tensor(dtype, shape, stride, t.storageOffset(), start);
        long mapped = tensor.contiguous() ? numel : last - t.storageOffset() + 1;
        if (Math.max(numel, mapped) * dtype.byteSize() > Integer.MAX_VALUE) {
            throw new CheckpointException(path, where + "view " + view + " spans more than 2 GiB, which is not supported");
        }
        return tensor;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public RawTensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException(path, "no tensor '" + name + "'");
        }
        int itemSize = t.dtype().byteSize();
        long numel = RawTensor.numel(t.shape());
        try {
            if (numel == 0) {
                return new RawTensor(name, t.dtype(), t.shape(), ByteBuffer.allocate(0), path);
            } else if (t.contiguous()) {
                return RawTensor.owning(name, t.dtype(), t.shape(),
                        map(t.storageStart() + t.offset() * itemSize, numel * itemSize), path);
            }
            return RawTensor.owning(name, t.dtype(), t.shape(), gather(t, numel), path);
        } catch (IOException e) {
            throw new CheckpointException(path, "cannot map tensor '" + name + "': " + e, e);
        }
    }

    /** Copies a strided view element by element into a new C-order direct buffer. */
    private ByteBuffer gather(Tensor t, long numel) throws IOException {
        int itemSize = t.dtype().byteSize();
        long[] shape = t.shape();
        long span = 1;                                            // elements from the view's first to its last
        for (int i = 0; i < shape.length; i++) {
            span += (shape[i] - 1) * t.stride()[i];
        }
        MappedByteBuffer src = map(t.storageStart() + t.offset() * itemSize, span * itemSize);
        ByteBuffer dst = ByteBuffer.allocateDirect(Math.toIntExact(numel * itemSize));
        long[] index = new long[shape.length];
        long at = 0;                                              // element offset of index within src
        for (long n = 0; n < numel; n++) {
            int from = Math.toIntExact(at * itemSize);
            for (int b = 0; b < itemSize; b++) {
                dst.put(src.get(from + b));
            }
            for (int d = shape.length - 1; d >= 0; d--) {          // odometer step, last dimension fastest
                at += t.stride()[d];
                if (++index[d] < shape[d]) {
                    break;
                }
                at -= shape[d] * t.stride()[d];
                index[d] = 0;
            }
        }
        Unmapper.free(src);                                      // only the gathered copy is kept
        return dst.flip();
    }

    private MappedByteBuffer map(long position, long size) throws IOException {
        MappedByteBuffer m = channel.map(FileChannel.MapMode.READ_ONLY, position, size);
        m.order(ByteOrder.LITTLE_ENDIAN);
        return m;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new CheckpointException(path, "close failed: " + e, e);
        }
    }

    @Override
    public String toString() {
        return "PyTorchCheckpoint[" + path + ", " + tensors.size() + " tensors]";
    }
}
