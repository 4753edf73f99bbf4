package io.ferret4j.core.kernels;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector loads straight from a (memory-mapped) {@code ByteBuffer}, sparing the kernels a copy of every weight row.
 * The Vector API spells this {@code fromByteBuffer} on JDK 17 and 18 and {@code fromMemorySegment} from JDK 19 on;
 * the first is called directly (it compiles here), the second through method handles held in static finals, which
 * the JIT inlines like a direct call. {@link #find()} probes both on a known buffer and returns null if neither
 * works (for instance where {@code MemorySegment} is still a preview API), in which case rows are copied.
 */
abstract class DirectLoads {

    /** The object loads read from for {@code bytes}: the buffer itself, or a memory segment over it. */
    abstract Object source(ByteBuffer bytes);

    abstract ShortVector shorts(VectorSpecies<Short> species, Object source, long byteOffset);

    abstract ByteVector bytes(VectorSpecies<Byte> species, Object source, long byteOffset);

    /** The working implementation for this JDK, or null. */
    static DirectLoads find() {
        for (String name : new String[] {"BufferLoads", "SegmentLoads"}) {
            try {
                DirectLoads loads = (DirectLoads) Class.forName(DirectLoads.class.getName() + "$" + name)
                        .getDeclaredConstructor().newInstance();
                if (loads.readsBack()) {
                    return loads;
                }
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                // this JDK lacks that spelling (or keeps it behind --enable-preview): try the next
            }
        }
        return null;
    }

    /** Loads known values from an offset direct buffer and compares them lane by lane. */
    private boolean readsBack() {
        ByteBuffer b = ByteBuffer.allocateDirect(48).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 24; i++) {
            b.putShort(i * 2, (short) (i * 1000 - 7000));
        }
        Object src = source(b.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
        ShortVector s = shorts(ShortVector.SPECIES_128, src, 6);
        ByteVector v = bytes(ByteVector.SPECIES_64, src, 5);
        for (int i = 0; i < 8; i++) {
            if (s.lane(i) != b.getShort(6 + 2 * i) || v.lane(i) != b.get(5 + i)) {
                return false;
            }
        }
        return true;
    }

    /** JDK 17 and 18. */
    static final class BufferLoads extends DirectLoads {
        BufferLoads() {
            try {
                ByteVector.class.getMethod("fromByteBuffer", VectorSpecies.class, ByteBuffer.class, int.class,
                        ByteOrder.class);
            } catch (NoSuchMethodException e) {
                throw new UnsupportedOperationException("no fromByteBuffer on this JDK", e);
            }
        }

        @Override
        Object source(ByteBuffer bytes) {
            return bytes;
        }

        @Override
        ShortVector shorts(VectorSpecies<Short> species, Object source, long byteOffset) {
            return ShortVector.fromByteBuffer(species, (ByteBuffer) source, (int) byteOffset, ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        ByteVector bytes(VectorSpecies<Byte> species, Object source, long byteOffset) {
            return ByteVector.fromByteBuffer(species, (ByteBuffer) source, (int) byteOffset, ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** JDK 19 and later, through {@code java.lang.foreign.MemorySegment}, which does not exist on JDK 17. */
    static final class SegmentLoads extends DirectLoads {
        private static final MethodHandle OF_BUFFER;                   // (ByteBuffer) -> MemorySegment as Object
        private static final MethodHandle SHORTS;                      // ShortVector.fromMemorySegment, erased
        private static final MethodHandle BYTES;                       // ByteVector.fromMemorySegment, erased

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
                OF_BUFFER = lookup.findStatic(segment, "ofBuffer", MethodType.methodType(segment, Buffer.class))
                        .asType(MethodType.methodType(Object.class, ByteBuffer.class));
                SHORTS = fromSegment(lookup, ShortVector.class, segment);
                BYTES = fromSegment(lookup, ByteVector.class, segment);
            } catch (ReflectiveOperationException e) {
                throw new UnsupportedOperationException("no fromMemorySegment on this JDK", e);
            }
        }

        private static MethodHandle fromSegment(MethodHandles.Lookup lookup, Class<?> vector, Class<?> segment)
                throws ReflectiveOperationException {
            return lookup.findStatic(vector, "fromMemorySegment",
                            MethodType.methodType(vector, VectorSpecies.class, segment, long.class, ByteOrder.class))
                    .asType(MethodType.methodType(vector, VectorSpecies.class, Object.class, long.class,
                            ByteOrder.class));
        }

        @Override
        Object source(ByteBuffer bytes) {
            try {
                return (Object) OF_BUFFER.invokeExact(bytes);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        @Override
        ShortVector shorts(VectorSpecies<Short> species, Object source, long byteOffset) {
            try {
                return (ShortVector) SHORTS.invokeExact(species, source, byteOffset, ByteOrder.LITTLE_ENDIAN);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        @Override
        ByteVector bytes(VectorSpecies<Byte> species, Object source, long byteOffset) {
            try {
                return (ByteVector) BYTES.invokeExact(species, source, byteOffset, ByteOrder.LITTLE_ENDIAN);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        private static RuntimeException rethrow(Throwable t) {
            if (t instanceof RuntimeException re) {
                return re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            return new IllegalStateException(t);
        }
    }
}
