package io.qrrot.server.memcached;

import java.nio.charset.StandardCharsets;

/**
 * The reply texts of memcached 1.6 (proto_text.c), each with its {@code \r\n}, as recorded from memcached
 * 1.6.18. Storage replies answer set/add/replace/append/prepend/cas; {@code VALUE} lines are built by
 * {@link #value}. Error replies a decoder produces are in {@link McDecoder}'s documentation.
 */
public final class McReplies {
    private McReplies() {}

    public static final byte[] STORED = ascii("STORED\r\n");
    public static final byte[] NOT_STORED = ascii("NOT_STORED\r\n");
    public static final byte[] EXISTS = ascii("EXISTS\r\n");
    public static final byte[] NOT_FOUND = ascii("NOT_FOUND\r\n");
    public static final byte[] DELETED = ascii("DELETED\r\n");
    public static final byte[] TOUCHED = ascii("TOUCHED\r\n");
    public static final byte[] OK = ascii("OK\r\n");
    public static final byte[] END = ascii("END\r\n");
    /** stats reset. */
    public static final byte[] RESET = ascii("RESET\r\n");

    /** Unknown command, wrong number of tokens, an empty line. */
    public static final String ERROR = "ERROR";
    /** A key over 250 bytes, a bad flags/exptime/bytes/cas number, bad bytes range, bad verbosity level. */
    public static final String BAD_FORMAT = "CLIENT_ERROR bad command line format";
    /** delete with a hold time other than 0 or a third token other than noreply. */
    public static final String BAD_DELETE = "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]";
    /** A data block that does not end in \r\n after its declared bytes. */
    public static final String BAD_DATA_CHUNK = "CLIENT_ERROR bad data chunk";
    /** A value over the item size limit; memcached swallows the data block that follows. */
    public static final String TOO_LARGE = "SERVER_ERROR object too large for cache";
    /** No memory for an item of an acceptable size. */
    public static final String OUT_OF_MEMORY = "SERVER_ERROR out of memory storing object";
    /** touch, gat, gats or flush_all with an exptime that is not a number. */
    public static final String BAD_EXPTIME = "CLIENT_ERROR invalid exptime argument";
    /** incr/decr with a delta that is not an unsigned 64-bit number. */
    public static final String BAD_DELTA = "CLIENT_ERROR invalid numeric delta argument";
    /** mg with more than 17 flag tokens. */
    public static final String MG_FLAGS_TOO_LONG = "CLIENT_ERROR options flags are too long";
    /** ms with more than 16, md and ma with more than 17 flag tokens; after ms the data block is read as a line. */
    public static final String META_FLAGS_TOO_LONG = "CLIENT_ERROR options flags too long";
    /** mn. */
    public static final byte[] MN = ascii("MN\r\n");
    /** incr/decr on a value that is not a decimal number. */
    public static final String NON_NUMERIC = "CLIENT_ERROR cannot increment or decrement non-numeric value";

    /** The reply line for {@code text} (one of the strings above). */
    public static byte[] line(String text) {
        return ascii(text + "\r\n");
    }

    /** {@code VERSION <version>\r\n}. */
    public static byte[] version(String version) {
        return ascii("VERSION " + version + "\r\n");
    }

    /**
     * {@code VALUE <key> <flags> <bytes>[ <cas>]\r\n}, the header of a get/gets/gat/gats item; the data and
     * {@code \r\n} follow it. Flags print as unsigned 32-bit.
     */
    public static byte[] value(byte[] key, int flags, int bytes) {
        return header(key, flags, bytes, false, 0);
    }

    /** {@code VALUE <key> <flags> <bytes> <cas>\r\n} for gets/gats; the cas unique prints as unsigned 64-bit. */
    public static byte[] valueWithCas(byte[] key, int flags, int bytes, long cas) {
        return header(key, flags, bytes, true, cas);
    }

    private static byte[] header(byte[] key, int flags, int bytes, boolean withCas, long cas) {
        String tail = " " + Integer.toUnsignedString(flags) + " " + bytes
                + (withCas ? " " + Long.toUnsignedString(cas) : "") + "\r\n";
        byte[] t = ascii(tail);
        byte[] out = new byte[6 + key.length + t.length];
        System.arraycopy(ascii("VALUE "), 0, out, 0, 6);
        System.arraycopy(key, 0, out, 6, key.length);
        System.arraycopy(t, 0, out, 6 + key.length, t.length);
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
