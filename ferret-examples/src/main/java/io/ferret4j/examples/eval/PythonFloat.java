package io.ferret4j.examples.eval;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Python's {@code repr(float)}: the shortest decimal that reads back as the same double, written in fixed notation
 * for decimal exponents from -4 to 15 ({@code 0.4615384615384615}, {@code 1.0}) and as {@code 1e-05} or
 * {@code 1.5e+16} otherwise. The scorers print their metrics this way, so our printed lines match theirs.
 */
final class PythonFloat {
    private static final int MAX_DIGITS = 17;
    private static final int FIXED_MIN_EXPONENT = -4;
    private static final int FIXED_MAX_EXPONENT = 16;

    private PythonFloat() {
    }

    /** {@code repr(value)}. */
    static String repr(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0) {
            return 1 / value < 0 ? "-0.0" : "0.0";
        }
        BigDecimal shortest = shortest(value);
        String sign = shortest.signum() < 0 ? "-" : "";
        String digits = shortest.unscaledValue().abs().toString().replaceAll("0+$", "");
        int exponent = shortest.precision() - shortest.scale() - 1;
        if (exponent >= FIXED_MIN_EXPONENT && exponent < FIXED_MAX_EXPONENT) {
            return sign + fixed(digits, exponent);
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }

    private static BigDecimal shortest(double value) {
        BigDecimal exact = new BigDecimal(value);
        for (int digits = 1; digits < MAX_DIGITS; digits++) {
            BigDecimal rounded = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
            if (rounded.doubleValue() == value) {
                return rounded;
            }
        }
        return exact.round(new MathContext(MAX_DIGITS, RoundingMode.HALF_EVEN));
    }

    private static String fixed(String digits, int exponent) {
        if (exponent < 0) {
            return "0." + "0".repeat(-exponent - 1) + digits;
        }
        if (digits.length() <= exponent + 1) {
            return digits + "0".repeat(exponent + 1 - digits.length()) + ".0";
        }
        return digits.substring(0, exponent + 1) + "." + digits.substring(exponent + 1);
    }
}
