package io.qrrot.testkit;

import io.qrrot.engine.ReplySink;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.agrona.DirectBuffer;

/** A reply rendered as one line: {@code OK}, {@code (nil)}, {@code (integer) 3}, {@code v}, {@code [a, b]}, {@code (error) ERR …}. */
public final class TextReply implements ReplySink {
    private final StringBuilder out = new StringBuilder();
    private final Deque<int[]> open = new ArrayDeque<>();

    public String text() {
        return out.toString();
    }

    private void element(String s) {
        if (!open.isEmpty()) {
            int[] top = open.peek();
            if (top[1] > 0) {
                out.append(", ");
            }
            top[1]++;
        }
        out.append(s);
        closeFinished();
    }

    private void closeFinished() {
        while (!open.isEmpty() && open.peek()[1] == open.peek()[0]) {
            open.pop();
            out.append(']');
            if (!open.isEmpty()) {
                open.peek()[1]++;
            }
        }
    }

    private void aggregate(int n) {
        if (!open.isEmpty()) {
            int[] top = open.peek();
            if (top[1] > 0) {
                out.append(", ");
            }
        }
        out.append('[');
        if (n == 0) {
            out.append(']');
            if (!open.isEmpty()) {
                open.peek()[1]++;
                closeFinished();
            }
            return;
        }
        open.push(new int[] {n, 0});
    }

    @Override
    public void simple(String status) {
        element(status);
    }

    @Override
    public void error(String message) {
        element("(error) " + message);
    }

    @Override
    public void integer(long value) {
        element("(integer) " + value);
    }

    @Override
    public void bulk(DirectBuffer bytes, int off, int len) {
        byte[] b = new byte[len];
        bytes.getBytes(off, b);
        element(new String(b, StandardCharsets.UTF_8));
    }

    @Override
    public void bulk(byte[] bytes, int off, int len) {
        element(new String(bytes, off, len, StandardCharsets.UTF_8));
    }

    @Override
    public void bulkLong(long value) {
        element(Long.toString(value));
    }

    @Override
    public void nil() {
        element("(nil)");
    }

    @Override
    public void nilArray() {
        element("(nil)");
    }

    @Override
    public void array(int count) {
        aggregate(count);
    }

    @Override
    public void map(int count) {
        aggregate(2 * count);
    }

    @Override
    public void set(int count) {
        aggregate(count);
    }

    @Override
    public void doubleValue(double value) {
        element(Double.toString(value));
    }

    @Override
    public void bool(boolean value) {
        element(value ? "(true)" : "(false)");
    }

    @Override
    public void verbatim(String text) {
        element(text);
    }

    public static List<String> split(String s) {
        return new ArrayList<>(List.of(s.split(", ")));
    }
}
