package io.qrrot.server.memcached;

import io.netty.buffer.ByteBuf;

/**
 * Tells a memcached client from a Redis client by the first bytes a connection sends, for the main port, which
 * serves both. A RESP request starts with {@code *}; otherwise the first line decides, as it is read (a split
 * packet waits for the line's end). memcached's command names are lower-case and Redis reads inline commands
 * in any case, so the rules only take a line for memcached when Redis could not mean it the same way:
 * <ul>
 *   <li>a name only memcached has: {@code gets gat gats add replace prepend cas delete flush_all stats version
 *       verbosity mg ms md ma mn};</li>
 *   <li>{@code get} with a key: memcached's retrieval (for Redis, write {@code GET} or use RESP, as every
 *       Redis client does);</li>
 *   <li>{@code set} and {@code append} with the three numbers memcached's storage line has (flags, exptime,
 *       bytes; Redis would refuse those as a syntax error or a wrong number of arguments);</li>
 *   <li>{@code incr} and {@code decr} with a delta (Redis's take one argument);</li>
 *   <li>{@code touch} with a key and a number, or a key, a number and {@code noreply}.</li>
 * </ul>
 * Anything else is Redis's: RESP, or an inline command (which Redis answers, an unknown command included).
 */
public final class McDetector {
    /** The first line has not arrived whole yet. */
    public static final int NEED_MORE = 0;
    public static final int REDIS = 1;
    public static final int MEMCACHED = 2;

    private static final String[] MEMCACHED_ONLY = {
        "gets", "gat", "gats", "add", "replace", "prepend", "cas", "delete", "flush_all", "stats", "version",
        "verbosity", "mg", "ms", "md", "ma", "mn"
    };

    private McDetector() {
    }

    /**
     * Classifies a connection by the bytes it has sent so far (from the reader index; nothing is consumed).
     *
     * @param lineLimit bytes after which a line without its end is classified by what has arrived
     */
    public static int classify(ByteBuf in, int lineLimit) {
        int from = in.readerIndex();
        int to = in.writerIndex();
        if (from == to) {
            return NEED_MORE;
        }
        if (in.getByte(from) == '*') {
            return REDIS;
        }
        int newline = in.indexOf(from, to, (byte) '\n');
        if (newline < 0) {
            if (to - from < lineLimit) {
                return NEED_MORE;
            }
            newline = to; // a long first line: judge by its name (memcached's get lines may be long)
        }
        int end = newline;
        if (end > from && in.getByte(end - 1) == '\r') {
            end--;
        }
        // Tokens as memcached splits them: by spaces. Only the first few matter.
        int[] starts = new int[7];
        int[] ends = new int[7];
        int n = 0;
        int i = from;
        while (i < end && n < starts.length) {
            while (i < end && in.getByte(i) == ' ') {
                i++;
            }
            if (i == end) {
                break;
            }
            starts[n] = i;
            while (i < end && in.getByte(i) != ' ') {
                i++;
            }
            ends[n++] = i;
        }
        if (n == 0) {
            return REDIS;
        }
        String name = in.toString(starts[0], ends[0] - starts[0], java.nio.charset.StandardCharsets.ISO_8859_1);
        for (String m : MEMCACHED_ONLY) {
            if (m.equals(name)) {
                return MEMCACHED;
            }
        }
        boolean tooMany = n == starts.length; // more tokens than any shape below has
        switch (name) {
            case "get" -> {
                return n >= 2 ? MEMCACHED : REDIS;
            }
            case "set", "append" -> {
                boolean shape = !tooMany && (n == 5 || n == 6 && is(in, starts[5], ends[5], "noreply"))
                        && number(in, starts[2], ends[2]) && number(in, starts[3], ends[3])
                        && number(in, starts[4], ends[4]);
                return shape ? MEMCACHED : REDIS;
            }
            case "incr", "decr" -> {
                return !tooMany && (n == 3 || n == 4) ? MEMCACHED : REDIS;
            }
            case "touch" -> {
                boolean shape = (n == 3 || n == 4 && is(in, starts[3], ends[3], "noreply"))
                        && number(in, starts[2], ends[2]);
                return shape ? MEMCACHED : REDIS;
            }
            default -> {
                return REDIS;
            }
        }
    }

    /** An optional minus sign and at least one digit. */
    private static boolean number(ByteBuf in, int from, int to) {
        if (from < to && in.getByte(from) == '-') {
            from++;
        }
        if (from == to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean is(ByteBuf in, int from, int to, String word) {
        if (to - from != word.length()) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (in.getByte(from + i) != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
