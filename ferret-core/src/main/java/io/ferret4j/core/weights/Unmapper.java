package io.ferret4j.core.weights;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unmaps a file mapping, or frees a direct buffer, at once instead of whenever the garbage collector frees it. A
 * mapped tensor that was copied into a FLOAT array would otherwise keep its pages in the process's resident set until
 * a collection happens to reach the buffer: 1.2 GB for the CLIP tower, loaded just before the LLM pages in its
 * weights; and a closed model's mapped weights would stay mapped and resident. Uses
 * {@code sun.misc.Unsafe.invokeCleaner} (module {@code jdk.unsupported}, JDK 9+); where that is missing, mappings
 * and buffers are left to the collector, as the JDK does by default.
 */
final class Unmapper {
    private static final Logger LOG = LoggerFactory.getLogger(Unmapper.class);
    private static final MethodHandle INVOKE_CLEANER = find();

    private Unmapper() {
    }

    /**
     * Unmaps or frees {@code buffer}, which must be the buffer {@code FileChannel.map} or
     * {@code ByteBuffer.allocateDirect} returned (not a slice or duplicate); any later access through it or a view
     * of it crashes the JVM, so only call it on a buffer nothing reads again. A second call does nothing.
     */
    static void free(ByteBuffer buffer) {
        if (INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invokeExact(buffer);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot free a tensor buffer: " + t, t);
        }
    }

    private static MethodHandle find() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(theUnsafe.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("copied tensors stay mapped until garbage-collected: {}", e.toString());
            return null;
        }
    }
}
