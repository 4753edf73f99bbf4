package io.ferret4j.core.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import io.ferret4j.core.weights.Float16;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Seeded random weights and inputs, and the double-precision reference product the kernels are held to. */
final class TestMatrices {
    /** Allowed kernel error relative to {@code Σ_c |w[r,c] x[c]|} (fp32 sums of up to a few thousand terms). */
    static final double DOT_RTOL = 1e-5;

    private TestMatrices() {
    }

    static float[] floats(SplittableRandom random, int n, double scale) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (random.nextGaussian() * scale);
        }
        return f;
    }

    /** Little-endian binary16 bytes of {@code values}, in direct memory (like a mapped file) or on the heap. */
    static ByteBuffer halves(float[] values, boolean direct) {
        ByteBuffer b = (direct ? ByteBuffer.allocateDirect(values.length * 2) : ByteBuffer.allocate(values.length * 2))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i++) {
            b.putShort(i * 2, Float16.fromFloat(values[i]));
        }
        return b;
    }

    static F16Matrix randomF16(SplittableRandom random, int rows, int cols, boolean direct) {
        return F16Matrix.of(halves(floats(random, rows * cols, 0.05), direct), rows, cols);
    }

    /** The same Q8_0 data with its quants in direct memory (the copying path) instead of a heap array. */
    static Q8_0 toDirect(Q8_0 q) {
        ByteBuffer quants = ByteBuffer.allocateDirect(q.rows() * q.cols());
        ByteBuffer scales = ByteBuffer.allocateDirect(q.rows() * q.cols() / Q8_0.BLOCK * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < q.rows(); r++) {
            for (int c = 0; c < q.cols(); c++) {
                quants.put(r * q.cols() + c, (byte) q.quant(r, c));
            }
            for (int b = 0; b < q.cols() / Q8_0.BLOCK; b++) {
                scales.putShort((r * q.cols() / Q8_0.BLOCK + b) * 2, Float16.fromFloat(q.scale(r, b)));
            }
        }
        return Q8_0.of(quants, scales, q.rows(), q.cols());
    }

    /** The same Q4_0 data in direct memory (like a mapped file) instead of heap arrays. */
    static Q4_0 toDirect(Q4_0 q) {
        return Q4_0.of(direct(q.quantBytes()), direct(q.scaleBytes()), q.rows(), q.cols());
    }

    private static ByteBuffer direct(ByteBuffer heap) {
        return ByteBuffer.allocateDirect(heap.remaining()).put(heap.duplicate()).flip();
    }

    /** The matrix widened to a FLOAT {@code [rows, cols]} array. */
    static INDArray widened(CompactMatrix w) {
        float[] values = new float[w.rows() * w.cols()];
        for (int r = 0; r < w.rows(); r++) {
            for (int c = 0; c < w.cols(); c++) {
                values[r * w.cols() + c] = w.get(r, c);
            }
        }
        return Nd4j.create(values, new long[] {w.rows(), w.cols()}, 'c');
    }

    /** {@code ref[i * rows + r] = Σ_c w(r, c) x[i * cols + c]} in double. */
    static double[] reference(CompactMatrix w, float[] x, int n) {
        double[] ref = new double[n * w.rows()];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < w.rows(); r++) {
                double s = 0;
                for (int c = 0; c < w.cols(); c++) {
                    s += (double) w.get(r, c) * x[i * w.cols() + c];
                }
                ref[i * w.rows() + r] = s;
            }
        }
        return ref;
    }

    /** {@code Σ_c |w(r, c) x[i * cols + c]|}, the scale of the rounding error of each output. */
    static double[] magnitude(CompactMatrix w, float[] x, int n) {
        double[] m = new double[n * w.rows()];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < w.rows(); r++) {
                double s = 0;
                for (int c = 0; c < w.cols(); c++) {
                    s += Math.abs((double) w.get(r, c) * x[i * w.cols() + c]);
                }
                m[i * w.rows() + r] = s;
            }
        }
        return m;
    }

    /** Fails naming the first output whose error exceeds {@link #DOT_RTOL} of its magnitude. */
    static void assertMatchesReference(CompactMatrix w, float[] x, int n, float[] y, String what) {
        double[] ref = reference(w, x, n);
        double[] mag = magnitude(w, x, n);
        for (int k = 0; k < ref.length; k++) {
            double err = Math.abs(ref[k] - y[k]);
            if (!(err <= DOT_RTOL * mag[k] + 1e-30)) {
                throw new AssertionError(what + ": output " + k + " (row " + k / w.rows() + ", col " + k % w.rows()
                        + ") is " + y[k] + ", reference " + ref[k] + ", error " + err + " > " + DOT_RTOL + " x "
                        + mag[k]);
            }
        }
    }
}
