package io.qrrot.server.resp;

import io.netty.buffer.ByteBuf;

/** Decimal parsing and printing with Redis' rules, straight from and into byte buffers (no allocation). */
public final class Numbers {
    /** Set by {@link #parseLong} when the text is not a valid number (a parsed value may legally be any long). */
    public static final long INVALID = Long.MIN_VALUE;

    private Numbers() {
    }

    /**
     * Parses {@code buf[from, to)} as Redis' {@code string2ll} does: an optional '-', then digits without
     * leading zeros ("0" alone is fine), at most 20 characters, no spaces or '+'.
     *
     * @return the value, or {@link #INVALID} when the text is not such a number (Long.MIN_VALUE itself is
     *         reported as invalid, which no caller needs)
     */
    public static long parseLong(ByteBuf buf, int from, int to) {
        int len = to - from;
        if (len <= 0 || len > 20) {
            return INVALID;
        }
        if (len == 1 && buf.getByte(from) == '0') {
            return 0;
        }
        int p = from;
        boolean negative = false;
        if (buf.getByte(p) == '-') {
            negative = true;
            p++;
            if (p == to) {
                return INVALID;
            }
        }
        byte first = buf.getByte(p);
        if (first < '1' || first > '9') {
            return INVALID;
        }
        long v = 0; // accumulated as a negative number so Long.MIN_VALUE's magnitude fits
        for (; p < to; p++) {
            byte c = buf.getByte(p);
            if (c < '0' || c > '9') {
                return INVALID;
            }
            int d = c - '0';
            if (v < (Long.MIN_VALUE + d) / 10) {
                return INVALID;
            }
            v = v * 10 - d;
        }
        if (!negative) {
            if (v == Long.MIN_VALUE) {
                return INVALID;
            }
            return -v;
        }
        return v == Long.MIN_VALUE ? INVALID : v;
    }

    /** Parses a whole byte array slice with the same rules; see {@link #parseLong(ByteBuf, int, int)}. */
    public static long parseLong(byte[] a, int off, int len) {
        if (len <= 0 || len > 20) {
            return INVALID;
        }
        if (len == 1 && a[off] == '0') {
            return 0;
        }
        int p = off;
        int end = off + len;
        boolean negative = false;
        if (a[p] == '-') {
            negative = true;
            p++;
            if (p == end) {
                return INVALID;
            }
        }
        if (a[p] < '1' || a[p] > '9') {
            return INVALID;
        }
        long v = 0;
        for (; p < end; p++) {
            int c = a[p];
            if (c < '0' || c > '9') {
                return INVALID;
            }
            int d = c - '0';
            if (v < (Long.MIN_VALUE + d) / 10) {
                return INVALID;
            }
            v = v * 10 - d;
        }
        if (!negative) {
            return v == Long.MIN_VALUE ? INVALID : -v;
        }
        return v == Long.MIN_VALUE ? INVALID : v;
    }

    /** Number of characters {@code v} takes in decimal, sign included. */
    public static int decimalLength(long v) {
        if (v == Long.MIN_VALUE) {
            return 20;
        }
        int n = 1;
        if (v < 0) {
            n++;
            v = -v;
        }
        while (v >= 10) {
            v /= 10;
            n++;
        }
        return n;
    }

    /** Writes {@code v} in decimal at the writer index. */
    public static void writeLong(ByteBuf out, long v) {
        if (v >= 0 && v < 10) {
            out.writeByte('0' + (int) v);
            return;
        }
        int len = decimalLength(v);
        out.ensureWritable(len);
        int at = out.writerIndex();
        int end = at + len;
        if (v == Long.MIN_VALUE) {
            out.setCharSequence(at, "-9223372036854775808", java.nio.charset.StandardCharsets.US_ASCII);
            out.writerIndex(end);
            return;
        }
        if (v < 0) {
            out.setByte(at, '-');
            v = -v;
        }
        int p = end;
        do {
            out.setByte(--p, (int) ('0' + v % 10));
            v /= 10;
        } while (v != 0);
        out.writerIndex(end);
    }
}
