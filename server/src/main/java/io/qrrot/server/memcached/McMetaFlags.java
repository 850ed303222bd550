package io.qrrot.server.memcached;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The flag tokens of a meta command (mg, ms, md, ma) read as memcached 1.6.18's {@code _meta_flag_preparse}
 * reads them: each token is a flag character and, for some, a value after it; a flag given twice, or one
 * memcached does not know, ends the reading with an error. Which flags a command then uses, and which it echoes
 * back in its reply (O, k, c, f, s, t), is the caller's. Reusable; not thread-safe.
 *
 * <p>qrrot serves these flags: {@code c f k O q s t u v} and {@code T} (mg); {@code c C F k M O q T} (ms);
 * {@code C k O q} (md); {@code c C D J k M N O q t T v} (ma); {@code P} and {@code L} are read and ignored as
 * memcached does. Flags that need what qrrot does not keep (an item's last access {@code l} and fetched bit
 * {@code h}, stale items {@code I}, recache tokens {@code R}, base64 keys {@code b}) and mg's {@code N} are
 * refused with {@link #UNSUPPORTED}.
 */
public final class McMetaFlags {
    /** The reply to a flag qrrot does not serve. */
    public static final String UNSUPPORTED = "CLIENT_ERROR flag not supported by this server";
    /** memcached's MFLAG_MAX_OPAQUE_LENGTH. */
    public static final int MAX_OPAQUE = 32;

    private final boolean[] seen = new boolean[127];
    private final long[] scratch = new long[2];
    /** The request's array as a buffer, for memcached's number rules ({@link McNumbers}). */
    private ByteBuf wrapped;
    /** The first error, or null: memcached's text for it ({@link McReplies} style, without {@code \r\n}). */
    public String error;
    public boolean noreply;
    public boolean value;
    public boolean vivify;
    public int vivifyExptime;
    public boolean newTtl;
    public int exptime;
    public int clientFlags;
    public boolean hasCas;
    public long cas;
    /** M's character, or 0. */
    public char mode;
    public long delta;
    public long initial;

    /**
     * Reads the flag tokens of {@code req} for {@code command}.
     *
     * @return true when they read without error ({@link #error} is null)
     */
    public boolean parse(McRequest req, McCommand command) {
        java.util.Arrays.fill(seen, false);
        error = null;
        noreply = false;
        value = false;
        vivify = false;
        vivifyExptime = 0;
        newTtl = false;
        exptime = 0;
        clientFlags = 0;
        hasCas = false;
        cas = 0;
        mode = 0;
        delta = 1;
        initial = 0;
        String unsupported = null;
        String failure = null;
        if (wrapped == null || wrapped.array() != req.array()) {
            wrapped = Unpooled.wrappedBuffer(req.array()); // again only when the request's array grew
        }
        ByteBuf b = wrapped;
        for (int i = 0; i < req.metaFlagCount(); i++) {
            int at = req.metaFlagOffset(i);
            int len = req.metaFlagLength(i);
            int o = req.array()[at] & 0xff;
            if (o >= 127 || seen[o]) {
                return fail("CLIENT_ERROR duplicate flag");
            }
            seen[o] = true;
            int from = at + 1;
            int to = at + len;
            switch (o) {
                case 'b', 'l', 'h', 'I', 'R' -> unsupported = UNSUPPORTED;
                case 'N' -> {
                    long e = McNumbers.int32(b, from, to, scratch);
                    if (e == McNumbers.INVALID) {
                        failure = "CLIENT_ERROR bad token in command line format";
                    } else {
                        vivify = true;
                        vivifyExptime = (int) e;
                        if (command == McCommand.MG) {
                            unsupported = UNSUPPORTED;
                        }
                    }
                }
                case 'T' -> {
                    long e = McNumbers.int32(b, from, to, scratch);
                    if (e == McNumbers.INVALID) {
                        failure = "CLIENT_ERROR bad token in command line format";
                    } else {
                        newTtl = true;
                        exptime = (int) e;
                    }
                }
                case 'O', 'P', 'L', 'k', 's', 't', 'c', 'f', 'u' -> {
                }
                case 'v' -> value = true;
                case 'q' -> noreply = true;
                case 'F' -> {
                    long f = McNumbers.uint32(b, from, to, scratch);
                    if (f == McNumbers.INVALID) {
                        failure = failure == null ? "CLIENT_ERROR bad command line format" : failure;
                    } else {
                        clientFlags = (int) f;
                    }
                }
                case 'C' -> {
                    if (McNumbers.uint64(b, from, to, scratch)) {
                        hasCas = true;
                        cas = scratch[0];
                    } else {
                        failure = "CLIENT_ERROR bad token in command line format";
                    }
                }
                case 'M' -> {
                    if (len != 2) {
                        failure = "CLIENT_ERROR incorrect length for M token";
                    } else {
                        mode = (char) (req.array()[at + 1] & 0xff);
                    }
                }
                case 'J' -> {
                    if (McNumbers.uint64(b, from, to, scratch)) {
                        initial = scratch[0];
                    } else {
                        failure = "CLIENT_ERROR invalid numeric initial value";
                    }
                }
                case 'D' -> {
                    if (McNumbers.uint64(b, from, to, scratch)) {
                        delta = scratch[0];
                    } else {
                        failure = "CLIENT_ERROR invalid numeric delta value";
                    }
                }
                default -> {
                    return fail("CLIENT_ERROR invalid flag");
                }
            }
        }
        if (failure != null) {
            error = failure;
            return false;
        }
        if (unsupported != null) {
            error = unsupported;
            return false;
        }
        return true;
    }

    private boolean fail(String message) {
        error = message;
        return false;
    }

    /** The first byte of flag token {@code i}. */
    public static int flag(McRequest req, int i) {
        return req.array()[req.metaFlagOffset(i)] & 0xff;
    }
}
