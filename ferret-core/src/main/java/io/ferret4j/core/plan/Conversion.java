package io.ferret4j.core.plan;

/** What loading does with a weight the checkpoint stores in another type than the part holds it in. */
public enum Conversion {
    /**
     * Converted while loading: widened to F32, rounded to the nearest F16 (as the reference's {@code .half()} cast),
     * or quantised to Q8_0 or Q4_0. A weight already stored in the held format is read as stored (F16, Q8_0 and
     * Q4_0: mapped without a copy).
     */
    AT_LOAD,
    /**
     * None: the checkpoint must store the weight in the held format, whose bytes are mapped without a copy; any
     * other type is refused, naming the tensor. Not for F32, which is always a widened copy.
     */
    NONE
}
