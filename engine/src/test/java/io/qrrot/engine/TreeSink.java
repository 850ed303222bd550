package io.qrrot.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;

/**
 * A ReplySink that builds each reply as plain Java values, for assertions: a status is {@link Status}, an
 * error {@link Err}, an integer a Long, a bulk string a String (ISO-8859-1, so any bytes round-trip), nil is
 * null, the nil array {@link #NIL_ARRAY}, an array a List.
 */
final class TreeSink implements ReplySink {
    record Status(String text) {
        @Override
        public String toString() {
            return "+" + text;
        }
    }

    record Err(String text) {
        @Override
        public String toString() {
            return "-" + text;
        }
    }

    static final Object NIL_ARRAY = new Object() {
        @Override
        public String toString() {
            return "*-1";
        }
    };

    private final List<Object> done = new ArrayList<>();
    private final List<List<Object>> open = new ArrayList<>();
    private final List<Integer> remaining = new ArrayList<>();

    /** The completed replies so far, in order; clears them. */
    List<Object> takeAll() {
        if (!open.isEmpty()) {
            throw new IllegalStateException("an aggregate reply is incomplete: " + open);
        }
        List<Object> r = new ArrayList<>(done);
        done.clear();
        return r;
    }

    /** The single completed reply. */
    Object take() {
        List<Object> all = takeAll();
        if (all.size() != 1) {
            throw new IllegalStateException("expected one reply, got " + all);
        }
        return all.get(0);
    }

    private void add(Object v) {
        if (open.isEmpty()) {
            done.add(v);
            return;
        }
        int last = open.size() - 1;
        open.get(last).add(v);
        int left = remaining.get(last) - 1;
        remaining.set(last, left);
        if (left == 0) {
            List<Object> finished = open.remove(last);
            remaining.remove(last);
            add(finished);
        }
    }

    private void aggregate(int count) {
        if (count == 0) {
            add(new ArrayList<>());
            return;
        }
        open.add(new ArrayList<>());
        remaining.add(count);
    }

    @Override
    public void simple(String status) {
        add(new Status(status));
    }

    @Override
    public void error(String message) {
        add(new Err(message));
    }

    @Override
    public void integer(long value) {
        add(value);
    }

    @Override
    public void bulk(DirectBuffer bytes, int off, int len) {
        byte[] b = new byte[len];
        bytes.getBytes(off, b);
        add(new String(b, StandardCharsets.ISO_8859_1));
    }

    @Override
    public void bulk(byte[] bytes, int off, int len) {
        add(new String(bytes, off, len, StandardCharsets.ISO_8859_1));
    }

    @Override
    public void bulkLong(long value) {
        add(Long.toString(value));
    }

    @Override
    public void nil() {
        add(null);
    }

    @Override
    public void nilArray() {
        add(NIL_ARRAY);
    }

    @Override
    public void array(int count) {
        aggregate(count);
    }

    @Override
    public void map(int count) {
        aggregate(count * 2);
    }

    @Override
    public void set(int count) {
        aggregate(count);
    }

    @Override
    public void doubleValue(double value) {
        add(Double.toString(value));
    }

    @Override
    public void bool(boolean value) {
        add(value ? 1L : 0L);
    }

    @Override
    public void verbatim(String text) {
        add(text);
    }
}
