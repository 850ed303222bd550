package io.qrrot.server.memcached;

import io.netty.buffer.ByteBuf;
import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.Memcached;

/**
 * Turns the bytes a client sends into memcached text-protocol requests, the way memcached 1.6's
 * {@code try_read_command_ascii}, {@code process_command_ascii} and {@code complete_nread_ascii} do
 * (proto_text.c). Incremental: a command line or a data block may arrive split anywhere; a partial line is
 * scanned once, a large data block is copied out of the input as it arrives.
 *
 * <p><b>Lines.</b> A line ends at {@code \n}; one {@code \r} before it is dropped (not on an empty line) and the
 * line ends at its first NUL (memcached works on C strings). Tokens are separated by spaces only (a tab is
 * part of a token); runs of spaces and leading spaces are skipped. The command name is case-sensitive.
 *
 * <p><b>Errors</b> (texts in {@link McReplies}; the connection stays open unless the result is {@link #CLOSE}
 * or {@link #REFUSED}):
 * <ul>
 *   <li>an empty line, an unknown command, a command name under 2 bytes, a wrong number of tokens:
 *       {@code ERROR}; {@code get}/{@code gets}/{@code gat}/{@code gats} without a token after the name is
 *       {@code ERROR} ({@code gat 10} with no key is a valid request);</li>
 *   <li>a key over {@link #KEY_MAX} bytes, flags/exptime/bytes/cas that are not numbers, bytes outside
 *       {@code 0 .. 2^31 - 3}, a bad verbosity level: {@code CLIENT_ERROR bad command line format}. After a
 *       storage command's line is refused, its data block is read as the next command line (usually
 *       {@code ERROR});</li>
 *   <li>delete with a token after the key other than {@code 0} or {@code 0 noreply}:
 *       {@link McReplies#BAD_DELETE};</li>
 *   <li>touch, gat, gats, flush_all with a bad exptime: {@code CLIENT_ERROR invalid exptime argument};
 *       incr/decr with a bad delta: {@code CLIENT_ERROR invalid numeric delta argument};</li>
 *   <li>a data block whose {@code bytes + 2} bytes do not end in {@code \r\n}: {@code CLIENT_ERROR bad data
 *       chunk}; those {@code bytes + 2} bytes are consumed and what follows is the next command line;</li>
 *   <li>bytes over the value limit: {@code SERVER_ERROR object too large for cache}; the next
 *       {@code bytes + 2} bytes are swallowed unchecked. For set, memcached also unlinks the key, so the
 *       request's command and key are kept;</li>
 *   <li>meta commands (mg, ms, md, ma, mn): a missing key is {@code ERROR}, a key over 250 bytes
 *       {@code CLIENT_ERROR bad command line format}, more than {@link #META_TOKENS_MAX} tokens
 *       {@link McReplies#MG_FLAGS_TOO_LONG} (mg) or {@link McReplies#META_FLAGS_TOO_LONG}; ms without a
 *       datalen or with a bad one is {@code CLIENT_ERROR bad command line format} and its data block is read
 *       as a line; a value over the limit and a bad data chunk are as for set. Flag tokens are passed on
 *       unchecked: memcached checks them after reading ms's data block, so their errors leave the framing as
 *       it is. {@code noreply} does not apply (the q flag is the handler's);</li>
 *   <li>more than {@link #LINE_MAX} bytes buffered without a line end: the connection is closed without a reply
 *       ({@link #CLOSE}), unless the line is a get or gets (after at most 100 spaces), which memcached reads
 *       unbounded; here up to {@code maxGetLine} bytes.</li>
 * </ul>
 * After {@code noreply} as a request's last token, memcached suppresses its reply, errors included
 * ({@link McRequest#noreply()} says so with an {@link #ERROR} too).
 *
 * <p><b>Memory.</b> Limits are checked before anything is allocated and a declared length is never reserved:
 * a data block shorter than {@link #BIG_VALUE} is copied once all of it is in the input buffer, a longer one as
 * its bytes arrive. The {@link Gate} is asked before each copy.
 *
 * <p>One per connection; not thread-safe.
 */
