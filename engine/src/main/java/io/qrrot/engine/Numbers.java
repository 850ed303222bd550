package io.qrrot.engine;

import io.qrrot.engine.store.CanonicalInteger;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.MutableLong;

/**
 * Integer text in Redis' strict form, without Strings or boxing.
 *
 * <p>The accepted form is exactly Redis' {@code string2ll}: an optional '-', then either a single {@code 0}
 * or a digit 1-9 followed by digits, within the signed 64-bit range. No spaces, no '+', no leading zeros, no
 * "-0". Every accepted text is the canonical text of its value, which is why a value that parses is stored as
 * an INT and reads back byte for byte identical.
 */
final class Numbers {
    /** Longest decimal text of a long: "-9223372036854775808". */
    static final int MAX_LONG_TEXT = 20;
    private static final byte[] MIN_TEXT = "-9223372036854775808".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private Numbers() {
    }

    /**
     * Parses {@code buf[off, off+len)} as a canonical 64-bit integer into {@code out}.
     *
     * @return false (and {@code out} unchanged) when the text is not one
     */
    static boolean parseLong(DirectBuffer buf, int off, int len, MutableLong out) {
        return CanonicalInteger.parse(buf, off, len, out);
    }

    /** Number of bytes of the decimal text of {@code v}. */
    static int textLength(long v) {
        if (v == Long.MIN_VALUE) {
            return MAX_LONG_TEXT;
        }
        int n = 1;
        if (v < 0) {
            n++;
            v = -v;
        }
        while (v >= 10) {
            n++;
            v /= 10;
        }
        return n;
    }

    /** Writes the decimal text of {@code v} at {@code off}; returns its length. */
    static int writeLong(MutableDirectBuffer dst, int off, long v) {
        if (v == Long.MIN_VALUE) {
            dst.putBytes(off, MIN_TEXT);
            return MIN_TEXT.length;
        }
        int len = textLength(v);
        int pos = off + len - 1;
        boolean negative = v < 0;
        if (negative) {
            v = -v;
        }
        do {
            dst.putByte(pos--, (byte) ('0' + (v % 10)));
            v /= 10;
        } while (v != 0);
        if (negative) {
            dst.putByte(pos, (byte) '-');
        }
        return len;
    }
}
