package io.qrrot.recovery.fold;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import io.qrrot.recovery.snapshot.SnapshotOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One key's change in the fold: the layout a change has in the sort buffer and, framed, in a spilled run file
 * (see {@link RunFile}). Little-endian; the same bytes in memory and on disk, so a spill is a copy.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Order hash: SnapshotOrder.hash of the key (xxHash3-64)  |  0
 *  |                                                               |
 *  +---------------+---------------+-------------------------------+
 *  |     Kind      |     Type      |  Key length ...               |  8
 *  +---------------+---------------+-------------------------------+
 *  |  ... key length               |  Value length ...             | 12
 *  +-------------------------------+-------------------------------+
 *  |  ... value length             |  Expiry, epoch millis, 0 = none ...
 *  +-------------------------------+-------------------------------+
 *  |  ... expiry (8 bytes from offset 18)                          |
 *  +---------------------------------------------------------------+
 *  |  Key bytes ...                                    (offset 26) ...
 *  +---------------------------------------------------------------+
 *  |  Value bytes ... (PUT only; empty otherwise)                 ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Kinds: {@link #PUT} (the key holds this value, type and expiry: a full after-image), {@link #DELETE}
 * (the key is gone) and {@link #EXPIRE} (the key, if it exists, now expires at {@code expiry}; 0 removes the
 * expiry). Changes to one key fold oldest first by {@link Fold}.
 */
public final class Change {
    public static final byte PUT = 1;
    public static final byte DELETE = 2;
    public static final byte EXPIRE = 3;

    public static final int HASH_OFFSET = 0;
    public static final int KIND_OFFSET = 8;
    public static final int TYPE_OFFSET = 9;
    public static final int KEY_LENGTH_OFFSET = 10;
    public static final int VALUE_LENGTH_OFFSET = 14;
    public static final int EXPIRY_OFFSET = 18;
    public static final int HEADER_LENGTH = 26;

    private Change() {
    }

    /** Bytes of a change with this key and value. */
    public static long length(int keyLength, int valueLength) {
        return (long) HEADER_LENGTH + keyLength + valueLength;
    }

    /** Writes a change at {@code at}; the caller made sure it fits. */
    public static void write(MutableDirectBuffer b, int at, long hash, byte kind, byte type, DirectBuffer key,
                             int koff, int klen, DirectBuffer value, int voff, int vlen, long expiry) {
        b.putLong(at + HASH_OFFSET, hash, LITTLE_ENDIAN);
        b.putByte(at + KIND_OFFSET, kind);
        b.putByte(at + TYPE_OFFSET, type);
        b.putInt(at + KEY_LENGTH_OFFSET, klen, LITTLE_ENDIAN);
        b.putInt(at + VALUE_LENGTH_OFFSET, vlen, LITTLE_ENDIAN);
        b.putLong(at + EXPIRY_OFFSET, expiry, LITTLE_ENDIAN);
        b.putBytes(at + HEADER_LENGTH, key, koff, klen);
        if (vlen > 0) {
            b.putBytes(at + HEADER_LENGTH + klen, value, voff, vlen);
        }
    }

    public static long hash(DirectBuffer b, int at) {
        return b.getLong(at + HASH_OFFSET, LITTLE_ENDIAN);
    }

    public static byte kind(DirectBuffer b, int at) {
        return b.getByte(at + KIND_OFFSET);
    }

    public static byte type(DirectBuffer b, int at) {
        return b.getByte(at + TYPE_OFFSET);
    }

    public static int keyLength(DirectBuffer b, int at) {
        return b.getInt(at + KEY_LENGTH_OFFSET, LITTLE_ENDIAN);
    }

    public static int valueLength(DirectBuffer b, int at) {
        return b.getInt(at + VALUE_LENGTH_OFFSET, LITTLE_ENDIAN);
    }

    public static long expiry(DirectBuffer b, int at) {
        return b.getLong(at + EXPIRY_OFFSET, LITTLE_ENDIAN);
    }

    public static int keyOffset(int at) {
        return at + HEADER_LENGTH;
    }

    public static int valueOffset(DirectBuffer b, int at) {
        return at + HEADER_LENGTH + keyLength(b, at);
    }

    /**
     * Orders two changes by key in {@link SnapshotOrder}: negative, zero or positive as the change at {@code a}
     * sorts before, with, or after the one at {@code b}.
     */
    public static int compareKeys(DirectBuffer ab, int a, DirectBuffer bb, int b) {
        return SnapshotOrder.compare(hash(ab, a), ab, keyOffset(a), keyLength(ab, a),
                hash(bb, b), bb, keyOffset(b), keyLength(bb, b));
    }

    /** Orders a snapshot record's key (with its hash) against the change at {@code b}, as {@link #compareKeys}. */
    public static int compareKey(long hash, DirectBuffer key, int koff, int klen, DirectBuffer bb, int b) {
        return SnapshotOrder.compare(hash, key, koff, klen, hash(bb, b), bb, keyOffset(b), keyLength(bb, b));
    }

    /**
     * Folds the changes to one key, oldest first, into one: a PUT or DELETE replaces whatever came before; an
     * EXPIRE sets the expiry of a PUT or EXPIRE before it and leaves a DELETE deleted. The result names the
     * change whose key (and, for a PUT, type and value) it keeps, with the kind and expiry to use instead of
     * that change's own. Reused; not thread-safe.
     */
    public static final class Fold {
        /** Where the result's bytes are (null before the first {@link #add}). */
        DirectBuffer buffer;
        int at;
        byte kind;
        long expiry;

        void reset() {
            buffer = null;
            kind = 0;
            expiry = 0;
        }

        /**
         * Adds the next newer change to the same key: the one at {@code changeAt}, whose kind and expiry are
         * {@code k} and {@code e} (a folded change's, which may differ from its bytes').
         */
        void add(DirectBuffer b, int changeAt, byte k, long e) {
            if (k == PUT || k == DELETE || buffer == null) {
                buffer = b;
                at = changeAt;
                kind = k;
                expiry = e;
            } else if (kind != DELETE) {
                expiry = e; // an EXPIRE after a PUT or an EXPIRE
            }
        }
    }
}