public final class McDecoder {
    /** Not enough bytes for a whole request yet. */
    public static final int NEED_MORE = 0;
    /** The {@link McRequest} holds one request. */
    public static final int COMMAND = 1;
    /** Reply {@link #error()} unless {@link McRequest#noreply()}; the connection stays open. */
    public static final int ERROR = 2;
    /** Close the connection without a reply (memcached's answer to an over-long line). */
    public static final int CLOSE = 3;
    /** The {@link Gate} refused to let the request grow: reply {@link #error()} and close the connection. */
    public static final int REFUSED = 4;

    /** memcached's KEY_MAX_LENGTH. */
    public static final int KEY_MAX = 250;
    /** Bytes memcached buffers without a line end before it closes a connection (get and gets excepted). */
    public static final int LINE_MAX = 2048;
    /** Largest bytes memcached accepts on a command line before the size check: INT_MAX - 2. */
    public static final int BYTES_MAX = Integer.MAX_VALUE - 2;
    /** Most tokens of a meta command line (command, key, datalen and flags): memcached's MFLAG_MAX_OPT_LENGTH - 1. */
    public static final int META_TOKENS_MAX = 19;
    /** Data blocks this long or longer are copied out of the input as they arrive. */
    public static final int BIG_VALUE = 32 * 1024;
    private static final int ARG_OVERHEAD = 16;

    /** Asked before the request being decoded grows; the caller's limits. */
    @FunctionalInterface
    public interface Gate {
        /** @return null to go ahead, else the error reply refusing the request */
        String admit(long pendingAfter);
    }

    /** A gate that admits everything (tests, tools). */
    public static final Gate UNLIMITED = pendingAfter -> null;

    private final long maxValueBytes;
    private final int maxGetLine;
    private final long[] scratch = new long[2];
    private int[] tokenFrom = new int[8];
    private int[] tokenTo = new int[8];
    private int tokens;
    private int scanned;
    private String error;
    private long swallow;       // bytes still to discard after a too-large value
    private boolean inData;     // a storage command's line is parsed; its data block is awaited
    private long copied = -1;   // bytes of a big data block copied so far; -1 before its first byte
    private long pending;       // bytes held in the request outside the input buffer

    /**
     * @param maxValueBytes the item size limit (memcached's {@code -I}): a data block is accepted when it fits
     *                      with the item's header, key and flags, as memcached counts them ({@link #tooLarge})
     * @param maxGetLine    longest get/gets line accepted before the connection is closed
     */
    public McDecoder(long maxValueBytes, int maxGetLine) {
        this.maxValueBytes = maxValueBytes;
        this.maxGetLine = Math.max(LINE_MAX, maxGetLine);
    }

    /** The reply line (without {@code \r\n}) after {@link #ERROR} or {@link #REFUSED}. */
    public String error() {
        return error;
    }

    /** Bytes held for the partial request outside the input buffer. */
    public long pendingBytes() {
        return pending;
    }

    /** True while a storage command's data block is awaited or a too-large one is being swallowed. */
    public boolean inRequest() {
        return inData || swallow > 0;
    }

    public int decode(ByteBuf in, McRequest req) {
        return decode(in, req, UNLIMITED);
    }

