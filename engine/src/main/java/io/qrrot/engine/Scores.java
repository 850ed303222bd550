package io.qrrot.engine;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Sorted-set scores as Redis 7.0 reads and prints them: C {@code double}s, parsed with {@code strtod} and
 * printed with {@code "%.17g"}.
 *
 * <p><b>Two parsers, as Redis has.</b> A score or weight given to a write ({@link #parse}) is Redis's
 * {@code getDoubleFromObject}: the whole text, decimal or hex ({@code 0x10}), {@code inf}/{@code infinity}
 * in any case with an optional sign; no leading space, no NaN, no overflow to infinity, no underflow to zero
 * (a subnormal is fine). A range bound ({@link #parseBound}) is {@code zslParseRange}'s bare {@code strtod}:
 * leading spaces are skipped, an empty text is 0, overflow gives an infinity and underflow 0; only trailing
 * bytes and NaN are refused.
 *
 * <p><b>Printing.</b> {@code %.17g}: 17 significant digits, trailing zeros dropped, exponent form when the
 * decimal exponent is below -4 or at least 17 ({@code 1e+20}, {@code 3.0000000000000001e-05}), {@code inf},
 * {@code -inf}, {@code -0}. Replies print through a {@link Printer}, which allocates nothing; {@link #text}
 * (the tools, ALL) goes through an exact {@link BigDecimal}, against which the printer is tested.
 *
 * <p>Public for {@link #text} alone: the tools outside the engine (the WAL and snapshot dumps) print a score
 * as the commands do.
 */
public final class Scores {
    /** Longest text {@link #format} writes: sign, 17 digits, point, "e-308". */
    static final int MAX_TEXT = 32;
    private static final MathContext SEVENTEEN = new MathContext(17, RoundingMode.HALF_EVEN);
    private static final double TEN_TO_17 = 1e17;

    private Scores() {
    }

    /**
     * Parses a score as Redis's {@code getDoubleFromObject} does.
     *
     * @return the value, or NaN when Redis refuses the text
     */
    static double parse(DirectBuffer b, int off, int len) {
        if (len == 0 || isSpace(b.getByte(off))) {
            return Double.NaN;
        }
        double v = strtod(b, off, len);
        return v;
    }

    /**
     * Parses a range bound's number (after any {@code (}) as {@code strtod} alone does.
     *
     * @return the value, or NaN when Redis refuses the text
     */
    static double parseBound(DirectBuffer b, int off, int len) {
        for (int k = 0; k < len; k++) {
            if (b.getByte(off + k) == 0) {
                len = k; // strtod reads a C string: it ends at a NUL, and Redis checks only that it got there
                break;
            }
        }
        int i = 0;
        while (i < len && isSpace(b.getByte(off + i))) {
            i++;
        }
        if (i == len) {
            return 0; // strtod parsed nothing and stopped at the end: Redis takes the 0 it returned
        }
        double v = strtodRelaxed(b, off + i, len - i);
        return v;
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    /** strtod over the whole text, refusing overflow and underflow to zero; NaN when refused. */
    private static double strtod(DirectBuffer b, int off, int len) {
        double v = strtodRelaxed(b, off, len);
        if (Double.isNaN(v) || !Double.isInfinite(v) && v != 0) {
            return v;
        }
        if (Double.isInfinite(v)) {
            return isInfinityText(b, off, len) ? v : Double.NaN; // HUGE_VAL with ERANGE
        }
        return hasNonZeroDigit(b, off, len) ? Double.NaN : v; // underflow to zero with ERANGE
    }

    /** strtod over the whole text: overflow gives an infinity, underflow 0; NaN when bytes are left or NaN. */
    private static double strtodRelaxed(DirectBuffer b, int off, int len) {
        int i = 0;
        boolean negative = false;
        if (i < len && (b.getByte(off) == '+' || b.getByte(off) == '-')) {
            negative = b.getByte(off) == '-';
            i++;
        }
        if (isInfinityText(b, off + i, len - i)) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (len - i > 2 && b.getByte(off + i) == '0' && (b.getByte(off + i + 1) | 0x20) == 'x') {
            return hex(b, off + i + 2, len - i - 2, negative);
        }
        // Integers of up to 15 digits, the usual score, need no text.
        int digits = 0;
        long whole = 0;
        int j = i;
        while (j < len && digits <= 15) {
            byte c = b.getByte(off + j);
            if (c < '0' || c > '9') {
                break;
            }
            whole = whole * 10 + (c - '0');
            digits++;
            j++;
        }
        if (j == len && digits > 0 && digits <= 15) {
            return negative ? -(double) whole : whole;
        }
        // The strtod grammar: digits [. digits] [e [sign] digits], at least one digit in the mantissa.
        int k = i;
        int mantissa = 0;
        while (k < len && isDigit(b.getByte(off + k))) {
            k++;
            mantissa++;
        }
        if (k < len && b.getByte(off + k) == '.') {
            k++;
            while (k < len && isDigit(b.getByte(off + k))) {
                k++;
                mantissa++;
            }
        }
        if (mantissa == 0) {
            return Double.NaN;
        }
        if (k < len && (b.getByte(off + k) | 0x20) == 'e') {
            int e = k + 1;
            if (e < len && (b.getByte(off + e) == '+' || b.getByte(off + e) == '-')) {
                e++;
            }
            int expDigits = 0;
            while (e < len && isDigit(b.getByte(off + e))) {
                e++;
                expDigits++;
            }
            if (expDigits == 0) {
                return Double.NaN; // strtod stops before the 'e': bytes left over
            }
            k = e;
        }
        if (k != len) {
            return Double.NaN;
        }
        // Double.parseDouble rounds correctly, as glibc's strtod does; the grammar above is strtod's.
        return Double.parseDouble(b.getStringWithoutLengthAscii(off, len));
    }

    private static double hex(DirectBuffer b, int off, int len, boolean negative) {
        int k = 0;
        int digits = 0;
        while (k < len && isHexDigit(b.getByte(off + k))) {
            k++;
            digits++;
        }
        if (k < len && b.getByte(off + k) == '.') {
            k++;
            while (k < len && isHexDigit(b.getByte(off + k))) {
                k++;
                digits++;
            }
        }
        if (digits == 0) {
            return Double.NaN; // strtod reads "0" and leaves "x…"
        }
        boolean exponent = false;
        if (k < len && (b.getByte(off + k) | 0x20) == 'p') {
            int e = k + 1;
            if (e < len && (b.getByte(off + e) == '+' || b.getByte(off + e) == '-')) {
                e++;
            }
            int expDigits = 0;
            while (e < len && isDigit(b.getByte(off + e))) {
                e++;
                expDigits++;
            }
            if (expDigits == 0) {
                return Double.NaN;
            }
            k = e;
            exponent = true;
        }
        if (k != len) {
            return Double.NaN;
        }
        String text = "0x" + b.getStringWithoutLengthAscii(off, len) + (exponent ? "" : "p0");
        double v = Double.parseDouble(text);
        return negative ? -v : v;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHexDigit(byte c) {
        return isDigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
    }

    private static boolean isInfinityText(DirectBuffer b, int off, int len) {
        int i = 0;
        if (len > 0 && (b.getByte(off) == '+' || b.getByte(off) == '-')) {
            i = 1;
        }
        return matches(b, off + i, len - i, "inf") || matches(b, off + i, len - i, "infinity");
    }

    private static boolean matches(DirectBuffer b, int off, int len, String lower) {
        if (len != lower.length()) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if ((b.getByte(off + i) | 0x20) != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the significand of a number text (before its exponent) has a digit other than 0. */
    private static boolean hasNonZeroDigit(DirectBuffer b, int off, int len) {
        int i = 0;
        if (i < len && (b.getByte(off) == '+' || b.getByte(off) == '-')) {
            i++;
        }
        boolean hexText = len - i > 2 && b.getByte(off + i) == '0' && (b.getByte(off + i + 1) | 0x20) == 'x';
        if (hexText) {
            i += 2;
        }
        for (; i < len; i++) {
            byte c = b.getByte(off + i);
            if (hexText ? (c | 0x20) == 'p' : (c | 0x20) == 'e') {
                return false;
            }
            if (c >= '1' && c <= '9' || hexText && (c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
                return true;
            }
        }
        return false;
    }

    /** Redis's double2ll: an integral value within ±(2^63-1)/2, which a listpack keeps as an integer. */
    static boolean isListpackInteger(double v) {
        return v >= (double) (-Long.MAX_VALUE / 2) && v <= (double) (Long.MAX_VALUE / 2) && v == (long) v;
    }

    /**
     * Prints scores as {@code "%.17g"} into a buffer without allocating: an integral score below 10^17 as its
     * digits, any other finite one by exact integer arithmetic on its binary value (m × 2^e) in a reusable
     * multi-word integer: floor(|v| × 10^(17-x)) for the decimal exponent x of |v|, 18 digits whose last one and
     * the bits dropped on the way round the 17 kept to nearest-even, as glibc's printf does. One per thread
     * (a {@link Ctx} owns one); not thread-safe.
     */
    static final class Printer {
        private static final long TEN_TO_17_LONG = 100_000_000_000_000_000L;
        private static final long TEN_TO_18 = 1_000_000_000_000_000_000L;
        private static final int BILLION = 1_000_000_000;
        /** Little-endian 32-bit words of a non-negative integer: up to about 1,190 bits are needed. */
        private final int[] words = new int[48];
        private int length;
        private boolean sticky;
        private final byte[] digits = new byte[17];

        /** Writes {@code v} as {@code "%.17g"} prints it at {@code off}; returns the length (at most {@link #MAX_TEXT}). */
        int format(double v, MutableDirectBuffer into, int off) {
            if (Double.isInfinite(v)) {
                return into.putStringWithoutLengthAscii(off, v > 0 ? "inf" : "-inf");
            }
            if (Double.isNaN(v)) {
                return into.putStringWithoutLengthAscii(off, "nan");
            }
            if (v == Math.rint(v) && Math.abs(v) < TEN_TO_17) {
                if (v == 0 && Double.doubleToRawLongBits(v) != 0) {
                    return into.putStringWithoutLengthAscii(off, "-0");
                }
                return into.putLongAscii(off, (long) v);
            }
            double a = Math.abs(v);
            long bits = Double.doubleToRawLongBits(a);
            int biased = (int) (bits >>> 52);
            long m = bits & ((1L << 52) - 1);
            int e;
            if (biased == 0) {
                e = -1074; // subnormal
            } else {
                m |= 1L << 52;
                e = biased - 1075;
            }
            int x = (int) Math.floor(Math.log10(a));
            long q;
            while (true) {
                q = scaled(m, e, 17 - x);
                if (q < 0) {
                    x++; // 19 digits or more: the estimate of x was low
                } else if (q < TEN_TO_17_LONG) {
                    x--; // 17 digits or fewer: it was high
                } else {
                    break;
                }
            }
            long d = q / 10;
            int last = (int) (q % 10);
            if (last > 5 || (last == 5 && (sticky || (d & 1) != 0))) {
                d++;
                if (d == TEN_TO_17_LONG) {
                    d = TEN_TO_17_LONG / 10;
                    x++;
                }
            }
            for (int i = 16; i >= 0; i--) {
                digits[i] = (byte) ('0' + d % 10);
                d /= 10;
            }
            int kept = 17;
            while (kept > 1 && digits[kept - 1] == '0') {
                kept--; // %g drops trailing zeros
            }
            int at = off;
            if (v < 0) {
                into.putByte(at++, (byte) '-');
            }
            if (x < -4 || x >= 17) {
                into.putByte(at++, digits[0]);
                if (kept > 1) {
                    into.putByte(at++, (byte) '.');
                    for (int i = 1; i < kept; i++) {
                        into.putByte(at++, digits[i]);
                    }
                }
                into.putByte(at++, (byte) 'e');
                into.putByte(at++, (byte) (x < 0 ? '-' : '+'));
                int ex = Math.abs(x);
                if (ex < 10) {
                    into.putByte(at++, (byte) '0');
                }
                at += into.putIntAscii(at, ex);
            } else if (x < 0) {
                into.putByte(at++, (byte) '0');
                into.putByte(at++, (byte) '.');
                for (int i = -1; i > x; i--) {
                    into.putByte(at++, (byte) '0');
                }
                for (int i = 0; i < kept; i++) {
                    into.putByte(at++, digits[i]);
                }
            } else {
                for (int i = 0; i <= x; i++) {
                    into.putByte(at++, digits[i]);
                }
                if (kept > x + 1) {
                    into.putByte(at++, (byte) '.');
                    for (int i = x + 1; i < kept; i++) {
                        into.putByte(at++, digits[i]);
                    }
                }
            }
            return at - off;
        }

        /**
         * floor(m × 2^e × 10^k) when it is below 10^18, else -1; {@link #sticky} says whether anything was
         * dropped by the floor. Exact: for k >= 0 it multiplies before it shifts right, and k < 0 only occurs for
         * values of 10^18 and more, whose e is positive (it shifts left before it divides).
         */
        private long scaled(long m, int e, int k) {
            sticky = false;
            words[0] = (int) m;
            words[1] = (int) (m >>> 32);
            length = 2;
            if (k > 0) {
                for (int left = k; left > 0; left -= 9) {
                    multiply(left >= 9 ? BILLION : pow10(left));
                }
            }
            if (e > 0) {
                shiftLeft(e);
            } else if (e < 0) {
                shiftRight(-e);
            }
            if (k < 0) {
                for (int left = -k; left > 0; left -= 9) {
                    divide(left >= 9 ? BILLION : pow10(left));
                }
            }
            trim();
            if (length > 2) {
                return -1;
            }
            long value = (words[0] & 0xFFFFFFFFL) | (length > 1 ? (long) words[1] << 32 : 0);
            return value < 0 || value >= TEN_TO_18 ? -1 : value;
        }

        private static int pow10(int n) {
            int p = 1;
            for (int i = 0; i < n; i++) {
                p *= 10;
            }
            return p;
        }

        private void multiply(int factor) {
            long carry = 0;
            for (int i = 0; i < length; i++) {
                long t = (words[i] & 0xFFFFFFFFL) * factor + carry;
                words[i] = (int) t;
                carry = t >>> 32;
            }
            if (carry != 0) {
                words[length++] = (int) carry;
            }
        }

        private void divide(int divisor) {
            long rem = 0;
            for (int i = length - 1; i >= 0; i--) {
                long cur = (rem << 32) | (words[i] & 0xFFFFFFFFL);
                words[i] = (int) (cur / divisor);
                rem = cur % divisor;
            }
            if (rem != 0) {
                sticky = true;
            }
            trim();
        }

        private void shiftLeft(int n) {
            int wordShift = n >>> 5;
            int bitShift = n & 31;
            int newLength = length + wordShift + 1;
            for (int i = newLength - 1; i >= 0; i--) {
                int src = i - wordShift;
                long hi = src >= 0 && src < length ? words[src] & 0xFFFFFFFFL : 0;
                long lo = src - 1 >= 0 && src - 1 < length ? words[src - 1] & 0xFFFFFFFFL : 0;
                words[i] = bitShift == 0 ? (int) hi : (int) ((hi << bitShift) | (lo >>> (32 - bitShift)));
            }
            length = newLength;
            trim();
        }

        private void shiftRight(int n) {
            int wordShift = n >>> 5;
            int bitShift = n & 31;
            for (int i = 0; i < Math.min(wordShift, length); i++) {
                if (words[i] != 0) {
                    sticky = true;
                }
            }
            if (wordShift < length && bitShift != 0 && (words[wordShift] & ((1 << bitShift) - 1)) != 0) {
                sticky = true;
            }
            int newLength = Math.max(0, length - wordShift);
            for (int i = 0; i < newLength; i++) {
                long lo = words[i + wordShift] & 0xFFFFFFFFL;
                long hi = i + wordShift + 1 < length ? words[i + wordShift + 1] & 0xFFFFFFFFL : 0;
                words[i] = bitShift == 0 ? (int) lo : (int) ((lo >>> bitShift) | (hi << (32 - bitShift)));
            }
            length = newLength;
            trim();
        }

        private void trim() {
            while (length > 0 && words[length - 1] == 0) {
                length--;
            }
        }
    }

    /**
     * {@code "%.17g"} of any score, as a String (not for hot paths): what ZSCORE replies for it. NaN, which
     * no score is, prints as {@code nan}.
     */
    public static String text(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return formatSlow(v);
    }

    /** {@code "%.17g"} of a finite value, the general case. */
    static String formatSlow(double v) {
        if (v == 0) {
            return Double.doubleToRawLongBits(v) != 0 ? "-0" : "0";
        }
        BigDecimal r = new BigDecimal(Math.abs(v)).round(SEVENTEEN);
        String digits = r.unscaledValue().toString();
        int exponent = digits.length() - 1 - r.scale();
        // Trailing zeros of the significand go (%g drops them).
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') {
            end--;
        }
        digits = digits.substring(0, end);
        StringBuilder out = new StringBuilder(MAX_TEXT);
        if (v < 0) {
            out.append('-');
        }
        if (exponent < -4 || exponent >= 17) {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            out.append('e').append(exponent < 0 ? '-' : '+');
            int e = Math.abs(exponent);
            if (e < 10) {
                out.append('0');
            }
            out.append(e);
        } else if (exponent < 0) {
            out.append("0.");
            for (int i = -1; i > exponent; i--) {
                out.append('0');
            }
            out.append(digits);
        } else if (digits.length() <= exponent + 1) {
            out.append(digits);
            for (int i = digits.length(); i <= exponent; i++) {
                out.append('0');
            }
        } else {
            out.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, digits.length());
        }
        return out.toString();
    }
}
