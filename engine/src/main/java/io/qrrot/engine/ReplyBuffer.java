package io.qrrot.engine;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * A {@link ReplySink} that records a reply so it can be sent later, or dropped. A write command replies into
 * one of these, and the reply reaches the client only after its effect was accepted by the {@link EffectLog}
 * (if the log refuses, the client gets the log's error instead). Reused: recording allocates nothing once the
 * buffer has grown. Not thread-safe.
 */
final class ReplyBuffer implements ReplySink {
    private static final byte SIMPLE = 1;
    private static final byte ERROR = 2;
    private static final byte INTEGER = 3;
    private static final byte BULK = 4;
    private static final byte BULK_LONG = 5;
    private static final byte NIL = 6;
    private static final byte NIL_ARRAY = 7;
    private static final byte ARRAY = 8;
    private static final byte MAP = 9;
    private static final byte SET = 10;
    private static final byte DOUBLE = 11;
    private static final byte BOOL = 12;
    private static final byte VERBATIM = 13;
    private static final byte PAIRS = 14;
    private static final byte PAIR = 15;
    private static final byte DOUBLE_TEXT = 16;

    /** Capacity above which {@link #clear} lets the buffer go, so one huge reply does not pin memory. */
    private static final int SHRINK_ABOVE = 4 << 20;

    private ExpandableArrayBuffer bytes = new ExpandableArrayBuffer(256);
    private int length;
    private Object[] strings = new Object[8];
    private int stringCount;

    void clear() {
        length = 0;
        if (bytes.capacity() > SHRINK_ABOVE) {
            bytes = new ExpandableArrayBuffer(256);
        }
        for (int i = 0; i < stringCount; i++) {
            strings[i] = null;
        }
        stringCount = 0;
    }

    /** Where the next reply will be recorded: {@link #rewind} drops what was recorded after it. */
    long mark() {
        return ((long) stringCount << 32) | length;
    }

    /** Drops every reply recorded after {@code mark}. */
    void rewind(long mark) {
        length = (int) mark;
        int strings = (int) (mark >>> 32);
        for (int i = strings; i < stringCount; i++) {
            this.strings[i] = null;
        }
        stringCount = strings;
    }

    boolean isEmpty() {
        return length == 0;
    }

    /** Sends everything recorded to {@code out}, in order, and clears. */
    void replayTo(ReplySink out) {
        int pos = 0;
        int str = 0;
        final ExpandableArrayBuffer b = bytes;
        while (pos < length) {
            byte op = b.getByte(pos++);
            switch (op) {
                case SIMPLE:
                    out.simple((String) strings[str++]);
                    break;
                case ERROR:
                    out.error((String) strings[str++]);
                    break;
                case VERBATIM:
                    out.verbatim((String) strings[str++]);
                    break;
                case INTEGER:
                    out.integer(b.getLong(pos));
                    pos += 8;
                    break;
                case BULK_LONG:
                    out.bulkLong(b.getLong(pos));
                    pos += 8;
                    break;
                case DOUBLE:
                    out.doubleValue(b.getDouble(pos));
                    pos += 8;
                    break;
                case BULK: {
                    int len = b.getInt(pos);
                    pos += 4;
                    out.bulk(b, pos, len);
                    pos += len;
                    break;
                }
                case DOUBLE_TEXT: {
                    int len = b.getInt(pos);
                    pos += 4;
                    out.doubleText(b, pos, len);
                    pos += len;
                    break;
                }
                case NIL:
                    out.nil();
                    break;
                case NIL_ARRAY:
                    out.nilArray();
                    break;
                case ARRAY:
                    out.array(b.getInt(pos));
                    pos += 4;
                    break;
                case MAP:
                    out.map(b.getInt(pos));
                    pos += 4;
                    break;
                case SET:
                    out.set(b.getInt(pos));
                    pos += 4;
                    break;
                case BOOL:
                    out.bool(b.getByte(pos++) != 0);
                    break;
                case PAIRS:
                    out.pairs(b.getInt(pos));
                    pos += 4;
                    break;
                case PAIR:
                    out.pair();
                    break;
                default:
                    throw new IllegalStateException("corrupt reply buffer: op " + op + " at " + (pos - 1));
            }
        }
        clear();
    }

    private void op(byte op) {
        bytes.putByte(length++, op);
    }

    private void string(byte op, String s) {
        op(op);
        if (stringCount == strings.length) {
            strings = java.util.Arrays.copyOf(strings, stringCount * 2);
        }
        strings[stringCount++] = s;
    }

    @Override
    public void simple(String status) {
        string(SIMPLE, status);
    }

    @Override
    public void error(String message) {
        string(ERROR, message);
    }

    @Override
    public void integer(long value) {
        op(INTEGER);
        bytes.putLong(length, value);
        length += 8;
    }

    @Override
    public void bulk(DirectBuffer src, int off, int len) {
        op(BULK);
        bytes.putInt(length, len);
        bytes.putBytes(length + 4, src, off, len);
        length += 4 + len;
    }

    @Override
    public void doubleText(DirectBuffer src, int off, int len) {
        op(DOUBLE_TEXT);
        bytes.putInt(length, len);
        bytes.putBytes(length + 4, src, off, len);
        length += 4 + len;
    }

    @Override
    public void bulk(byte[] src, int off, int len) {
        op(BULK);
        bytes.putInt(length, len);
        bytes.putBytes(length + 4, src, off, len);
        length += 4 + len;
    }

    @Override
    public void bulkLong(long value) {
        op(BULK_LONG);
        bytes.putLong(length, value);
        length += 8;
    }

    @Override
    public void nil() {
        op(NIL);
    }

    @Override
    public void nilArray() {
        op(NIL_ARRAY);
    }

    @Override
    public void array(int count) {
        op(ARRAY);
        bytes.putInt(length, count);
        length += 4;
    }

    @Override
    public void map(int count) {
        op(MAP);
        bytes.putInt(length, count);
        length += 4;
    }

    @Override
    public void pairs(int count) {
        op(PAIRS);
        bytes.putInt(length, count);
        length += 4;
    }

    @Override
    public void pair() {
        op(PAIR);
    }

    @Override
    public void set(int count) {
        op(SET);
        bytes.putInt(length, count);
        length += 4;
    }

    @Override
    public void doubleValue(double value) {
        op(DOUBLE);
        bytes.putDouble(length, value);
        length += 8;
    }

    @Override
    public void bool(boolean value) {
        op(BOOL);
        bytes.putByte(length++, (byte) (value ? 1 : 0));
    }

    @Override
    public void verbatim(String text) {
        string(VERBATIM, text);
    }
}
