package io.qrrot.engine;

import org.agrona.DirectBuffer;

/**
 * Where a command writes its reply, one call per reply element, in protocol order (the way Redis' addReply*
 * functions work). The server implements it by encoding RESP2 or RESP3 straight into the connection's output
 * buffer, so a reply allocates nothing; the embedded CLI implements it by building a reply tree.
 *
 * <p>Aggregates are announced with their element count and then followed by exactly that many elements
 * (for a map, 2 × count elements: key, value, key, value …). Error texts carry their code word first and no
 * leading '-': {@code "WRONGTYPE Operation against a key holding the wrong kind of value"}.
 */
public interface ReplySink {
    /** A status reply such as {@code OK} or {@code QUEUED} (RESP {@code +}). */
    void simple(String status);

    /** An error reply (RESP {@code -}); text starts with the code word, e.g. {@code ERR …}, {@code WRONGTYPE …}. */
    void error(String message);

    /** An integer reply (RESP {@code :}). */
    void integer(long value);

    /** A bulk string reply copied from {@code bytes[off, off+len)}. */
    void bulk(DirectBuffer bytes, int off, int len);

    /** A bulk string reply. */
    void bulk(byte[] bytes, int off, int len);

    /** A bulk string reply holding the decimal text of {@code value} (Redis GET of an int). */
    void bulkLong(long value);

    /** The null reply: RESP2 {@code $-1}, RESP3 {@code _}. */
    void nil();

    /** The null array: RESP2 {@code *-1}, RESP3 {@code _} (EXEC aborted by WATCH). */
    void nilArray();

    /** An array header; {@code count} elements follow. */
    void array(int count);

    /** A map header (RESP3 {@code %}, RESP2 an array of 2 × count); 2 × count elements follow. */
    void map(int count);

    /** A set header (RESP3 {@code ~}, RESP2 an array); count elements follow. */
    void set(int count);

    /** A double (RESP3 {@code ,}, RESP2 a bulk string of its shortest round-trip text). */
    void doubleValue(double value);

    /**
     * A double given as its text, for values whose text Redis fixes (a sorted-set score, printed as
     * {@code "%.17g"}): RESP3 {@code ,text}, RESP2 a bulk string. The default is RESP2's.
     */
    default void doubleText(DirectBuffer text, int off, int len) {
        bulk(text, off, len);
    }

    /** A boolean (RESP3 {@code #}, RESP2 the integer 1 or 0). */
    void bool(boolean value);

    /** A verbatim text (RESP3 {@code =txt:}, RESP2 a bulk string), e.g. INFO. */
    void verbatim(String text);

    default void bulk(byte[] bytes) {
        bulk(bytes, 0, bytes.length);
    }

    default void bulk(String utf8) {
        bulk(utf8.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * An array of {@code count} pairs, as Redis 7 replies HRANDFIELD … WITHVALUES: in RESP3 an array of
     * {@code count} two-element arrays (each opened by {@link #pair()}), in RESP2 one flat array of
     * {@code 2 * count} elements. The default is RESP2's.
     */
    default void pairs(int count) {
        array(2 * count);
    }

    /** Opens one pair of a {@link #pairs} reply: a two-element array in RESP3, nothing in RESP2 (the default). */
    default void pair() {
    }
}
