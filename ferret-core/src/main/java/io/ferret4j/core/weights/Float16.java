package io.ferret4j.core.weights;

/**
 * IEEE binary16 and bfloat16 conversions, bit-exact (round-to-nearest-even, subnormals kept), usable on
 * Java 17 where {@code Float.float16ToFloat} does not exist yet.
 */
public final class Float16 {
    private Float16() {
    }

    /** Widens a binary16 bit pattern to float (exact). */
    public static float toFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {                                   // inf / NaN
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            // zero or subnormal: mant * 2^-24
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Rounds a float to the nearest binary16 bit pattern (ties to even, overflow to infinity). */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= 0x7f800000) {                              // inf / NaN
            return (short) (sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 | ((abs >>> 13) & 0x3ff) : 0));
        }
        if (abs >= 0x477ff000) {                              // >= 65520 rounds to infinity
            return (short) (sign | 0x7c00);
        }
        if (abs < 0x38800000) {                               // below the smallest normal 2^-14
            // subnormal: value / 2^-24, rounded half to even
            float scaled = Float.intBitsToFloat(abs) * 0x1p24f;
            int r = (int) Math.rint(scaled);
            return (short) (sign | r);
        }
        int exp = (abs >>> 23) - 112;
        int mant = abs & 0x7fffff;
        int half = (exp << 10) | (mant >>> 13);
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++;                                           // may carry into the exponent: still correct
        }
        return (short) (sign | half);
    }

    /** {@code h(x)}: rounds a float to binary16 precision and back. */
    public static float round(float f) {
        return toFloat(fromFloat(f));
    }

    /** Widens a bfloat16 bit pattern to float (exact). */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Rounds a float to the nearest bfloat16 (ties to even). */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
