package io.qrrot.engine;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * INCRBYFLOAT arithmetic with Redis' exact results.
 *
 * <p>Redis computes INCRBYFLOAT in the C {@code long double} of x86-64 (80-bit extended precision: a 64-bit
 * significand, exponents down to 2^-16445 for subnormals) and prints the sum with {@code "%.17Lf"} minus
 * trailing zeros. A Java double would answer {@code 0.30000000000000004} where Redis answers {@code 0.3}, so
 * this class models those values exactly: a value is the exact {@link BigDecimal} of an 80-bit number (or an
 * infinity), parsing and addition round to nearest-even on a 64-bit significand, and formatting rounds the
 * exact value to 17 decimals. Not a hot path: it allocates freely.
 *
 * @param infinity 0 for a finite value, +1 or -1 for an infinity
 * @param value    the exact value when finite (null otherwise)
 */
record LongDouble(int infinity, BigDecimal value) {
    private static final int SIGNIFICAND_BITS = 64;
    private static final int MAX_EXPONENT = 16383;
    private static final int MIN_NORMAL_EXPONENT = -16382;
    /** Redis refuses float texts of this many bytes or more ({@code MAX_LONG_DOUBLE_CHARS}). */
    static final int MAX_TEXT = 5 * 1024;

    static LongDouble of(long v) {
        return new LongDouble(0, BigDecimal.valueOf(v));
    }

    boolean isFinite() {
        return infinity == 0;
    }

