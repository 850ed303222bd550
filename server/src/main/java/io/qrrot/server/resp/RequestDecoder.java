package io.qrrot.server.resp;

import io.netty.buffer.ByteBuf;
import io.qrrot.engine.CommandArgs;

/**
 * Turns the bytes a client sends into commands, the way Redis' {@code processMultibulkBuffer} and
 * {@code processInlineBuffer} do: a request starting with {@code *} is a multibulk array of bulk strings,
 * anything else an inline line. Incremental: a partial request keeps its parsed arguments and position, so
 * bytes arriving one at a time are not parsed again and again.
 *
 * <p>Limits are checked before anything is allocated: a declared bulk length is only compared with the
 * maximum, never reserved; its bytes are copied into the {@link CommandArgs} once they have all arrived.
 * The caller bounds the bytes buffered meanwhile with {@link #pendingBytes()} and its query buffer limit.
 *
 * <p>One per connection; not thread-safe.
 */
public final class RequestDecoder {
    /** Not enough bytes for a whole command yet. */
    public static final int NEED_MORE = 0;
    /** {@code args} holds one command. */
    public static final int COMMAND = 1;
    /** The stream is malformed: reply {@link #error()} and close the connection. */
    public static final int PROTOCOL_ERROR = 2;

    /** Redis' PROTO_INLINE_MAX_SIZE: longest inline line or length line before a protocol error. */
    public static final int INLINE_MAX = 64 * 1024;
    /** Per-argument bookkeeping counted against the query buffer limit. */
    private static final int ARG_OVERHEAD = 16;

    private final InlineSplitter splitter = new InlineSplitter();
    private long maxBulkLength;
    private int argsRemaining;      // > 0 while inside a multibulk request
    private long bulkLength = -1;   // >= 0 once a '$' line is read and its bytes are awaited
    private long argBytes;          // bytes held in args for the request being parsed
    private String error;
    /** Bytes after the reader index already searched for a line end: a line arriving byte by byte is scanned once. */
    private int scanned;

    /** @param maxBulkLength largest accepted bulk string (Redis' proto-max-bulk-len) */
    public RequestDecoder(long maxBulkLength) {
        this.maxBulkLength = maxBulkLength;
    }

    public void maxBulkLength(long v) {
        this.maxBulkLength = v;
    }

    /** The protocol error's reply text, code word first (valid after {@link #PROTOCOL_ERROR}). */
    public String error() {
        return error;
    }

    /** Bytes held for the partial request outside the input buffer (arguments copied so far). */
    public long pendingBytes() {
        return argBytes;
    }

    /** True when a request has started but is not complete. */
    public boolean inRequest() {
        return argsRemaining > 0;
    }

    /**
     * Reads at most one command from {@code in} into {@code args}, consuming its bytes. Empty requests
     * ({@code *0}, {@code *-1}, blank lines) are skipped.
     *
     * @param authRequired true before a client has authenticated: then only small requests are accepted
     * @return {@link #NEED_MORE}, {@link #COMMAND} or {@link #PROTOCOL_ERROR}
     */
    public int decode(ByteBuf in, CommandArgs args, boolean authRequired) {
        while (true) {
            if (argsRemaining == 0) {
                if (!in.isReadable()) {
                    return NEED_MORE;
                }
                args.clear();
                argBytes = 0;
                if (in.getByte(in.readerIndex()) != '*') {
                    int r = inline(in, args);
                    if (r == COMMAND && args.count() == 0) {
                        continue;
                    }
                    return r;
                }
                int r = multibulkHeader(in, authRequired);
                if (r != COMMAND) {
                    return r;
                }
                if (argsRemaining == 0) {
                    continue; // *0 or a negative count: nothing to do, like Redis
                }
            }
            return bulks(in, args, authRequired);
        }
    }

    private int inline(ByteBuf in, CommandArgs args) {
        int from = in.readerIndex();
        int newline = find(in, (byte) '\n');
        if (newline < 0) {
            if (in.readableBytes() > INLINE_MAX) {
                return fail("ERR Protocol error: too big inline request");
            }
            return NEED_MORE;
        }
        int end = newline;
        if (end > from && in.getByte(end - 1) == '\r') {
            end--;
        }
        if (!splitter.split(in, from, end, args)) {
            return fail("ERR Protocol error: unbalanced quotes in request");
        }
        in.readerIndex(newline + 1);
        return COMMAND;
    }

    private int multibulkHeader(ByteBuf in, boolean authRequired) {
        int from = in.readerIndex();
        int cr = find(in, (byte) '\r');
        if (cr < 0) {
            if (in.readableBytes() > INLINE_MAX) {
                return fail("ERR Protocol error: too big mbulk count string");
            }
            return NEED_MORE;
        }
        if (cr + 1 >= in.writerIndex()) {
            return NEED_MORE; // the '\n' has not arrived
        }
        long n = Numbers.parseLong(in, from + 1, cr);
        if (n == Numbers.INVALID || n > Integer.MAX_VALUE) {
            return fail("ERR Protocol error: invalid multibulk length");
        }
        if (n > 10 && authRequired) {
            return fail("ERR Protocol error: unauthenticated multibulk length");
        }
        in.readerIndex(cr + 2);
        argsRemaining = n > 0 ? (int) n : 0;
        bulkLength = -1;
        return COMMAND;
    }

    private int bulks(ByteBuf in, CommandArgs args, boolean authRequired) {
        while (argsRemaining > 0) {
            if (bulkLength < 0) {
                int from = in.readerIndex();
                int cr = find(in, (byte) '\r');
                if (cr < 0) {
                    if (in.readableBytes() > INLINE_MAX) {
                        return fail("ERR Protocol error: too big bulk count string");
                    }
                    return NEED_MORE;
                }
                if (cr + 1 >= in.writerIndex()) {
                    return NEED_MORE;
                }
                byte type = in.getByte(from);
                if (type != '$') {
                    return fail("ERR Protocol error: expected '$', got '" + printable(type) + "'");
                }
                long len = Numbers.parseLong(in, from + 1, cr);
                if (len == Numbers.INVALID || len < 0 || len > maxBulkLength) {
                    return fail("ERR Protocol error: invalid bulk length");
                }
                if (len > 16384 && authRequired) {
                    return fail("ERR Protocol error: unauthenticated bulk length");
                }
                in.readerIndex(cr + 2);
                bulkLength = len;
            }
            // Like Redis, the two bytes after the data are skipped, not checked.
            if (in.readableBytes() < bulkLength + 2) {
                return NEED_MORE;
            }
            int len = (int) bulkLength;
            int at = args.reserve(len);
            in.getBytes(in.readerIndex(), args.array(), at, len);
            in.skipBytes(len + 2);
            argBytes += len + ARG_OVERHEAD;
            bulkLength = -1;
            argsRemaining--;
        }
        return COMMAND;
    }

    /** Index of the first {@code b} after the reader index, scanning only bytes not searched before. */
    private int find(ByteBuf in, byte b) {
        int from = in.readerIndex();
        int at = in.indexOf(from + Math.min(scanned, in.readableBytes()), in.writerIndex(), b);
        scanned = at < 0 ? in.readableBytes() : 0;
        return at;
    }

    private static char printable(byte b) {
        // Redis prints the raw byte with %c; a CR or LF would break the reply line, and the encoder maps them
        // to spaces anyway. Bytes >= 0x80 are shown as Latin-1 characters.
        return (char) (b & 0xFF);
    }

    private int fail(String message) {
        error = message;
        scanned = 0;
        argsRemaining = 0;
        bulkLength = -1;
        return PROTOCOL_ERROR;
    }
}
