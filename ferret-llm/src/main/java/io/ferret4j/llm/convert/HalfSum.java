package io.ferret4j.llm.convert;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.stream.IntStream;

import io.ferret4j.core.weights.Float16;
import io.ferret4j.core.weights.RawTensor;

/**
 * The element-wise fp16 arithmetic of {@code apply_delta}. The reference loads both models with
 * {@code torch_dtype=float16}, so every input is first rounded to fp16 ({@code h(x)}, exact for F16 inputs), then
 * {@code param.data += base} adds in fp32 and rounds once: {@code out = h(h(delta) + h(base))}. Rounding the
 * fp32 sum of two fp16 values to fp16 equals rounding their exact sum, since fp32 has 24 ≥ 2·11 + 2 significand
 * bits, so no double-rounding error arises.
 */
final class HalfSum {
    /** Elements per parallel task: large enough that scheduling costs nothing, small enough to balance. */
    private static final int CHUNK = 1 << 20;

    /** Element {@code i} of a tensor as fp16 bits. */
    @FunctionalInterface
    private interface HalfReader {
        short get(int i);
    }

    private HalfSum() {
    }

    /**
     * Writes {@code h(h(delta[i]) + h(base[i]))} for the first {@code base.numel()} elements and {@code h(delta[i])}
     * for the rest into {@code scratch}, as F16 little-endian bytes.
     *
     * @param base    null to convert the delta alone
     * @param scratch a little-endian buffer of at least {@code 2 * delta.numel()} bytes, reused across tensors
     * @return a view of the {@code 2 * delta.numel()} bytes written, positioned at 0
     */
    static ByteBuffer apply(RawTensor delta, RawTensor base, ByteBuffer scratch) {
        int n = Math.toIntExact(delta.numel());
        int summed = base == null ? 0 : Math.toIntExact(base.numel());
        HalfReader d = reader(delta);
        HalfReader b = base == null ? i -> 0 : reader(base);
        ShortBuffer out = scratch.clear().asShortBuffer();
        IntStream.range(0, (n + CHUNK - 1) / CHUNK).parallel().forEach(c -> {
            int end = Math.min(n, (c + 1) * CHUNK);
            for (int i = c * CHUNK; i < end; i++) {
                short half = d.get(i);
                out.put(i, i < summed ? Float16.fromFloat(Float16.toFloat(half) + Float16.toFloat(b.get(i))) : half);
            }
        });
        return scratch.duplicate().position(0).limit(2 * n).slice().order(scratch.order());
    }

    private static HalfReader reader(RawTensor t) {
        ByteBuffer bytes = t.bytes();
        switch (t.dtype()) {
            case F16: {
                ShortBuffer s = bytes.asShortBuffer();
                return s::get;
            }
            case BF16: {
                ShortBuffer s = bytes.asShortBuffer();
                return i -> Float16.fromFloat(Float16.bf16ToFloat(s.get(i)));
            }
            case F32: {
                FloatBuffer f = bytes.asFloatBuffer();
                return i -> Float16.fromFloat(f.get(i));
            }
            default:
                throw new IllegalArgumentException("tensor '" + t.name() + "' is " + t.dtype()
                        + ", expected F16, BF16 or F32");
        }
    }
}
