package io.qrrot.engine.store;

import org.agrona.DirectBuffer;
import org.agrona.collections.MutableLong;

/**
 * Integer text in Redis's strict form ({@code string2ll}): an optional '-', then either a single {@code 0} or a
 * digit 1-9 followed by digits, within the signed 64-bit range; no spaces, no '+', no leading zeros, no "-0".
 * Every accepted text is the canonical text of its value. The store needs it for sets of integers (an intset
 * holds a member that parses, as Redis's does); the command layer for everything numeric.
 */
public final class CanonicalInteger {
    /** Longest decimal text of a long: "-9223372036854775808". */
    public static final int MAX_TEXT = 20;

    private CanonicalInteger() {
    }

    /**
     * Parses {@code buf[off, off+len)} as a canonical 64-bit integer into {@code out}.
     *
     * @return false (and {@code out} unchanged) when the text is not one
     */
    public static boolean parse(DirectBuffer buf, int off, int len, MutableLong out) {
        if (len == 0 || len > MAX_TEXT) {
            return false;
        }
        int i = off;
        int end = off + len;
        boolean negative = false;
        byte c = buf.getByte(i);
        if (c == '-') {
            negative = true;
            i++;
            if (i == end) {
                return false;
            }
            c = buf.getByte(i);
        }
        if (c == '0') {
            if (len == 1) {
                out.set(0);
                return true;
            }
            return false;
        }
        if (c < '1' || c > '9') {
            return false;
        }
        // Accumulate negatively: the negative range is one larger than the positive one.
        long acc = -(c - '0');
        i++;
        while (i < end) {
            c = buf.getByte(i);
            if (c < '0' || c > '9') {
                return false;
            }
            int d = c - '0';
            if (acc < Long.MIN_VALUE / 10) {
                return false;
            }
            acc *= 10;
            if (acc < Long.MIN_VALUE + d) {
                return false;
            }
            acc -= d;
            i++;
        }
        if (!negative) {
            if (acc == Long.MIN_VALUE) {
                return false;
            }
            acc = -acc;
        }
        out.set(acc);
        return true;
    }
}
