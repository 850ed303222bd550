package io.qrrot.server.resp;

import io.netty.buffer.ByteBuf;
import io.qrrot.engine.CommandArgs;

/**
 * Turns the bytes a client sends into commands, the way Redis' {@code processMultibulkBuffer} and
 * {@code processInlineBuffer} do: a request starting with {@code *} is a multibulk array of bulk strings,
 * anything else an inline line. Incremental: a partial request keeps its parsed arguments and position, so
 * bytes arriving one at a time are not parsed again and again.
 *
 * <p><b>Memory.</b> Limits are checked before anything is allocated, and a declared length is never
 * reserved: what a partial request holds grows with the bytes that arrived. A bulk shorter than
 * {@link #BIG_ARG} is copied into the {@link CommandArgs} once all its bytes are in the input buffer; a longer
 * one is copied out of the input buffer as its bytes arrive (Redis' big-argument path without Redis'
 * preallocation), so the input buffer never holds more than a line or a short bulk of a request. Before
 * copying, the decoder asks its {@link Gate} whether the request may hold that much more; the caller's gate
 * applies the query buffer limit and the server's memory budget.
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
    /** The {@link Gate} refused to let the request grow: reply {@link #error()} and close the connection. */
    public static final int REFUSED = 3;

    /** Redis' PROTO_INLINE_MAX_SIZE: longest inline line or length line before a protocol error. */
    public static final int INLINE_MAX = 64 * 1024;
    /** Redis' PROTO_MBULK_BIG_ARG: bulks this long or longer are copied out of the input as they arrive. */
    public static final int BIG_ARG = 32 * 1024;
    /** Per-argument bookkeeping counted in {@link #pendingBytes()}. */
    private static final int ARG_OVERHEAD = 16;

    /** Asked before the request being decoded grows; the caller's limits. */
    @FunctionalInterface
    public interface Gate {
        /**
         * @param pendingAfter what {@link #pendingBytes()} would be after the copy
         * @return null to go ahead, else the error reply refusing the request (code word first)
         */
        String admit(long pendingAfter);
    }

    /** A gate that admits everything (tests, tools). */
    public static final Gate UNLIMITED = pendingAfter -> null;

    private final InlineSplitter splitter = new InlineSplitter();
    private long maxBulkLength;
    private int argsRemaining;      // > 0 while inside a multibulk request
    private long bulkLength = -1;   // >= 0 once a '$' line is read and its bytes are awaited
    private long bulkCopied = -1;   // bytes of a big bulk copied so far; -1 before its first byte
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

    /** The reply text, code word first, after {@link #PROTOCOL_ERROR} or {@link #REFUSED}. */
    public String error() {
        return error;
    }

    /** Bytes held for the partial request outside the input buffer: arguments (and parts of one) copied so far. */
    public long pendingBytes() {
        return argBytes;
    }

    /** True when a request has started but is not complete. */
    public boolean inRequest() {
        return argsRemaining > 0;
    }

    /** {@link #decode(ByteBuf, CommandArgs, boolean, Gate)} without limits on what a request holds. */
    public int decode(ByteBuf in, CommandArgs args, boolean authRequired) {
        return decode(in, args, authRequired, UNLIMITED);
    }

    /**
     * Reads at most one command from {@code in} into {@code args}, consuming its bytes. Empty requests
     * ({@code *0}, {@code *-1}, blank lines) are skipped.
     *
     * @param authRequired true before a client has authenticated: then only small requests are accepted
     * @param gate         asked before the request's arguments grow
     * @return {@link #NEED_MORE}, {@link #COMMAND}, {@link #PROTOCOL_ERROR} or {@link #REFUSED}
     */
    public int decode(ByteBuf in, CommandArgs args, boolean authRequired, Gate gate) {
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
            return bulks(in, args, authRequired, gate);
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

    private int bulks(ByteBuf in, CommandArgs args, boolean authRequired, Gate gate) {
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
                bulkCopied = -1;
            }
            if (bulkLength >= BIG_ARG) {
                // Copy what has arrived now: the input buffer does not accumulate the bulk.
                if (bulkCopied < 0) {
                    String refusal = gate.admit(argBytes + ARG_OVERHEAD);
                    if (refusal != null) {
                        return refuse(refusal, args);
                    }
                    args.beginArg();
                    argBytes += ARG_OVERHEAD;
                    bulkCopied = 0;
                }
                long missing = bulkLength - bulkCopied;
                int n = (int) Math.min(in.readableBytes(), missing);
                if (n > 0) {
                    String refusal = gate.admit(argBytes + n);
                    if (refusal != null) {
                        return refuse(refusal, args);
                    }
                    int at = args.extendLast(n, missing);
                    in.readBytes(args.array(), at, n);
                    bulkCopied += n;
                    argBytes += n;
                }
                // Like Redis, the two bytes after the data are skipped, not checked.
                if (bulkCopied < bulkLength || in.readableBytes() < 2) {
                    return NEED_MORE;
                }
                in.skipBytes(2);
            } else {
                if (in.readableBytes() < bulkLength + 2) {
                    return NEED_MORE;
                }
                int len = (int) bulkLength;
                String refusal = gate.admit(argBytes + len + ARG_OVERHEAD);
                if (refusal != null) {
                    return refuse(refusal, args);
                }
                int at = args.reserve(len);
                in.getBytes(in.readerIndex(), args.array(), at, len);
                in.skipBytes(len + 2);
                argBytes += len + ARG_OVERHEAD;
            }
            bulkLength = -1;
            bulkCopied = -1;
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
        reset(message);
        return PROTOCOL_ERROR;
    }

    private int refuse(String message, CommandArgs args) {
        reset(message);
        args.clear();
        return REFUSED;
    }

    private void reset(String message) {
        error = message;
        scanned = 0;
        argsRemaining = 0;
        bulkLength = -1;
        bulkCopied = -1;
        argBytes = 0;
    }
}