    /**
     * Parses a float text as Redis' {@code string2ld} does ({@code strtold} on the whole text: decimal or hex
     * notation, {@code inf}/{@code infinity}; no leading space, no trailing bytes, no NaN, no overflow, no
     * underflow to zero).
     *
     * @return null when the text is not accepted
     */
    static LongDouble parse(byte[] s) {
        if (s.length == 0 || s.length >= MAX_TEXT || isSpace(s[0])) {
            return null;
        }
        int i = 0;
        int sign = 1;
        if (s[0] == '+' || s[0] == '-') {
            sign = s[0] == '-' ? -1 : 1;
            i++;
        }
        String rest = new String(s, i, s.length - i, java.nio.charset.StandardCharsets.ISO_8859_1);
        String lower = rest.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("inf") || lower.equals("infinity")) {
            return new LongDouble(sign, null);
        }
        if (lower.startsWith("0x")) {
            return parseHex(lower.substring(2), sign);
        }
        return parseDecimal(rest, sign);
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0b || b == '\f';
    }

    private static LongDouble parseDecimal(String t, int sign) {
        int n = t.length();
        int i = 0;
        StringBuilder digits = new StringBuilder();
        int fractionDigits = 0;
        boolean any = false;
        while (i < n && Character.isDigit(t.charAt(i)) && t.charAt(i) < 128) {
            digits.append(t.charAt(i++));
            any = true;
        }
        if (i < n && t.charAt(i) == '.') {
            i++;
            while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
                digits.append(t.charAt(i++));
                fractionDigits++;
                any = true;
            }
        }
        if (!any) {
            return null;
        }
        long exponent = 0;
        if (i < n && (t.charAt(i) == 'e' || t.charAt(i) == 'E')) {
            int j = i + 1;
            int esign = 1;
            if (j < n && (t.charAt(j) == '+' || t.charAt(j) == '-')) {
                esign = t.charAt(j) == '-' ? -1 : 1;
                j++;
            }
            if (j >= n || t.charAt(j) < '0' || t.charAt(j) > '9') {
                return null; // strtold would stop before the 'e', leaving bytes unparsed
            }
            long e = 0;
            while (j < n && t.charAt(j) >= '0' && t.charAt(j) <= '9') {
                e = Math.min(e * 10 + (t.charAt(j) - '0'), 1_000_000_000L);
                j++;
            }
            exponent = esign * e;
            i = j;
        }
        if (i != n) {
            return null;
        }
        BigInteger unscaled = new BigInteger(digits.toString());
        if (unscaled.signum() == 0) {
            return new LongDouble(0, BigDecimal.ZERO);
        }
        long scale = fractionDigits - exponent;
        // Order of magnitude of the value: digits + exponent. Far outside 1e±4951 it over- or underflows.
        long magnitude = new BigDecimal(unscaled).precision() - scale;
        if (magnitude > 4935) {
            return null; // overflow: strtold returns HUGE_VAL with ERANGE
        }
        if (magnitude < -4955) {
            return null; // underflow to zero with ERANGE
        }
        BigDecimal exact = new BigDecimal(unscaled, (int) scale);
        LongDouble r = round(sign < 0 ? exact.negate() : exact);
        if (!r.isFinite() || r.value.signum() == 0) {
            return null; // overflow or underflow to zero: refused like ERANGE
        }
        return r;
    }

    private static LongDouble parseHex(String t, int sign) {
        int n = t.length();
        int i = 0;
        BigInteger mant = BigInteger.ZERO;
        int fractionBits = 0;
        boolean any = false;
        while (i < n && Character.digit(t.charAt(i), 16) >= 0) {
            mant = mant.shiftLeft(4).add(BigInteger.valueOf(Character.digit(t.charAt(i++), 16)));
            any = true;
        }
        if (i < n && t.charAt(i) == '.') {
            i++;
            while (i < n && Character.digit(t.charAt(i), 16) >= 0) {
                mant = mant.shiftLeft(4).add(BigInteger.valueOf(Character.digit(t.charAt(i++), 16)));
                fractionBits += 4;
                any = true;
            }
        }
        if (!any) {
            return null;
        }
        long exp = 0;
        if (i < n && t.charAt(i) == 'p') {
            int j = i + 1;
            int esign = 1;
            if (j < n && (t.charAt(j) == '+' || t.charAt(j) == '-')) {
                esign = t.charAt(j) == '-' ? -1 : 1;
                j++;
            }
            if (j >= n || !Character.isDigit(t.charAt(j))) {
                return null;
            }
            long e = 0;
            while (j < n && t.charAt(j) >= '0' && t.charAt(j) <= '9') {
                e = Math.min(e * 10 + (t.charAt(j) - '0'), 1_000_000L);
                j++;
            }
            exp = esign * e;
            i = j;
        }
        if (i != n) {
            return null;
        }
        if (mant.signum() == 0) {
            return new LongDouble(0, BigDecimal.ZERO);
        }
        long binExp = exp - fractionBits;
        long magnitude = mant.bitLength() + binExp;
        if (magnitude > MAX_EXPONENT + 2 || magnitude < MIN_NORMAL_EXPONENT - SIGNIFICAND_BITS - 2) {
            return null;
        }
        BigDecimal exact = binExp >= 0 ? new BigDecimal(mant.shiftLeft((int) binExp))
                : new BigDecimal(mant.multiply(BigInteger.valueOf(5).pow((int) -binExp)), (int) -binExp);
        LongDouble r = round(sign < 0 ? exact.negate() : exact);
        if (!r.isFinite() || r.value.signum() == 0) {
            return null;
        }
        return r;
    }

    /** The sum, rounded as the FPU rounds it. */
    LongDouble add(LongDouble o) {
        if (!isFinite() || !o.isFinite()) {
            if (isFinite()) {
                return o;
            }
            if (o.isFinite() || o.infinity == infinity) {
                return this;
            }
            return null; // inf + -inf = NaN
        }
        return round(value.add(o.value));
    }

    /** Rounds an exact value to the nearest 80-bit long double (ties to even); overflow gives an infinity. */
    static LongDouble round(BigDecimal x) {
        int signum = x.signum();
        if (signum == 0) {
            return new LongDouble(0, BigDecimal.ZERO);
        }
        BigDecimal abs = x.abs();
        BigInteger p;
        BigInteger q;
        if (abs.scale() > 0) {
            p = abs.unscaledValue();
            q = BigInteger.TEN.pow(abs.scale());
        } else {
            p = abs.unscaledValue().multiply(BigInteger.TEN.pow(-abs.scale()));
            q = BigInteger.ONE;
        }
        // e = floor(log2(p/q)): estimate from bit lengths, then correct by one.
        long e = (long) p.bitLength() - q.bitLength();
        if (compareWithPowerOfTwo(p, q, e) < 0) {
            e--;
        }
        if (e > MAX_EXPONENT) {
            return new LongDouble(signum, null);
        }
        long exp = Math.max(e, MIN_NORMAL_EXPONENT);
        long shift = SIGNIFICAND_BITS - 1 - exp; // m = p/q * 2^shift
        BigInteger num = shift >= 0 ? p.shiftLeft((int) shift) : p;
        BigInteger den = shift >= 0 ? q : q.shiftLeft((int) -shift);
        BigInteger[] qr = num.divideAndRemainder(den);
        BigInteger m = qr[0];
        int half = qr[1].shiftLeft(1).compareTo(den);
        if (half > 0 || (half == 0 && m.testBit(0))) {
            m = m.add(BigInteger.ONE);
        }
        if (m.bitLength() > SIGNIFICAND_BITS) {
            m = m.shiftRight(1);
            exp++;
            if (exp > MAX_EXPONENT) {
                return new LongDouble(signum, null);
            }
        }
        long k = exp - (SIGNIFICAND_BITS - 1); // value = m * 2^k
        BigDecimal v = k >= 0 ? new BigDecimal(m.shiftLeft((int) k))
                : new BigDecimal(m.multiply(BigInteger.valueOf(5).pow((int) -k)), (int) -k);
        return new LongDouble(0, signum < 0 ? v.negate() : v);
    }

    /** Sign of (p/q) compared with 2^e. */
    private static int compareWithPowerOfTwo(BigInteger p, BigInteger q, long e) {
        if (e >= 0) {
            return p.compareTo(q.shiftLeft((int) e));
        }
        return p.shiftLeft((int) -e).compareTo(q);
    }

    /** Redis' human-friendly text: {@code "%.17Lf"} without trailing zeros (and "0" rather than "-0"). */
    String format() {
        String s = value.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
        int end = s.length();
        if (s.indexOf('.') >= 0) {
            while (s.charAt(end - 1) == '0') {
                end--;
            }
            if (s.charAt(end - 1) == '.') {
                end--;
            }
        }
        s = s.substring(0, end);
        return s.equals("-0") ? "0" : s;
    }
}
