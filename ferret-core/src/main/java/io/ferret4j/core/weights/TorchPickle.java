package io.ferret4j.core.weights;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.ferret4j.core.weights.RestrictedUnpickler.Tuple;

/**
 * Decodes the {@code data.pkl} of a {@code torch.save}d state dict into tensor descriptions, giving meaning to
 * exactly these globals and nothing else: {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2},
 * {@code torch._utils._rebuild_parameter} and the {@code torch.*Storage} classes of the supported dtypes. They are
 * represented by inert {@link Global} tokens: nothing is looked up, loaded, instantiated or called. Refusals
 * are thrown as {@link IllegalArgumentException}s, which the unpickler reports with the file and byte offset.
 */
final class TorchPickle implements RestrictedUnpickler.Semantics {
    private static final String ORDERED_DICT = "collections.OrderedDict";
    private static final String REBUILD_TENSOR = "torch._utils._rebuild_tensor_v2";
    private static final String REBUILD_PARAMETER = "torch._utils._rebuild_parameter";
    private static final List<String> STORAGES = List.of("HalfStorage", "FloatStorage", "BFloat16Storage",
            "LongStorage", "IntStorage", "DoubleStorage", "ByteStorage", "CharStorage", "ShortStorage", "BoolStorage");
    private static final Set<String> ALLOWED = allowed();

    /** A whitelisted {@code module.name}, as a token. */
    record Global(String qualifiedName) {
        @Override
        public String toString() {
            return "global " + qualifiedName;
        }
    }

    /** A persistent id {@code ('storage', torch.XStorage, key, location, numel)}: archive record {@code data/key}. */
    record StorageRef(DType dtype, String key, long numel) {
        @Override
        public String toString() {
            return "storage '" + key + "'";
        }
    }

    /** {@code _rebuild_tensor_v2(storage, storageOffset, size, stride, ...)}; offset and strides in elements. */
    record TensorRef(StorageRef storage, long storageOffset, long[] size, long[] stride) {
        @Override
        public String toString() {
            return "tensor";
        }
    }

    private TorchPickle() {
    }

    /**
     * Runs the pickle and returns its state dict, name to tensor, in file order.
     *
     * @param what the archive member name ({@code archive/data.pkl}), for messages
     */
    static Map<String, TensorRef> stateDict(Path file, String what, byte[] pickle) {
        Object root = RestrictedUnpickler.load(file, what, pickle, new TorchPickle());
        if (!(root instanceof Map<?, ?> dict)) {
            throw new CheckpointException(file, what + ": the pickled object is "
                    + RestrictedUnpickler.describe(root) + ", not a state dict");
        }
        Map<String, TensorRef> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof TensorRef t)) {
                throw new CheckpointException(file, what + ": state dict entry "
                        + RestrictedUnpickler.describe(e.getKey()) + " -> "
                        + RestrictedUnpickler.describe(e.getValue()) + " is not a name -> tensor pair");
            }
            out.put(name, t);
        }
        return out;
    }

    @Override
    public Object global(String module, String name) {
        String qualified = module + "." + name;
        if (!ALLOWED.contains(qualified)) {
            throw fail("pickle names global '" + qualified + "', which is not allowed in a checkpoint (allowed: "
                    + String.join(", ", new TreeSet<>(ALLOWED)) + ")");
        }
        return new Global(qualified);
    }

    @Override
    public Object persistentLoad(Object pid) {
        if (!(pid instanceof Tuple t) || t.size() != 5 || !"storage".equals(t.get(0))
                || !(t.get(1) instanceof Global type) || !type.qualifiedName().endsWith("Storage")
                || !(t.get(2) instanceof String key) || !(t.get(3) instanceof String)
                || !(t.get(4) instanceof Long numel) || numel < 0) {
            throw fail("persistent id " + (pid instanceof Tuple t ? describeAll(t) : RestrictedUnpickler.describe(pid))
                    + " is not ('storage', torch.<Type>Storage, key, location, numel)");
        }
        String storageClass = type.qualifiedName().substring("torch.".length());
        return new StorageRef(DType.fromTorchStorage(storageClass), key, numel);
    }

    @Override
    public Object reduce(Object callable, Tuple args) {
        if (!(callable instanceof Global g)) {
            throw fail("REDUCE calls " + RestrictedUnpickler.describe(callable) + ", which is not callable");
        }
        return switch (g.qualifiedName()) {
            case ORDERED_DICT -> orderedDict(args);
            case REBUILD_TENSOR -> rebuildTensor(args);
            case REBUILD_PARAMETER -> rebuildParameter(args);
            default -> throw fail("REDUCE calls " + g + ", which may only appear in a persistent id");
        };
    }

    /** An OrderedDict's BUILD state holds attributes such as {@code _metadata}: accepted and dropped. */
    @Override
    public Object build(Object target, Object state) {
        if (target instanceof Map && (state instanceof Map || state == RestrictedUnpickler.NONE)) {
            return target;
        }
        throw fail("BUILD of " + RestrictedUnpickler.describe(target) + " with "
                + RestrictedUnpickler.describe(state) + " is not supported");
    }

    private Object orderedDict(Tuple args) {
        if (args.size() != 0) {
            throw fail("OrderedDict called with " + args.size() + " arguments; expected none");
        }
        return new LinkedHashMap<>();
    }

    /** {@code _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
    private TensorRef rebuildTensor(Tuple a) {
        if ((a.size() != 6 && a.size() != 7) || !(a.get(0) instanceof StorageRef storage)
                || !(a.get(1) instanceof Long offset) || !(a.get(2) instanceof Tuple size)
                || !(a.get(3) instanceof Tuple stride) || !(a.get(4) instanceof Boolean)
                || !(a.get(5) instanceof Map) || (a.size() == 7 && !(a.get(6) instanceof Map)
                && a.get(6) != RestrictedUnpickler.NONE)) {
            throw fail("_rebuild_tensor_v2 called with unexpected arguments " + describeAll(a));
        }
        return new TensorRef(storage, offset, longs(size, "size"), longs(stride, "stride"));
    }

    /** {@code _rebuild_parameter(data, requires_grad, backward_hooks)}: an nn.Parameter is just its tensor. */
    private TensorRef rebuildParameter(Tuple a) {
        if (a.size() != 3 || !(a.get(0) instanceof TensorRef t) || !(a.get(1) instanceof Boolean)
                || !(a.get(2) instanceof Map)) {
            throw fail("_rebuild_parameter called with unexpected arguments " + describeAll(a));
        }
        return t;
    }

    private static long[] longs(Tuple t, String what) {
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(t.get(i) instanceof Long v)) {
                throw fail("tensor " + what + " holds " + RestrictedUnpickler.describe(t.get(i)) + ", not an int");
            }
            out[i] = v;
        }
        return out;
    }

    private static String describeAll(Tuple t) {
        return t.items().stream().map(RestrictedUnpickler::describe).toList().toString();
    }

    /** Refusals are plain exceptions; the unpickler adds the file and the byte offset. */
    private static IllegalArgumentException fail(String problem) {
        return new IllegalArgumentException(problem);
    }

    private static Set<String> allowed() {
        Set<String> s = new TreeSet<>(List.of(ORDERED_DICT, REBUILD_TENSOR, REBUILD_PARAMETER));
        STORAGES.forEach(name -> s.add("torch." + name));
        return Set.copyOf(s);
    }
}
