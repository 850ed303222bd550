package io.qrrot.recovery.fold;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import io.qrrot.recovery.snapshot.SnapshotOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One change in the fold: the layout a change has in the sort buffer and, framed, in a spilled run file (see
 * {@link RunFile}). Little-endian; the same bytes in memory and on disk, so a spill is a copy.
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
 *  +-------------------------------+-------------------------------+
 *  |  ... expiry                   |  Sequence ...                 | 24
 *  +-------------------------------+-------------------------------+
 *  |  ... sequence (8 bytes from offset 26)                        |
 *  +-------------------------------+-------------------------------+
 *  |  ... sequence                 |  Key bytes ... (offset 34) or, for an element kind:
 *  +-------------------------------+-------------------------------+
 *  |  ... sequence                 |  Element hash ...             | 32
 *  +-------------------------------+-------------------------------+
 *  |  ... element hash (8 bytes from offset 34): SnapshotOrder.hash |
 *  +-------------------------------+-------------------------------+
 *  |  ... element hash             |  Element length ...           | 40
 *  +-------------------------------+-------------------------------+
 *  |  ... element length           |  Key bytes ...    (offset 46) ...
 *  +-------------------------------+-------------------------------+
 *  |  Element bytes ... (element kinds only)                      ...
 *  +---------------------------------------------------------------+
 *  |  Value bytes ... (PUT: the value; ELEMENT_PUT: the payload)  ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>A key's change has no element fields (a 34-byte header, {@link #KEY_HEADER_LENGTH}), an element's change
 * a 46-byte one ({@link #ELEMENT_HEADER_LENGTH}): most changes of most deltas are a key's, and every byte of
 * them is sorted, spilled and read back.
 *
 * <p>Kinds of a key: {@link #PUT} (the key holds this value, type and expiry: a full after-image),
 * {@link #DELETE} (the key is gone) and {@link #EXPIRE} (the key, if it exists, now expires at {@code expiry};
 * 0 removes the expiry). Kinds of an element of the collection at the key: {@link #ELEMENT_PUT} (the element
 * now has this payload; a missing key becomes a collection of {@code type} without expiry) and
 * {@link #ELEMENT_DELETE} (the element is gone). The sequence numbers the changes of a delta in log order,
 * from 1; 0 stands for what the previous snapshot holds.
 *
 * <p><b>Order.</b> Changes sort by key ({@link SnapshotOrder}), a key's own changes before those of its
 * elements, elements by {@link SnapshotOrder} of their bytes, then oldest first ({@link #compare}). So the fold
 * meets a key's changes, then each element's, as the merge with the previous snapshot meets its records.
 *
 * <p><b>Folding.</b> A key's own changes fold oldest first into one ({@link Fold}): PUT and DELETE reset the
 * key, and the folded change keeps the sequence of the last reset; EXPIRE sets the expiry. An element's
 * changes fold into the newest. An element change older than its key's last reset is superseded by it, and
 * dropped; an element of the previous snapshot survives only when the delta has no reset of its key. The
 * folded key change's sequence is 0 when it holds no reset.
 */
public final class Change {
    public static final byte PUT = 1;
    public static final byte DELETE = 2;
    public static final byte EXPIRE = 3;
    public static final byte ELEMENT_PUT = 4;
    public static final byte ELEMENT_DELETE = 5;

    public static final int HASH_OFFSET = 0;
    public static final int HASH_LENGTH = 8;
    public static final int KIND_OFFSET = HASH_OFFSET + HASH_LENGTH;
    public static final int KIND_LENGTH = 1;
    public static final int TYPE_OFFSET = KIND_OFFSET + KIND_LENGTH;
    public static final int TYPE_LENGTH = 1;
    public static final int KEY_LENGTH_OFFSET = TYPE_OFFSET + TYPE_LENGTH;
    public static final int KEY_LENGTH_LENGTH = 4;
    public static final int VALUE_LENGTH_OFFSET = KEY_LENGTH_OFFSET + KEY_LENGTH_LENGTH;
    public static final int VALUE_LENGTH_LENGTH = 4;
    public static final int EXPIRY_OFFSET = VALUE_LENGTH_OFFSET + VALUE_LENGTH_LENGTH;
    public static final int EXPIRY_LENGTH = 8;
    public static final int SEQUENCE_OFFSET = EXPIRY_OFFSET + EXPIRY_LENGTH;
    public static final int SEQUENCE_LENGTH = 8;
    /** The header of a key's change (kinds PUT, DELETE, EXPIRE): its key follows. */
    public static final int KEY_HEADER_LENGTH = SEQUENCE_OFFSET + SEQUENCE_LENGTH;
    /** Element changes only: the element's order hash and length after the common header. */
    public static final int ELEMENT_HASH_OFFSET = KEY_HEADER_LENGTH;
    public static final int ELEMENT_HASH_LENGTH = 8;
    public static final int ELEMENT_LENGTH_OFFSET = ELEMENT_HASH_OFFSET + ELEMENT_HASH_LENGTH;
    public static final int ELEMENT_LENGTH_LENGTH = 4;
    /** The header of an element's change (kinds ELEMENT_PUT, ELEMENT_DELETE): its key and element follow. */
    public static final int ELEMENT_HEADER_LENGTH = ELEMENT_LENGTH_OFFSET + ELEMENT_LENGTH_LENGTH;
    /** The smallest change: a key's, with an empty key. */
    public static final int MIN_LENGTH = KEY_HEADER_LENGTH;

    private Change() {
    }

    /** True for the kinds that change an element of a collection rather than the key. */
    public static boolean isElement(byte kind) {
        return kind >= ELEMENT_PUT;
    }

    /** Bytes of the header of a change of this kind. */
    public static int headerLength(byte kind) {
        return isElement(kind) ? ELEMENT_HEADER_LENGTH : KEY_HEADER_LENGTH;
    }

    /** Bytes of a change of this kind with this key, element (element kinds only) and value. */
    public static long length(byte kind, int keyLength, int elementLength, int valueLength) {
        return (long) headerLength(kind) + keyLength + elementLength + valueLength;
    }

    /**
     * Writes the header of a change at {@code at} (its element fields only for an element kind); returns
     * where its key goes, then its element and value. The caller made sure it fits.
     */
    public static int writeHeader(MutableDirectBuffer b, int at, long hash, byte kind, byte type, int klen,
                                  long elementHash, int elen, int vlen, long expiry, long sequence) {
        b.putLong(at + HASH_OFFSET, hash, LITTLE_ENDIAN);
        b.putByte(at + KIND_OFFSET, kind);
        b.putByte(at + TYPE_OFFSET, type);
        b.putInt(at + KEY_LENGTH_OFFSET, klen, LITTLE_ENDIAN);
        b.putInt(at + VALUE_LENGTH_OFFSET, vlen, LITTLE_ENDIAN);
        b.putLong(at + EXPIRY_OFFSET, expiry, LITTLE_ENDIAN);
        b.putLong(at + SEQUENCE_OFFSET, sequence, LITTLE_ENDIAN);
        if (!isElement(kind)) {
            return at + KEY_HEADER_LENGTH;
        }
        b.putLong(at + ELEMENT_HASH_OFFSET, elementHash, LITTLE_ENDIAN);
        b.putInt(at + ELEMENT_LENGTH_OFFSET, elen, LITTLE_ENDIAN);
        return at + ELEMENT_HEADER_LENGTH;
    }

    /** Writes a change at {@code at}; the caller made sure it fits. */
    public static void write(MutableDirectBuffer b, int at, long hash, byte kind, byte type, DirectBuffer key,
                             int koff, int klen, long elementHash, DirectBuffer element, int eoff, int elen,
                             DirectBuffer value, int voff, int vlen, long expiry, long sequence) {
        int p = writeHeader(b, at, hash, kind, type, klen, elementHash, elen, vlen, expiry, sequence);
        b.putBytes(p, key, koff, klen);
        if (elen > 0) {
            b.putBytes(p + klen, element, eoff, elen);
        }
        if (vlen > 0) {
            b.putBytes(p + klen + elen, value, voff, vlen);
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

    public static long sequence(DirectBuffer b, int at) {
        return b.getLong(at + SEQUENCE_OFFSET, LITTLE_ENDIAN);
    }

    /** The element's order hash; 0 for a key's change. */
    public static long elementHash(DirectBuffer b, int at) {
        return isElement(kind(b, at)) ? b.getLong(at + ELEMENT_HASH_OFFSET, LITTLE_ENDIAN) : 0;
    }

    /** The element's length; 0 for a key's change. */
    public static int elementLength(DirectBuffer b, int at) {
        return isElement(kind(b, at)) ? b.getInt(at + ELEMENT_LENGTH_OFFSET, LITTLE_ENDIAN) : 0;
    }

    public static int keyOffset(DirectBuffer b, int at) {
        return at + headerLength(kind(b, at));
    }

    public static int elementOffset(DirectBuffer b, int at) {
        return keyOffset(b, at) + keyLength(b, at);
    }

    public static int valueOffset(DirectBuffer b, int at) {
        return elementOffset(b, at) + elementLength(b, at);
    }

    /** The bytes the change at {@code at} takes, as its own lengths say. */
    public static long length(DirectBuffer b, int at) {
        return length(kind(b, at), keyLength(b, at), elementLength(b, at), valueLength(b, at));
    }

    /**
     * Orders two changes by key in {@link SnapshotOrder}: negative, zero or positive as the change at {@code a}
     * sorts before, with, or after the one at {@code b}.
     */
    public static int compareKeys(DirectBuffer ab, int a, DirectBuffer bb, int b) {
        return SnapshotOrder.compare(hash(ab, a), ab, keyOffset(ab, a), keyLength(ab, a),
                hash(bb, b), bb, keyOffset(bb, b), keyLength(bb, b));
    }

    /** Orders a snapshot record's key (with its hash) against the change at {@code b}, as {@link #compareKeys}. */
    public static int compareKey(long hash, DirectBuffer key, int koff, int klen, DirectBuffer bb, int b) {
        return SnapshotOrder.compare(hash, key, koff, klen, hash(bb, b), bb, keyOffset(bb, b), keyLength(bb, b));
    }

    /**
     * Orders two changes by what they change: by key, then a key's own changes before its elements', then
     * elements by {@link SnapshotOrder} of their bytes. Zero for two changes of the same key (both of the key)
     * or of the same element: those fold into one.
     */
    public static int compare(DirectBuffer ab, int a, DirectBuffer bb, int b) {
        int c = compareKeys(ab, a, bb, b);
        if (c != 0) {
            return c;
        }
        boolean ea = isElement(kind(ab, a));
        boolean eb = isElement(kind(bb, b));
        if (ea != eb) {
            return ea ? 1 : -1;
        }
        return ea ? compareElements(ab, a, bb, b) : 0;
    }

    /** Orders the elements of two element changes (of the same key) in {@link SnapshotOrder}. */
    public static int compareElements(DirectBuffer ab, int a, DirectBuffer bb, int b) {
        return SnapshotOrder.compare(elementHash(ab, a), ab, elementOffset(ab, a), elementLength(ab, a),
                elementHash(bb, b), bb, elementOffset(bb, b), elementLength(bb, b));
    }

    /** Orders a snapshot element (with its hash) against the element of the element change at {@code b}. */
    public static int compareElement(long hash, DirectBuffer element, int eoff, int elen, DirectBuffer bb, int b) {
        return SnapshotOrder.compare(hash, element, eoff, elen, elementHash(bb, b), bb, elementOffset(bb, b),
                elementLength(bb, b));
    }

    /**
     * Folds the changes to one key (its own, not its elements'), oldest first, into one: a PUT or DELETE
     * replaces whatever came before (and its sequence becomes the fold's: the reset that element changes
     * before it lose to); an EXPIRE sets the expiry: of a PUT, of an EXPIRE, or after a DELETE of the
     * collection that element changes after the DELETE made (an EXPIRE is logged only for a key that
     * exists). The result names the change whose key (and, for a PUT, type and value) it keeps, with the
     * kind, expiry and sequence to use instead of that change's own. Reused; not thread-safe.
     */
    public static final class Fold {
        /** Where the result's bytes are (null before the first {@link #add}). */
        DirectBuffer buffer;
        int at;
        byte kind;
        long expiry;
        long sequence;

        void reset() {
            buffer = null;
            kind = 0;
            expiry = 0;
            sequence = 0;
        }

        /**
         * Adds the next newer change to the same key: the one at {@code changeAt}, whose kind, expiry and
         * sequence are {@code k}, {@code e} and {@code s} (a folded change's, which may differ from its bytes').
         */
        void add(DirectBuffer b, int changeAt, byte k, long e, long s) {
            if (k == PUT || k == DELETE || buffer == null) {
                buffer = b;
                at = changeAt;
                kind = k;
                expiry = e;
                sequence = k == EXPIRE ? 0 : s;
            } else {
                expiry = e; // an EXPIRE after a PUT, an EXPIRE or a DELETE
            }
        }
    }
}