    /**
     * Reads at most one request from {@code in} into {@code req}, consuming its bytes.
     *
     * @return {@link #NEED_MORE}, {@link #COMMAND}, {@link #ERROR}, {@link #CLOSE} or {@link #REFUSED}
     */
    public int decode(ByteBuf in, McRequest req, Gate gate) {
        if (swallow > 0) {
            int n = (int) Math.min(in.readableBytes(), swallow);
            in.skipBytes(n);
            swallow -= n;
            if (swallow > 0) {
                return NEED_MORE;
            }
        }
        if (inData) {
            return data(in, req, gate);
        }
        int from = in.readerIndex();
        int newline = find(in);
        if (newline < 0) {
            int buffered = in.readableBytes();
            if (buffered > LINE_MAX && (buffered > maxGetLine || !startsGet(in))) {
                reset();
                return CLOSE;
            }
            return NEED_MORE;
        }
        int end = newline;
        if (end - from > 1 && in.getByte(end - 1) == '\r') {
            end--;
        }
        int nul = in.indexOf(from, end, (byte) 0);
        if (nul >= 0) {
            end = nul;
        }
        in.readerIndex(newline + 1);
        req.reset();
        pending = 0;
        tokenize(in, from, end);
        int r = line(in, req, gate);
        if (r == COMMAND && inData) {
            return data(in, req, gate);
        }
        return r;
    }

    private boolean startsGet(ByteBuf in) {
        int i = in.readerIndex();
        int spaces = 0;
        while (i < in.writerIndex() && in.getByte(i) == ' ') {
            i++;
            spaces++;
        }
        return spaces <= 100 && (is(in, i, "get ") || is(in, i, "gets "));
    }

