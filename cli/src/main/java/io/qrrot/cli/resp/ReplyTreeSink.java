package io.qrrot.cli.resp;

import io.qrrot.engine.ReplySink;
import io.qrrot.server.resp.RespEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.agrona.DirectBuffer;

/**
 * Builds {@link Reply} trees from the engine's streamed replies: what the embedded mode (CLI over the facade,
 * no server) hands to the same renderers and agent code the remote mode uses. With protocol 2 it builds what
 * a server speaking RESP2 would have sent (maps and sets as arrays, doubles and verbatim text as bulk strings,
 * booleans as 1/0, pairs as one flat array), so embedded replies render exactly as remote ones. Not thread-safe.
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
    private final boolean resp3;

    /** Builds RESP3 reply trees. */
    public ReplyTreeSink() {
        this(3);
    }

    /** Builds the replies a server speaking {@code protocol} (2 or 3) sends. */
    public ReplyTreeSink(int protocol) {
        if (protocol != 2 && protocol != 3) {
            throw new IllegalArgumentException("protocol must be 2 or 3, not " + protocol);
        }
        this.resp3 = protocol == 3;
    }

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
        add(new Reply.SimpleString(oneLine(status)));
    }

    @Override
    public void error(String message) {
        add(new Reply.ErrorReply(oneLine(message)));
    }

    /** A status or error is one line on the wire: the server turns CR and LF into spaces. */
    private static String oneLine(String text) {
        return text.replace('\r', ' ').replace('\n', ' ');
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
        begin(resp3 ? Kind.MAP : Kind.ARRAY, 2 * count);
    }

    @Override
    public void set(int count) {
        begin(resp3 ? Kind.SET : Kind.ARRAY, count);
    }

    /** Pairs (ZRANGE … WITHSCORES, HRANDFIELD … WITHVALUES): RESP3 an array of two-element arrays, RESP2 flat. */
    @Override
    public void pairs(int count) {
        begin(Kind.ARRAY, resp3 ? count : 2 * count);
    }

    @Override
    public void pair() {
        if (resp3) {
            begin(Kind.ARRAY, 2);
        }
    }

    @Override
    public void doubleValue(double value) {
        String text = RespEncoder.formatDouble(value);
        add(resp3 ? new Reply.DoubleReply(text) : new Reply.BulkString(text.getBytes(StandardCharsets.US_ASCII)));
    }

    /** A double whose text the engine fixed (a sorted-set score, {@code "%.17g"}): that text, as a server sends it. */
    @Override
    public void doubleText(DirectBuffer text, int off, int len) {
        if (!resp3) {
            bulk(text, off, len);
            return;
        }
        add(new Reply.DoubleReply(text.getStringWithoutLengthAscii(off, len)));
    }

    @Override
    public void bool(boolean value) {
        add(resp3 ? new Reply.BooleanReply(value) : new Reply.IntegerReply(value ? 1 : 0));
    }

    @Override
    public void verbatim(String text) {
        add(resp3 ? new Reply.VerbatimReply("txt", text) : new Reply.BulkString(text.getBytes(StandardCharsets.UTF_8)));
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
