package io.qrrot.engine;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Builds one effect record ({@link EffectCodec}) op by op in a reused buffer: allocation-free once the buffer
 * has grown to the largest record. One per session. Not thread-safe.
 */
final class EffectWriter {
    private final ExpandableArrayBuffer buf = new ExpandableArrayBuffer(256);
    private int length = EffectCodec.HEADER_LENGTH;
    private int ops;

    void reset() {
        length = EffectCodec.HEADER_LENGTH;
        ops = 0;
    }

    int ops() {
        return ops;
    }

    /** Where the next op will go; ops written after {@code mark} are dropped by {@link #rewind}. */
    int mark() {
        return length;
    }


    void put(byte type, DirectBuffer key, int koff, int klen, DirectBuffer value, int voff, int vlen, long expiry) {
        length += EffectCodec.encodePut(buf, length, type, key, koff, klen, value, voff, vlen, expiry);
        ops++;
    }

    /**
     * Starts a PUT whose value the caller writes into {@link #buffer()} at the returned offset, {@code vlen}
     * bytes (lets APPEND and SETRANGE build the new value in place).
     */
    int putReserve(byte type, DirectBuffer key, int koff, int klen, int vlen, long expiry) {
        buf.checkLimit(length + EffectCodec.putLength(klen, vlen));
        int valueAt = EffectCodec.encodePutHead(buf, length, type, key, koff, klen, vlen, expiry);
        length = valueAt + vlen;
        ops++;
        return valueAt;
    }

    void putInt(DirectBuffer key, int koff, int klen, long value, long expiry) {
        length += EffectCodec.encodePutInt(buf, length, key, koff, klen, value, expiry);
        ops++;
    }

    void delete(DirectBuffer key, int koff, int klen) {
        length += EffectCodec.encodeDel(buf, length, key, koff, klen);
        ops++;
    }

    void expire(DirectBuffer key, int koff, int klen, long expiry) {
        length += EffectCodec.encodeExpire(buf, length, key, koff, klen, expiry);
        ops++;
    }

    void clear() {
        length += EffectCodec.encodeClear(buf, length);
        ops++;
    }

    /** Writes the header; the record is then {@link #buffer()}[0, {@link #length()}). */
    void finish() {
        EffectCodec.encodeHeader(buf, 0, ops);
    }

    MutableDirectBuffer buffer() {
        return buf;
    }

    int length() {
        return length;
    }
}