    private static boolean is(ByteBuf in, int at, String s) {
        if (in.writerIndex() - at < s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (in.getByte(at + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void tokenize(ByteBuf in, int from, int end) {
        tokens = 0;
        int s = from;
        for (int i = from; i <= end; i++) {
            if (i == end || in.getByte(i) == ' ') {
                if (i > s) {
                    if (tokens == tokenFrom.length) {
                        tokenFrom = java.util.Arrays.copyOf(tokenFrom, tokens * 2);
                        tokenTo = java.util.Arrays.copyOf(tokenTo, tokens * 2);
                    }
                    tokenFrom[tokens] = s;
                    tokenTo[tokens] = i;
                    tokens++;
                }
                s = i + 1;
            }
        }
    }

    private int len(int t) {
        return tokenTo[t] - tokenFrom[t];
    }

    private boolean token(ByteBuf in, int t, String s) {
        if (len(t) != s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (in.getByte(tokenFrom[t] + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** memcached's set_noreply_maybe: the last token is "noreply". */
    private boolean noreplyMaybe(ByteBuf in, McRequest req) {
        req.noreply = token(in, tokens - 1, "noreply");
        return req.noreply;
    }

    /** Parses the command line in the tokens; memcached's ntokens is {@code tokens + 1}. */
    private int line(ByteBuf in, McRequest req, Gate gate) {
        int nt = tokens + 1;
        if (tokens == 0 || len(0) < 2) {
            return fail(McReplies.ERROR);
        }
        McCommand c = len(0) == 2 ? meta(in) : name(in);
        if (c == null) {
            return fail(McReplies.ERROR);
        }
        req.command = c;
        switch (c) {
            case GET, GETS, GAT, GATS -> {
                if (nt < 3) {
                    return fail(McReplies.ERROR);
                }
                int first = 1;
                if (c == McCommand.GAT || c == McCommand.GATS) {
                    long e = McNumbers.int32(in, tokenFrom[1], tokenTo[1], scratch);
                    if (e == McNumbers.INVALID) {
                        return fail(McReplies.BAD_EXPTIME);
                    }
                    req.exptime = (int) e;
                    first = 2;
                }
                for (int t = first; t < tokens; t++) {
                    if (len(t) > KEY_MAX) {
                        return fail(McReplies.BAD_FORMAT);
                    }
                }
                return keys(in, req, first, gate);
            }
            case SET, ADD, REPLACE, APPEND, PREPEND, CAS -> {
                boolean cas = c == McCommand.CAS;
                if (nt != (cas ? 7 : 6) && nt != (cas ? 8 : 7)) {
                    return fail(McReplies.ERROR);
                }
                noreplyMaybe(in, req);
                if (len(1) > KEY_MAX) {
                    return fail(McReplies.BAD_FORMAT);
                }
                long flags = McNumbers.uint32(in, tokenFrom[2], tokenTo[2], scratch);
                long exptime = flags == McNumbers.INVALID ? McNumbers.INVALID
                        : McNumbers.int32(in, tokenFrom[3], tokenTo[3], scratch);
                long bytes = exptime == McNumbers.INVALID ? McNumbers.INVALID
                        : McNumbers.int32(in, tokenFrom[4], tokenTo[4], scratch);
                if (bytes == McNumbers.INVALID) {
                    return fail(McReplies.BAD_FORMAT);
                }
                if (cas) {
                    if (!McNumbers.uint64(in, tokenFrom[5], tokenTo[5], scratch)) {
                        return fail(McReplies.BAD_FORMAT);
                    }
                    req.cas = scratch[0];
                }
                if (bytes < 0 || bytes > BYTES_MAX) {
                    return fail(McReplies.BAD_FORMAT);
                }
                req.flags = (int) flags;
                req.exptime = (int) exptime;
                req.bytes = (int) bytes;
                int r = keys(in, req, 1, gate, 2);
                return r != COMMAND ? r : storageData(req, bytes);
            }
            case INCR, DECR -> {
                if (nt != 4 && nt != 5) {
                    return fail(McReplies.ERROR);
                }
                noreplyMaybe(in, req);
                if (len(1) > KEY_MAX) {
                    return fail(McReplies.BAD_FORMAT);
                }
                if (!McNumbers.uint64(in, tokenFrom[2], tokenTo[2], scratch)) {
                    return fail(McReplies.BAD_DELTA);
                }
                req.delta = scratch[0];
                return keys(in, req, 1, gate, 2);
            }
            case DELETE -> {
                if (nt < 3 || nt > 5) {
                    return fail(McReplies.ERROR);
                }
                if (nt > 3) {
                    boolean holdIsZero = token(in, 2, "0");
                    boolean noreply = noreplyMaybe(in, req);
                    boolean valid = (nt == 4 && (holdIsZero || noreply)) || (nt == 5 && holdIsZero && noreply);
                    if (!valid) {
                        return fail(McReplies.BAD_DELETE);
                    }
                }
                if (len(1) > KEY_MAX) {
                    return fail(McReplies.BAD_FORMAT);
                }
                return keys(in, req, 1, gate, 2);
            }
            case TOUCH -> {
                if (nt != 4 && nt != 5) {
                    return fail(McReplies.ERROR);
                }
                noreplyMaybe(in, req);
                if (len(1) > KEY_MAX) {
                    return fail(McReplies.BAD_FORMAT);
                }
                long e = McNumbers.int32(in, tokenFrom[2], tokenTo[2], scratch);
                if (e == McNumbers.INVALID) {
                    return fail(McReplies.BAD_EXPTIME);
                }
                req.exptime = (int) e;
                return keys(in, req, 1, gate, 2);
            }
            case FLUSH_ALL -> {
                if (nt < 2 || nt > 4) {
                    return fail(McReplies.ERROR);
                }
                boolean noreply = nt > 2 && noreplyMaybe(in, req);
                if (nt != (noreply ? 3 : 2)) {
                    long e = McNumbers.int32(in, tokenFrom[1], tokenTo[1], scratch);
                    if (e == McNumbers.INVALID) {
                        return fail(McReplies.BAD_EXPTIME);
                    }
                    req.exptime = (int) e;
                    req.hasDelay = true;
                }
                return COMMAND;
            }
            case VERBOSITY -> {
                if (nt != 3 && nt != 4) {
                    return fail(McReplies.ERROR);
                }
                noreplyMaybe(in, req);
                long level = McNumbers.uint32(in, tokenFrom[1], tokenTo[1], scratch);
                if (level == McNumbers.INVALID) {
                    return fail(McReplies.BAD_FORMAT);
                }
                req.level = (int) level;
                return COMMAND;
            }
            case MN -> {
                return COMMAND;
            }
            case MG, MD, MA, MS -> {
                return metaLine(in, req, c, nt, gate);
            }
            case STATS -> {
                return keys(in, req, 1, gate);
            }
            default -> {
                return COMMAND; // version, quit: further tokens are ignored
            }
        }
    }

    private McCommand meta(ByteBuf in) {
        if (in.getByte(tokenFrom[0]) != 'm') {
            return null;
        }
        return switch (in.getByte(tokenFrom[0] + 1)) {
            case 'g' -> McCommand.MG;
            case 's' -> McCommand.MS;
            case 'd' -> McCommand.MD;
            case 'a' -> McCommand.MA;
            case 'n' -> McCommand.MN;
            default -> null;
        };
    }

    private int metaLine(ByteBuf in, McRequest req, McCommand c, int nt, Gate gate) {
        if (nt < 3) {
            return fail(McReplies.ERROR);
        }
        if (len(1) > KEY_MAX) {
            return fail(McReplies.BAD_FORMAT);
        }
        if (tokens > META_TOKENS_MAX) {
            return fail(c == McCommand.MG ? McReplies.MG_FLAGS_TOO_LONG : McReplies.META_FLAGS_TOO_LONG);
        }
        if (c != McCommand.MS) {
            int r = keys(in, req, 1, gate, 2);
            if (r == COMMAND) {
                r = flagTokens(in, req, 2, gate);
            }
            return r;
        }
        if (nt == 3) {
            return fail(McReplies.BAD_FORMAT);
        }
        long bytes = McNumbers.int32(in, tokenFrom[2], tokenTo[2], scratch);
        if (bytes == McNumbers.INVALID || bytes < 0 || bytes > BYTES_MAX) {
            return fail(McReplies.BAD_FORMAT);
        }
        req.bytes = (int) bytes;
        int r = keys(in, req, 1, gate, 2);
        if (r == COMMAND) {
            r = flagTokens(in, req, 3, gate);
        }
        if (r != COMMAND) {
            return r;
        }
        return storageData(req, bytes);
    }

    /** Copies tokens {@code first..} after the key as a meta command's flags. */
    private int flagTokens(ByteBuf in, McRequest req, int first, Gate gate) {
        int keys = req.keyCount;
        int r = keys(in, req, first, gate, tokens);
        req.metaFlagCount = req.keyCount;
        req.keyCount = keys;
        return r;
    }

    /** memcached's {@code item_size_ok}: the item must fit the item size limit ({@link Memcached#itemBytes}). */
    static boolean tooLarge(long maxItemBytes, int keyLength, int flags, long bytes) {
        return Memcached.itemBytes(keyLength, flags, bytes) > maxItemBytes;
    }

    /** After a storage line: swallow a too-large data block, else await it. */
    private int storageData(McRequest req, long bytes) {
        if (tooLarge(maxValueBytes, req.keyCount > 0 ? req.args.length(0) : 0,
                req.command == McCommand.MS ? 0 : req.flags, bytes)) {
            swallow = bytes + 2;
            return fail(McReplies.TOO_LARGE);
        }
        inData = true;
        copied = -1;
        return COMMAND;
    }

    private McCommand name(ByteBuf in) {
        return switch (len(0)) {
            case 3 -> token(in, 0, "get") ? McCommand.GET : token(in, 0, "gat") ? McCommand.GAT
                    : token(in, 0, "set") ? McCommand.SET : token(in, 0, "add") ? McCommand.ADD
                    : token(in, 0, "cas") ? McCommand.CAS : null;
            case 4 -> token(in, 0, "gets") ? McCommand.GETS : token(in, 0, "gats") ? McCommand.GATS
                    : token(in, 0, "incr") ? McCommand.INCR : token(in, 0, "decr") ? McCommand.DECR
                    : token(in, 0, "quit") ? McCommand.QUIT : null;
            case 5 -> token(in, 0, "touch") ? McCommand.TOUCH : token(in, 0, "stats") ? McCommand.STATS : null;
            case 6 -> token(in, 0, "append") ? McCommand.APPEND : token(in, 0, "delete") ? McCommand.DELETE : null;
            case 7 -> token(in, 0, "replace") ? McCommand.REPLACE : token(in, 0, "prepend") ? McCommand.PREPEND
                    : token(in, 0, "version") ? McCommand.VERSION : null;
            case 9 -> token(in, 0, "flush_all") ? McCommand.FLUSH_ALL
                    : token(in, 0, "verbosity") ? McCommand.VERBOSITY : null;
            default -> null;
        };
    }

    private int keys(ByteBuf in, McRequest req, int first, Gate gate) {
        return keys(in, req, first, gate, tokens);
    }

    /** Copies tokens {@code first .. end-1} into the request as its keys. */
    private int keys(ByteBuf in, McRequest req, int first, Gate gate, int end) {
        long size = 0;
        for (int t = first; t < end; t++) {
            size += len(t) + ARG_OVERHEAD;
        }
        String refusal = size == 0 ? null : gate.admit(pending + size);
        if (refusal != null) {
            return refuse(refusal, req);
        }
        CommandArgs args = req.args;
        for (int t = first; t < end; t++) {
            int at = args.reserve(len(t));
            in.getBytes(tokenFrom[t], args.array(), at, len(t));
        }
        pending += size;
        req.keyCount = end - first;
        return COMMAND;
    }

    /** Reads the data block of the storage command in {@code req}. */
    private int data(ByteBuf in, McRequest req, Gate gate) {
        int bytes = req.bytes;
        CommandArgs args = req.args;
        if (bytes >= BIG_VALUE) {
            if (copied < 0) {
                String refusal = gate.admit(pending + ARG_OVERHEAD);
                if (refusal != null) {
                    return refuse(refusal, req);
                }
                args.beginArg();
                pending += ARG_OVERHEAD;
                copied = 0;
            }
            long missing = bytes - copied;
            int n = (int) Math.min(in.readableBytes(), missing);
            if (n > 0) {
                String refusal = gate.admit(pending + n);
                if (refusal != null) {
                    return refuse(refusal, req);
                }
                int at = args.extendLast(n, missing);
                in.readBytes(args.array(), at, n);
                copied += n;
                pending += n;
            }
            if (copied < bytes || in.readableBytes() < 2) {
                return NEED_MORE;
            }
        } else {
            if (in.readableBytes() < bytes + 2) {
                return NEED_MORE;
            }
            String refusal = gate.admit(pending + bytes + ARG_OVERHEAD);
            if (refusal != null) {
                return refuse(refusal, req);
            }
            int at = args.reserve(bytes);
            in.readBytes(args.array(), at, bytes);
            pending += bytes + ARG_OVERHEAD;
        }
        inData = false;
        copied = -1;
        boolean ok = in.getByte(in.readerIndex()) == '\r' && in.getByte(in.readerIndex() + 1) == '\n';
        in.skipBytes(2);
        return ok ? COMMAND : fail(McReplies.BAD_DATA_CHUNK);
    }

    /** Index of the first '\n' after the reader index, scanning only bytes not searched before. */
    private int find(ByteBuf in) {
        int from = in.readerIndex();
        int at = in.indexOf(from + Math.min(scanned, in.readableBytes()), in.writerIndex(), (byte) '\n');
        scanned = at < 0 ? in.readableBytes() : 0;
        return at;
    }

    private int fail(String message) {
        error = message;
        inData = false;
        copied = -1;
        return ERROR;
    }

    private int refuse(String message, McRequest req) {
        reset();
        error = message;
        req.args.clear();
        return REFUSED;
    }

    private void reset() {
        scanned = 0;
        swallow = 0;
        inData = false;
        copied = -1;
        pending = 0;
    }
}
