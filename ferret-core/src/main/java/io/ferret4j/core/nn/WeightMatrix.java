package io.ferret4j.core.nn;

import java.util.Arrays;

import io.ferret4j.core.dnnl.DnnlSupport;
import io.ferret4j.core.kernels.CompactMatrix;
import io.ferret4j.core.kernels.F16Matrix;
import io.ferret4j.core.kernels.MatMul;
import io.ferret4j.core.kernels.Q4_0;
import io.ferret4j.core.kernels.Q8_0;
import io.ferret4j.core.kernels.RowTable;
import io.ferret4j.core.plan.Conversion;
import io.ferret4j.core.plan.Engine;
import io.ferret4j.core.plan.ExecutionPlan;
import io.ferret4j.core.plan.Precision;
import io.ferret4j.core.weights.CheckpointException;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.TensorMemory;
import io.ferret4j.core.weights.Weights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A weight matrix {@code [rows, cols]} held as an {@link ExecutionPlan.Part} says: FLOAT ({@link Dense}), compact
 * ({@link Compact}: F16, Q8_0 or Q4_0, for the Java engine's kernels) or an ND4J HALF array ({@link Half}: F16 on the
 * ND4J engine). This is the one place a part's format is turned into storage and into the {@link Linear} that
 * multiplies by it; an embedding table is one too, read by row gather.
 */
public sealed interface WeightMatrix permits WeightMatrix.Dense, WeightMatrix.Compact, WeightMatrix.Half {

    /**
     * Reads {@code key [rows, cols]} as {@code part} holds it: F32 widened; F16 mapped as stored or, with
     * {@link Conversion#AT_LOAD}, rounded from another floating-point type; Q8_0 and Q4_0 mapped as stored (the
     * {@code .q8_0_scales} and {@code .q4_0_scales} layouts) or, with {@link Conversion#AT_LOAD}, quantised from
     * F32/F16/BF16. On the ND4J
     * engine, F16 is a HALF array: the stored fp16 values or, with {@link Conversion#AT_LOAD}, another type rounded
     * to nearest.
     *
     * @throws CheckpointException naming the key if it is missing, misshaped, or stored in another type than the
     *         part holds and may not convert
     */
    static WeightMatrix load(Weights w, String key, long rows, long cols, ExecutionPlan.Part part) {
        boolean convert = part.conversion() == Conversion.AT_LOAD;
        return switch (part.heldAs()) {
            case F32 -> new Dense(w.require(key, rows, cols));
            case F16 -> part.engine() == Engine.ND4J ? Half.load(w, key, rows, cols, convert)
                    : new Compact(F16Matrix.of(convert ? w.requireF16(key, rows, cols)
                    : stored(w, key, rows, cols, DType.F16)));
            case Q8_0 -> new Compact(Q8_0.isStored(w, key) ? Q8_0.read(w, key, rows, cols)
                    : Q8_0.quantize(convert ? w.requireRaw(key, rows, cols) : stored(w, key, rows, cols, DType.I8)));
            case Q4_0 -> new Compact(Q4_0.isStored(w, key) ? Q4_0.read(w, key, rows, cols)
                    : Q4_0.quantize(convert ? w.requireRaw(key, rows, cols) : stored(w, key, rows, cols, DType.U8)));
        };
    }

    private static RawTensor stored(Weights w, String key, long rows, long cols, DType held) {
        RawTensor raw = w.requireRaw(key, rows, cols);
        if (raw.dtype() != held) {
            throw new CheckpointException(w.source().path(), "tensor '" + w.key(key) + "' is " + raw.dtype()
                    + Arrays.toString(raw.shape()) + ", but the plan holds it as stored " + held
                    + " (no conversion at load)");
        }
        return raw;
    }

    /** Rows of the matrix. */
    long rows();

    /** Columns of the matrix. */
    long cols();

    /** Rows {@code ids} in FLOAT: {@code [ids.length, cols]}; ids are checked by the caller. */
    INDArray gather(int[] ids);

    /**
     * {@code y = x·Wᵀ + b} over this matrix as weight {@code [out, in]}, {@code bias} FLOAT {@code [out]} or null,
     * with {@code products} as {@link ExecutionPlan.Part} describes; a copy it packs belongs to {@code memory}.
     */
    Linear linear(INDArray bias, Precision products, TensorMemory memory);

    /** A FLOAT matrix (shared, never modified). */
    record Dense(INDArray weight) implements WeightMatrix {
        @Override
        public long rows() {
            return weight.size(0);
        }

        @Override
        public long cols() {
            return weight.size(1);
        }

        @Override
        public INDArray gather(int[] ids) {
            return Nd4j.pullRows(weight, 1, ids);
        }

        /**
         * {@link Bf16Linear}, owned by {@code memory}, for BF16 where {@link DnnlSupport#available()}, else the fp32
         * {@link DenseLinear}.
         */
        @Override
        public Linear linear(INDArray bias, Precision products, TensorMemory memory) {
            if (products == Precision.BF16 && DnnlSupport.available()) {
                return memory.own(new Bf16Linear(weight, bias));
            }
            return new DenseLinear(weight, bias);
        }
    }

    /** An ND4J HALF matrix (on the backend's device): gathered rows and products are widened by ND4J casts. */
    record Half(INDArray weight) implements WeightMatrix {
        private static Half load(Weights w, String key, long rows, long cols, boolean convert) {
            if (!convert) {
                stored(w, key, rows, cols, DType.F16);                 // refuses another stored type
            }
            INDArray widened = w.require(key, rows, cols);             // exact for fp16 values
            INDArray half = widened.castTo(DataType.HALF);             // round to nearest even, as torch's .half()
            widened.close();                                           // now: the checkpoint's memory skips it then
            return new Half(w.memory().track(half));
        }

        @Override
        public long rows() {
            return weight.size(0);
        }

        @Override
        public long cols() {
            return weight.size(1);
        }

        @Override
        public INDArray gather(int[] ids) {
            return Nd4j.pullRows(weight, 1, ids).castTo(DataType.FLOAT);
        }

        /** A {@link HalfLinear}: fp32 products whatever {@code products} says (the plan allows only fp32 here). */
        @Override
        public Linear linear(INDArray bias, Precision products, TensorMemory memory) {
            return new HalfLinear(weight, bias);
        }
    }

    /** An F16, Q8_0 or Q4_0 matrix, read in place. */
    record Compact(CompactMatrix weight) implements WeightMatrix {
        @Override
        public long rows() {
            return weight.rows();
        }

        @Override
        public long cols() {
            return weight.cols();
        }

        @Override
        public INDArray gather(int[] ids) {
            return new RowTable(weight).gather(ids);
        }

        /** A {@link CompactLinear} whose batched products run in {@code products}. */
        @Override
        public Linear linear(INDArray bias, Precision products, TensorMemory memory) {
            return new CompactLinear<>(weight, bias, MatMul.defaults(products));
        }
    }
}
