package io.qrrot.cli.resp;

import io.qrrot.engine.ReplySink;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.agrona.DirectBuffer;

/**
 * Builds {@link Reply} trees from the engine's streamed replies: what the embedded mode (CLI over the facade,
 * no server) hands to the same renderers and agent code the remote mode uses. Not thread-safe.
 */
public final class ReplyTreeSink implements ReplySink {
    private enum Kind { ARRAY, MAP, SET }

    private static final class Frame {
        final Kind kind;
        int remaining;
        final List<Reply> items;

        Frame(Kind kind, int remaining) {
            this.kind = kind;
            this.remaining = remaining;
            this.items = new ArrayList<>(Math.min(remaining, 1024));
        }
    }

    private final Deque<Frame> open = new ArrayDeque<>();
    private final List<Reply> complete = new ArrayList<>();

    /** The complete replies so far, oldest first, and forgets them. */
    public List<Reply> take() {
        if (!open.isEmpty()) {
            throw new IllegalStateException("a reply is still being built: " + open.peek().remaining + " elements missing");
        }
        List<Reply> out = List.copyOf(complete);
        complete.clear();
        return out;
    }

    @Override
    public void simple(String status) {
        add(new Reply.SimpleString(status));
    }

    @Override
    public void error(String message) {
        add(new Reply.ErrorReply(message));
    }

    @Override
    public void integer(long value) {
        add(new Reply.IntegerReply(value));
    }

    @Override
    public void bulk(DirectBuffer bytes, int off, int len) {
        byte[] copy = new byte[len];
        bytes.getBytes(off, copy);
        add(new Reply.BulkString(copy));
    }

    @Override
    public void bulk(byte[] bytes, int off, int len) {
        byte[] copy = new byte[len];
        System.arraycopy(bytes, off, copy, 0, len);
        add(new Reply.BulkString(copy));
    }

    @Override
    public void bulkLong(long value) {
        add(new Reply.BulkString(Long.toString(value).getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    public void nil() {
        add(Reply.NULL);
    }

    @Override
    public void nilArray() {
        add(Reply.NULL);
    }

    @Override
    public void array(int count) {
        begin(Kind.ARRAY, count);
    }

    @Override
    public void map(int count) {
        begin(Kind.MAP, 2 * count);
    }

    @Override
    public void set(int count) {
        begin(Kind.SET, count);
    }

    @Override
    public void doubleValue(double value) {
        String text = Double.isNaN(value) ? "nan"
                : value == Double.POSITIVE_INFINITY ? "inf"
                : value == Double.NEGATIVE_INFINITY ? "-inf"
                : stripZero(Double.toString(value));
        add(new Reply.DoubleReply(text));
    }

    @Override
    public void bool(boolean value) {
        add(new Reply.BooleanReply(value));
    }

    @Override
    public void verbatim(String text) {
        add(new Reply.VerbatimReply("txt", text));
    }

    private static String stripZero(String s) {
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    private void begin(Kind kind, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("negative element count " + count);
        }
        open.push(new Frame(kind, count));
        if (count == 0) {
            close();
        }
    }

    private void add(Reply r) {
        Frame top = open.peek();
        if (top == null) {
            complete.add(r);
            return;
        }
        top.items.add(r);
        if (--top.remaining == 0) {
            close();
        }
    }

    private void close() {
        Frame f = open.pop();
        Reply built = switch (f.kind) {
            case ARRAY -> new Reply.ArrayReply(f.items);
            case SET -> new Reply.SetReply(f.items);
            case MAP -> {
                List<Reply.Entry> entries = new ArrayList<>(f.items.size() / 2);
                for (int i = 0; i < f.items.size(); i += 2) {
                    entries.add(new Reply.Entry(f.items.get(i), f.items.get(i + 1)));
                }
                yield new Reply.MapReply(entries);
            }
        };
        add(built);
    }
}
