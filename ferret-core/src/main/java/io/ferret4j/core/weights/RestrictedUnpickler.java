package io.ferret4j.core.weights;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pickle virtual machine restricted to the opcodes that {@code torch.save} emits for a state dict
 * (protocols 2 to 4). It builds only inert Java values: {@code Long}, {@code Double}, {@code Boolean},
 * {@code String}, {@link Tuple}, {@code List}, {@code Map}, {@link #NONE}; globals, persistent ids, REDUCE and
 * BUILD are handed to a {@link Semantics} that decides what (if anything) they mean. Any other opcode is
 * rejected, naming it and its offset, so nothing a file names is ever looked up, loaded or run.
 */
final class RestrictedUnpickler {
    /** Python's {@code None}. */
    static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    /** A Python tuple. */
    record Tuple(List<Object> items) {
        int size() {
            return items.size();
        }

        Object get(int i) {
            return items.get(i);
        }
    }

    /** What the few non-data opcodes mean; a method refuses by throwing {@link IllegalArgumentException}. */
    interface Semantics {
        /** GLOBAL / STACK_GLOBAL: an inert token for an allowed {@code module.name}. */
        Object global(String module, String name);

        /** BINPERSID: the object a persistent id stands for. */
        Object persistentLoad(Object pid);

        /** REDUCE: {@code callable(*args)}. */
        Object reduce(Object callable, Tuple args);

        /** BUILD: {@code target.__setstate__(state)}; returns the object that replaces the target. */
        Object build(Object target, Object state);
    }

    private final Path file;
    private final String what;
    private final ByteBuffer in;
    private final Semantics semantics;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int opcodeAt;

    private RestrictedUnpickler(Path file, String what, byte[] pickle, Semantics semantics) {
        this.file = file;
        this.what = what;
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
        this.semantics = semantics;
    }

    /**
     * Runs {@code pickle} to its STOP opcode and returns the object it built.
     *
     * @param what the archive member name, for messages
     */
    static Object load(Path file, String what, byte[] pickle, Semantics semantics) {
        return new RestrictedUnpickler(file, what, pickle, semantics).run();
    }

    private Object run() {
        try {
            while (in.hasRemaining()) {
                opcodeAt = in.position();
                int op = in.get() & 0xff;
                if (op == '.') {                                     // STOP
                    return pop();
                }
                execute(op);
            }
        } catch (BufferUnderflowException e) {
            throw fail("ends in the middle of opcode " + PickleOpcodes.name(in.get(opcodeAt) & 0xff));
        } catch (IllegalArgumentException e) {                       // a refusal of the semantics
            throw fail(e.getMessage());
        }
        throw fail("ends without a STOP opcode");
    }

    private void execute(int op) {
        switch (op) {
            case 0x80 -> protocol(in.get() & 0xff);                  // PROTO
            case 0x95 -> in.getLong();                               // FRAME: a length hint only
            case '(' -> marks.add(stack.size());                     // MARK
            case '}' -> push(new LinkedHashMap<>());                 // EMPTY_DICT
            case ']' -> push(new ArrayList<>());                     // EMPTY_LIST
            case ')' -> push(new Tuple(List.of()));                  // EMPTY_TUPLE
            case 'N' -> push(NONE);
            case 0x88 -> push(Boolean.TRUE);                         // NEWTRUE
            case 0x89 -> push(Boolean.FALSE);                        // NEWFALSE
            case 'J' -> push((long) in.getInt());                    // BININT
            case 'K' -> push((long) (in.get() & 0xff));              // BININT1
            case 'M' -> push((long) (in.getShort() & 0xffff));       // BININT2
            case 0x8a -> push(long1(in.get() & 0xff));               // LONG1
            case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong())));  // BINFLOAT, big-endian
            case 'X' -> push(string(in.getInt() & 0xffffffffL, StandardCharsets.UTF_8));   // BINUNICODE
            case 0x8c -> push(string(in.get() & 0xff, StandardCharsets.UTF_8));            // SHORT_BINUNICODE
            case 0x8d -> push(string(in.getLong(), StandardCharsets.UTF_8));               // BINUNICODE8
            case 'T' -> push(string(in.getInt(), StandardCharsets.ISO_8859_1));            // BINSTRING
            case 'U' -> push(string(in.get() & 0xff, StandardCharsets.ISO_8859_1));        // SHORT_BINSTRING
            case 'q' -> memo.put((long) (in.get() & 0xff), peek());  // BINPUT
            case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek()); // LONG_BINPUT
            case 0x94 -> memo.put((long) memo.size(), peek());       // MEMOIZE
            case 'h' -> push(recall(in.get() & 0xff));               // BINGET
            case 'j' -> push(recall(in.getInt() & 0xffffffffL));     // LONG_BINGET
            case 'c' -> push(semantics.global(line(), line()));      // GLOBAL
            case 0x93 -> stackGlobal();
            case 't' -> push(new Tuple(popMark()));                  // TUPLE
            case 0x85 -> push(new Tuple(popN(1)));                   // TUPLE1
            case 0x86 -> push(new Tuple(popN(2)));                   // TUPLE2
            case 0x87 -> push(new Tuple(popN(3)));                   // TUPLE3
            case 'Q' -> push(semantics.persistentLoad(pop()));       // BINPERSID
            case 'R' -> reduce();
            case 'b' -> build();
            case 's' -> setItems(popN(2));                           // SETITEM
            case 'u' -> setItems(popMark());                         // SETITEMS
            case 'a' -> append();
            case 'e' -> appends();
            default -> throw fail("unsupported pickle opcode " + PickleOpcodes.name(op)
                    + "; only the opcodes torch.save uses for a state dict are allowed");
        }
    }

    private void protocol(int version) {
        if (version < 2 || version > 5) {
            throw fail("pickle protocol " + version + " is not supported (expected 2 to 5)");
        }
    }

    private void stackGlobal() {
        Object name = pop();
        Object module = pop();
        if (!(module instanceof String m) || !(name instanceof String n)) {
            throw fail("STACK_GLOBAL needs two strings, found " + describe(module) + " and " + describe(name));
        }
        push(semantics.global(m, n));
    }

    private void reduce() {
        Object args = pop();
        Object callable = pop();
        if (!(args instanceof Tuple t)) {
            throw fail("REDUCE arguments must be a tuple, found " + describe(args));
        }
        push(semantics.reduce(callable, t));
    }

    private void build() {
        Object state = pop();
        Object target = pop();
        push(semantics.build(target, state));
    }

    private void setItems(List<Object> keyValues) {
        Map<Object, Object> dict = dict();
        if (keyValues.size() % 2 != 0) {
            throw fail("SETITEMS with an odd number of items");
        }
        for (int i = 0; i < keyValues.size(); i += 2) {
            Object key = keyValues.get(i);
            if (!(key instanceof String) && !(key instanceof Long)) {
                throw fail("dict key " + describe(key) + " is not supported (only str and int keys)");
            }
            dict.put(key, keyValues.get(i + 1));
        }
    }

    private void append() {
        Object value = pop();
        list("APPEND").add(value);
    }

    private void appends() {
        List<Object> items = popMark();
        list("APPENDS").addAll(items);
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict() {
        Object top = peek();
        if (!(top instanceof Map)) {
            throw fail("SETITEM(S) on " + describe(top) + ", not a dict");
        }
        return (Map<Object, Object>) top;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(String op) {
        Object top = peek();
        if (!(top instanceof ArrayList)) {
            throw fail(op + " on " + describe(top) + ", not a list");
        }
        return (List<Object>) top;
    }

    private long long1(int n) {
        if (n > 8) {
            throw fail("LONG1 integer of " + n + " bytes does not fit in 64 bits");
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (in.get() & 0xffL) << (8 * i);
        }
        if (n > 0 && n < 8 && (v & (1L << (8 * n - 1))) != 0) {
            v |= -1L << (8 * n);                                 // sign-extend two's complement
        }
        return v;
    }

    /** A string of {@code length} bytes, checked against what remains before anything is allocated. */
    private String string(long length, Charset charset) {
        if (length < 0 || length > in.remaining()) {
            throw fail("opcode " + PickleOpcodes.name(in.get(opcodeAt) & 0xff) + " declares a string of " + length
                    + " bytes but only " + in.remaining() + " remain");
        }
        byte[] bytes = new byte[(int) length];
        in.get(bytes);
        return new String(bytes, charset);
    }

    /** A newline-terminated ASCII line (GLOBAL's module and name). */
    private String line() {
        int start = in.position();
        while (in.get() != '\n') {
            if (in.position() - start > 1024) {
                throw fail("GLOBAL name longer than 1024 bytes");
            }
        }
        return new String(in.array(), start, in.position() - start - 1, StandardCharsets.UTF_8);
    }

    private Object recall(long index) {
        Object v = memo.get(index);
        if (v == null) {
            throw fail("memo index " + index + " was never stored");
        }
        return v;
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object peek() {
        if (stack.isEmpty() || (!marks.isEmpty() && marks.get(marks.size() - 1) == stack.size())) {
            throw fail("opcode " + PickleOpcodes.name(in.get(opcodeAt) & 0xff) + " needs a value but the stack is empty");
        }
        return stack.get(stack.size() - 1);
    }

    private Object pop() {
        Object o = peek();
        stack.remove(stack.size() - 1);
        return o;
    }

    private List<Object> popN(int n) {
        List<Object> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(0, pop());
        }
        return out;
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw fail("opcode " + PickleOpcodes.name(in.get(opcodeAt) & 0xff) + " without a MARK");
        }
        int mark = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(mark, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private CheckpointException fail(String problem) {
        return new CheckpointException(file, what + " at byte " + opcodeAt + ": " + problem);
    }

    /** A short description of a pickled value for error messages (never its whole content). */
    static String describe(Object o) {
        if (o instanceof String s) {
            return "str '" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
        }
        if (o instanceof Tuple t) {
            return "tuple of " + t.size();
        }
        if (o instanceof List<?> l) {
            return "list of " + l.size();
        }
        if (o instanceof Map<?, ?> m) {
            return "dict of " + m.size();
        }
        return String.valueOf(o);
    }
}
