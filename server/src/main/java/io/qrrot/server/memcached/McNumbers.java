package io.qrrot.server.memcached;

import io.netty.buffer.ByteBuf;

/**
 * memcached's {@code safe_strtoul}, {@code safe_strtol} and {@code safe_strtoull} (util.c) on a 64-bit
 * platform, over one token of a command line. They follow C's {@code strtoul}/{@code strtol}: leading
 * white space and a sign are accepted, a digit must follow, the digits may be followed by the token's end or
 * a white space character (whatever comes after it is ignored), and a value that overflows 64 bits is
 * rejected. The result is then cut to the destination's width without a range check, as memcached does:
 * flags {@code 4294967296} are 0, bytes {@code 4294967297} are 1, and flags {@code -18446744073709551615}
 * are 1. A '-' is refused only when the result, read as signed, is negative ({@code -0} is 0).
 */
final class McNumbers {
    /** Returned by {@link #uint32} and {@link #int32} for a rejected token. */
    static final long INVALID = Long.MIN_VALUE;

    private static final int BAD = 0;
    private static final int POSITIVE = 1;
    private static final int NEGATIVE = 2;
    private static final long MAX_DIV_10 = Long.divideUnsigned(-1L, 10); // 1844674407370955161

    private McNumbers() {}

    /** {@code safe_strtoul} into a {@code uint32_t}: 0..2^32-1, or {@link #INVALID}. */
    static long uint32(ByteBuf b, int from, int to, long[] scratch) {
        int r = strto(b, from, to, scratch);
        if (r == BAD || (r == NEGATIVE && scratch[0] < 0)) {
            return INVALID;
        }
        return scratch[0] & 0xFFFF_FFFFL;
    }

    /** {@code safe_strtol} into an {@code int32_t}: the value cut to 32 bits, or {@link #INVALID}. */
    static long int32(ByteBuf b, int from, int to, long[] scratch) {
        int r = strto(b, from, to, scratch);
        if (r == BAD) {
            return INVALID;
        }
        long magnitude = scratch[1];
        // strtol's ERANGE: outside [-2^63, 2^63 - 1]
        if (magnitude < 0 && !(r == NEGATIVE && magnitude == Long.MIN_VALUE)) {
            return INVALID;
        }
        return (int) scratch[0];
    }

    /** {@code safe_strtoull} into a {@code uint64_t}: true with the value in {@code out[0]}, or false. */
    static boolean uint64(ByteBuf b, int from, int to, long[] out) {
        int r = strto(b, from, to, out);
        return r != BAD && !(r == NEGATIVE && out[0] < 0);
    }

    /**
     * C's {@code strtoull} over {@code [from, to)} followed by memcached's end check. On success {@code out[0]}
     * is the result modulo 2^64 (negated after a '-') and {@code out[1]} the magnitude read.
     */
    private static int strto(ByteBuf b, int from, int to, long[] out) {
        int i = from;
        while (i < to && isSpace(b.getByte(i))) {
            i++;
        }
        boolean neg = false;
        if (i < to && (b.getByte(i) == '+' || b.getByte(i) == '-')) {
            neg = b.getByte(i) == '-';
            i++;
        }
        int digits = i;
        long v = 0;
        while (i < to) {
            int d = b.getByte(i) - '0';
            if (d < 0 || d > 9) {
                break;
            }
            if (Long.compareUnsigned(v, MAX_DIV_10) > 0 || (v == MAX_DIV_10 && d > 5)) {
                return BAD; // ERANGE
            }
            v = v * 10 + d;
            i++;
        }
        if (i == digits || (i < to && !isSpace(b.getByte(i)))) {
            return BAD;
        }
        out[0] = neg ? -v : v;
        out[1] = v;
        return neg ? NEGATIVE : POSITIVE;
    }

    /** C's {@code isspace} in the C locale. */
    static boolean isSpace(byte c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
