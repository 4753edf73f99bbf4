package io.ferret4j.core.testing;

import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Tolerance comparison of tensors that reports, on failure, the max difference, the first failing index and
 * the first values side by side (as llm.c's {@code check_tensor}).
 */
public final class TensorAssert {
    /** fp32 activations against the fp32 reference. */
    public static final double FP32_ATOL = 1e-4;

    private TensorAssert() {
    }

    public static void assertClose(INDArray expected, INDArray actual, double atol, double rtol) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            throw new AssertionError("shape " + Arrays.toString(actual.shape()) + " != expected "
                    + Arrays.toString(expected.shape()));
        }
        assertClose(toFloats(expected), toFloats(actual), atol, rtol);
    }

    public static void assertClose(float[] expected, float[] actual, double atol, double rtol) {
        if (expected.length != actual.length) {
            throw new AssertionError("length " + actual.length + " != expected " + expected.length);
        }
        double maxDiff = 0;
        int firstBad = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            if (!(d <= atol + rtol * Math.abs(expected[i]))) {        // also catches NaN
                if (firstBad < 0) {
                    firstBad = i;
                }
            }
            if (d > maxDiff || Double.isNaN(d)) {
                maxDiff = d;
            }
        }
        if (firstBad >= 0) {
            StringBuilder sb = new StringBuilder("tensors differ: maxdiff " + maxDiff + " (atol " + atol + ", rtol "
                    + rtol + "), first at index " + firstBad + "\n  expected | actual\n");
            for (int i = firstBad; i < Math.min(expected.length, firstBad + 5); i++) {
                sb.append("  ").append(expected[i]).append(" | ").append(actual[i]).append('\n');
            }
            throw new AssertionError(sb.toString());
        }
    }

    /** Maximum absolute difference (for reporting measured errors). */
    public static double maxAbsDiff(INDArray expected, INDArray actual) {
        float[] e = toFloats(expected);
        float[] a = toFloats(actual);
        double m = 0;
        for (int i = 0; i < e.length; i++) {
            m = Math.max(m, Math.abs((double) e[i] - a[i]));
        }
        return m;
    }

    private static float[] toFloats(INDArray x) {
        return x.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }
}
