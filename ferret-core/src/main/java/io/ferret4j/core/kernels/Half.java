package io.ferret4j.core.kernels;

/**
 * The branch-free binary16 widening that the kernels use: the half's sign, exponent and mantissa bits are moved
 * into float position ({@code h << 13}, keeping bits {@code 0x8FFFE000}) and the result is scaled by 2^112 to
 * re-bias the exponent (15 → 127). The scale is a power of two, so every finite half, subnormals and signed
 * zeros included, widens exactly (the JVM never flushes subnormals). Infinity and NaN widen to finite values of
 * magnitude in [65536, 131072); checkpoint weights hold neither.
 */
final class Half {
    static final int MASK = 0x8FFFE000;
    static final float REBIAS = 0x1p112f;

    private Half() {
    }

    static float widen(short h) {
        return Float.intBitsToFloat((h << 13) & MASK) * REBIAS;
    }
}
