package io.ferret4j.llm.convert;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import io.ferret4j.core.weights.CheckpointException;
import io.ferret4j.core.weights.DType;
import io.ferret4j.core.weights.RawTensor;
import io.ferret4j.core.weights.TensorSource;

/**
 * What ml-ferret's {@code apply_delta} does with each tensor, decided from names, shapes and dtypes before
 * anything is written. The target holds exactly the delta's tensors, in the delta's order:
 * <ul>
 *   <li>in both with equal shapes: {@link Action#SUM};</li>
 *   <li>{@code model.embed_tokens.weight} and {@code lm_head.weight}, where the delta has more rows (32001:
 *       {@code <region_fea>} was added) than the base (32000): {@link Action#SUM_LEADING_ROWS}, the extra rows
 *       come from the delta;</li>
 *   <li>only in the delta and under {@code model.mm_projector.} or {@code model.region_geo_sampler.}:
 *       {@link Action#COPY} (exactly the tensors ml-ferret's {@code make_delta} leaves out of the subtraction).</li>
 * </ul>
 * {@code rotary_emb.inv_freq} buffers present on one side only are skipped: they are not learned, HF recomputes
 * them, and older and newer {@code transformers} versions differ on whether they are saved at all. Any other
 * tensor on one side only, a shape mismatch, or a dtype other than F16/BF16/F32 is refused with the names
 * involved: the reference would assert (delta-only names) or silently keep a randomly initialised weight
 * (base-only names).
 */
final class DeltaPlan {
    /** What happens to one delta tensor. */
    enum Action { SUM, SUM_LEADING_ROWS, COPY }

    /**
     * One output tensor.
     *
     * @param shape      the delta's (and output's) shape
     * @param baseNumel  elements of the base tensor, which in C order are the delta's leading elements that get the
     *                   base added (all of them for SUM, the first rows for SUM_LEADING_ROWS, none for COPY)
     */
    record Step(String name, Action action, long[] shape, long baseNumel) {
        /** Bytes of the F16 output. */
        long outputBytes() {
            return RawTensor.numel(shape) * DType.F16.byteSize();
        }
    }

    static final Set<String> ROW_EXTENDED = Set.of("model.embed_tokens.weight", "lm_head.weight");
    static final List<String> DELTA_ONLY_PREFIXES = List.of("model.mm_projector.", "model.region_geo_sampler.");
    private static final Set<DType> INPUT_DTYPES = Set.of(DType.F16, DType.BF16, DType.F32);
    private static final int NAMES_SHOWN = 8;

    private final List<Step> steps;
    private final List<String> skippedBaseOnly;
    private final List<String> skippedDeltaOnly;

    private DeltaPlan(List<Step> steps, List<String> skippedBaseOnly, List<String> skippedDeltaOnly) {
        this.steps = List.copyOf(steps);
        this.skippedBaseOnly = List.copyOf(skippedBaseOnly);
        this.skippedDeltaOnly = List.copyOf(skippedDeltaOnly);
    }

    /** Plans the conversion, reading only headers (tensors are mapped, not loaded). */
    static DeltaPlan of(TensorSource base, TensorSource delta) {
        List<Step> steps = new ArrayList<>();
        List<String> skippedDeltaOnly = new ArrayList<>();
        List<String> unknownDeltaOnly = new ArrayList<>();
        for (String name : delta.names()) {
            RawTensor d = checked(delta, name);
            if (base.contains(name)) {
                steps.add(step(d, checked(base, name), delta, base));
            } else if (isRotaryBuffer(name)) {
                skippedDeltaOnly.add(name);
            } else if (DELTA_ONLY_PREFIXES.stream().anyMatch(name::startsWith)) {
                steps.add(new Step(name, Action.COPY, d.shape(), 0));
            } else {
                unknownDeltaOnly.add(name);
            }
        }
        if (!unknownDeltaOnly.isEmpty()) {
            throw new CheckpointException(delta.path(), unknownDeltaOnly.size() + " delta tensor(s) are not in the base "
                    + base.path() + " and are not multimodal tensors " + DELTA_ONLY_PREFIXES + ": "
                    + shown(unknownDeltaOnly) + "; is the base a Hugging Face Vicuna v1.3 checkpoint?");
        }
        List<String> skippedBaseOnly = baseOnlyRotaryBuffers(base, delta);
        return new DeltaPlan(steps, skippedBaseOnly, skippedDeltaOnly);
    }

    /** The base-only tensors, which must all be {@code inv_freq} buffers. */
    private static List<String> baseOnlyRotaryBuffers(TensorSource base, TensorSource delta) {
        List<String> rotary = new ArrayList<>();
        List<String> missingFromDelta = new ArrayList<>();
        for (String name : base.names()) {
            if (!delta.contains(name)) {
                (isRotaryBuffer(name) ? rotary : missingFromDelta).add(name);
            }
        }
        if (!missingFromDelta.isEmpty()) {
            throw new CheckpointException(delta.path(), missingFromDelta.size() + " base tensor(s) of " + base.path()
                    + " are missing from the delta, so the target would lack them: " + shown(missingFromDelta));
        }
        return rotary;
    }

    private static Step step(RawTensor d, RawTensor b, TensorSource delta, TensorSource base) {
        if (Arrays.equals(d.shape(), b.shape())) {
            return new Step(d.name(), Action.SUM, d.shape(), b.numel());
        }
        if (ROW_EXTENDED.contains(d.name()) && d.rank() >= 1 && b.rank() == d.rank() && b.dim(0) < d.dim(0)
                && Arrays.equals(tail(d.shape()), tail(b.shape()))) {
            return new Step(d.name(), Action.SUM_LEADING_ROWS, d.shape(), b.numel());
        }
        String hint = ROW_EXTENDED.contains(d.name())
                ? " (only extra rows in the delta are allowed here; were base and delta swapped?)"
                : "";
        throw new CheckpointException(delta.path(), "tensor '" + d.name() + "' has shape " + Arrays.toString(d.shape())
                + " in the delta but " + Arrays.toString(b.shape()) + " in the base " + base.path() + hint);
    }

    private static RawTensor checked(TensorSource source, String name) {
        RawTensor t = source.get(name);
        if (!INPUT_DTYPES.contains(t.dtype())) {
            throw new CheckpointException(source.path(), "tensor '" + name + "' is " + t.dtype()
                    + "; apply_delta reads weights as F16, BF16 or F32");
        }
        return t;
    }

    static boolean isRotaryBuffer(String name) {
        return name.endsWith(".rotary_emb.inv_freq");
    }

    private static long[] tail(long[] shape) {
        return Arrays.copyOfRange(shape, 1, shape.length);
    }

    private static String shown(List<String> names) {
        return names.size() <= NAMES_SHOWN ? names.toString()
                : names.subList(0, NAMES_SHOWN) + " and " + (names.size() - NAMES_SHOWN) + " more";
    }

    /** Output tensors in delta order. */
    List<Step> steps() {
        return steps;
    }

    /** Base {@code inv_freq} buffers that the delta does not have. */
    List<String> skippedBaseOnly() {
        return skippedBaseOnly;
    }

    /** Delta {@code inv_freq} buffers that the base does not have. */
    List<String> skippedDeltaOnly() {
        return skippedDeltaOnly;
    }
}
