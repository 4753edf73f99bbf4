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
 * Vector loads straight from a (memory-mapped) {@code ByteBuffer} through {@code java.lang.foreign.MemorySegment}
 * ({@code fromMemorySegment}, JDK 19 and later), sparing the kernels a copy of every weight row. The code compiles
 * on JDK 17, where that type does not exist, by reaching it through method handles held in static finals, which the
 * JIT inlines like direct calls; the kernels invoke {@link #SHORTS} and {@link #BYTES} themselves, since a separate
 * method returning a vector risks not being inlined, and then every vector is boxed. {@link #AVAILABLE} is false on
 * JDK 17, and wherever the probe of a known buffer fails (e.g. while {@code MemorySegment} is a preview API). JDK 17's own {@code fromByteBuffer} is not used: it
 * measured no faster than copying for F16 rows and slower for Q8_0.
 */
final class SegmentLoads {
    private static final MethodHandle OF_BUFFER;                       // (ByteBuffer) -> MemorySegment as Object
    /** {@code ShortVector.fromMemorySegment} as {@code (VectorSpecies, Object, long, ByteOrder) ShortVector}. */
    static final MethodHandle SHORTS;
    /** {@code ByteVector.fromMemorySegment} as {@code (VectorSpecies, Object, long, ByteOrder) ByteVector}. */
    static final MethodHandle BYTES;
    /** True if loads from segments work on this JDK. */
    static final boolean AVAILABLE;

    static {
        MethodHandle ofBuffer = null;
        MethodHandle shorts = null;
        MethodHandle bytes = null;
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
            ofBuffer = lookup.findStatic(segment, "ofBuffer", MethodType.methodType(segment, Buffer.class))
                    .asType(MethodType.methodType(Object.class, ByteBuffer.class));
            shorts = fromSegment(lookup, ShortVector.class, segment);
            bytes = fromSegment(lookup, ByteVector.class, segment);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            ofBuffer = null;                                           // JDK 17 and 18: no MemorySegment
        }
        OF_BUFFER = ofBuffer;
        SHORTS = shorts;
        BYTES = bytes;
        AVAILABLE = ofBuffer != null && readsBack();
    }

    private SegmentLoads() {
    }

    private static MethodHandle fromSegment(MethodHandles.Lookup lookup, Class<?> vector, Class<?> segment)
            throws ReflectiveOperationException {
        return lookup.findStatic(vector, "fromMemorySegment",
                        MethodType.methodType(vector, VectorSpecies.class, segment, long.class, ByteOrder.class))
                .asType(MethodType.methodType(vector, VectorSpecies.class, Object.class, long.class, ByteOrder.class));
    }

    /** The segment over {@code bytes} that loads read from. */
    static Object source(ByteBuffer bytes) {
        try {
            return (Object) OF_BUFFER.invokeExact(bytes);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Loads known values from an offset read-only direct buffer and compares them lane by lane. */
    private static boolean readsBack() {
        try {
            ByteBuffer b = ByteBuffer.allocateDirect(48).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 24; i++) {
                b.putShort(i * 2, (short) (i * 1000 - 7000));
            }
            Object src = source(b.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
            ShortVector s = (ShortVector) SHORTS.invokeExact(ShortVector.SPECIES_128, src, 6L, ByteOrder.LITTLE_ENDIAN);
            ByteVector v = (ByteVector) BYTES.invokeExact(ByteVector.SPECIES_64, src, 5L, ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 8; i++) {
                if (s.lane(i) != b.getShort(6 + 2 * i) || v.lane(i) != b.get(5 + i)) {
                    return false;
                }
            }
            return true;
        } catch (Throwable e) {
            return false;                                              // e.g. preview API not enabled
        }
    }

    /** {@code t} as an unchecked exception (method handle calls declare Throwable). */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
