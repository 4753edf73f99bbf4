package io.ferret4j.core.kernels;

import java.lang.reflect.InvocationTargetException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the kernels once per process. The Vector API class is named only as a string, so it is loaded (and its
 * references to {@code jdk.incubator.vector} resolved) only after the module was found in the boot layer.
 */
final class KernelSelection {
    private static final Logger LOG = LoggerFactory.getLogger(KernelSelection.class);
    private static final String VECTOR_KERNELS = "io.ferret4j.core.kernels.VectorRowKernels";

    static final boolean VECTOR_MODULE_PRESENT = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    static final RowKernels BEST = select();

    private KernelSelection() {
    }

    private static RowKernels select() {
        if (!VECTOR_MODULE_PRESENT) {
            LOG.info("jdk.incubator.vector not enabled (add --add-modules jdk.incubator.vector): "
                    + "using the scalar F16/Q8_0/Q4_0 kernels, several times slower");
            return ScalarRowKernels.INSTANCE;
        }
        try {
            return (RowKernels) Class.forName(VECTOR_KERNELS).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            // the constructor refuses CPUs whose preferred vectors are narrower than 256 bits
            Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
            LOG.info("Vector API kernels not used ({}): using the scalar F16/Q8_0/Q4_0 kernels", cause.toString());
            return ScalarRowKernels.INSTANCE;
        }
    }
}
