package io.ferret4j.core.backend;

import io.ferret4j.core.plan.Engine;

/**
 * Which ND4J backend this process runs on, read from the class path without loading the backend's natives (the
 * build chooses it: CPU by default, {@code -Pcuda} for CUDA).
 */
public final class Nd4jBackend {
    /** The CUDA backend's entry class (nd4j-cuda-11.6). */
    static final String CUDA_BACKEND_CLASS = "org.nd4j.linalg.jcublas.JCublasBackend";

    private Nd4jBackend() {
    }

    /** Whether ND4J's CUDA backend is on the class path. */
    public static boolean isCuda() {
        return onClassPath(CUDA_BACKEND_CLASS);
    }

    /**
     * The engine to use unless one is asked for: {@link Engine#ND4J} on the CUDA backend, where the Java kernels would
     * leave the GPU idle, else {@link Engine#JAVA}.
     */
    public static Engine defaultEngine() {
        return isCuda() ? Engine.ND4J : Engine.JAVA;
    }

    static boolean onClassPath(String className) {
        try {
            Class.forName(className, false, Nd4jBackend.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
