package io.qrrot.engine.store;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

/**
 * The value bytes of a collection entry (a hash, a set, a sorted set; a list's is the table form pointing at its
 * {@link ListNodes}) in one of its three encodings. The first byte says
 * which; little-endian; lengths are unsigned LEB128 varints.
 *
 * <pre>
 * Packed (ENCODING_PACKED = 1): the whole collection in the entry's value, rewritten on change
 *  +---------------+-----------------------------------------------+
 *  |  encoding = 1 |  element count (int32)                        ...
 *  +---------------+-----------------------------------------------+
 *  |  elements, in insertion order, each:                         ...
 *  |    element length (varint) | element bytes |                  |
 *  |    payload length (varint) | payload bytes   (types with a payload only: a hash field's value)
 *  +---------------------------------------------------------------+
 *
 * Table (ENCODING_TABLE = 2): the elements in an off-heap ElementTable
 *  +---------------+-----------------------------------------------+
 *  |  encoding = 2 |  ElementTable address (int64)                ...
 *  +---------------+-----------------------------------------------+
 *  (a list's value has the same form, the address being its ListNodes')
 *  a sorted set's table is followed by the address of its order:
 *  +---------------+-----------------------------------------------+
 *  |  ... table    |  ScoreIndex address (int64)                  ...
 *  +---------------+-----------------------------------------------+
 *
 * Intset (ENCODING_INTSET = 3): a set whose members are all integers, as sorted fixed-width integers
 *  +---------------+---------------+-------------------------------+
 *  |  encoding = 3 | width 2, 4, 8 |  member count (int32) ...     |
 *  +---------------+---------------+-------------------------------+
 *  |  ... count    |  members, ascending, each `width` bytes in the machine's order (memory only) ...
 *  +---------------+-----------------------------------------------+
 * </pre>
 *
 * <p>A sorted set's payloads are its scores ({@link EntryType#SCORE_BYTES} bytes, a little-endian double).
 * Packed, its records are kept in (score, member) order, as Redis's listpack keeps them; as a table, its
 * {@link ScoreIndex} holds that order and the rank of each member.
 *
 * <p>A set starts as an intset when its first member is an integer (canonical decimal text, as Redis's
 * {@code string2ll} reads it) and stays one while every member is and it has at most
 * {@code set-max-intset-entries}; otherwise it is a table. The width is the smallest that holds every member
 * and only grows, as Redis's intset: two bytes a member for small numbers.
 *
 * <p>A small collection is packed, like Redis's listpack: one block, a byte or two of overhead per element,
 * found by a linear scan that is cheap because it is short. Past a number of elements or an element length
 * (Redis's {@code hash-max-listpack-entries} and {@code hash-max-listpack-value}) it becomes a table, whose
 * lookups cost O(1) however large it grows; like Redis, it never goes back. The store never keeps an empty
 * collection: removing the last element removes the key.
 */
final class Collection {
    static final int ENCODING_OFFSET = 0;
    static final int COUNT_OFFSET = 1;
    static final int PACKED_HEADER = 5;
    static final int TABLE_ADDRESS_OFFSET = 1;
    static final int TABLE_VALUE_LENGTH = 9;
    static final int INDEX_ADDRESS_OFFSET = 9;
    static final int SORTED_TABLE_VALUE_LENGTH = 17;

    private Collection() {
    }

    static final int INTSET_WIDTH_OFFSET = 1;
    static final int INTSET_COUNT_OFFSET = 2;
    static final int INTSET_HEADER = 6;

    static byte encoding(long value) {
        return UnsafeApi.getByte(value + ENCODING_OFFSET);
    }

    static boolean isTable(long value) {
        return encoding(value) == EntryType.ENCODING_TABLE;
    }

    static long table(long value) {
        return EntryLayout.getLongLittleEndian(value + TABLE_ADDRESS_OFFSET);
    }

    /** Writes an empty packed collection (5 bytes) at {@code value}. */
    static void initPacked(long value) {
        UnsafeApi.putByte(value + ENCODING_OFFSET, EntryType.ENCODING_PACKED);
        EntryLayout.putIntLittleEndian(value + COUNT_OFFSET, 0);
    }

    static void initTable(long value, long table) {
        UnsafeApi.putByte(value + ENCODING_OFFSET, EntryType.ENCODING_TABLE);
        EntryLayout.putLongLittleEndian(value + TABLE_ADDRESS_OFFSET, table);
    }

    /** A sorted set's table encoding: its ElementTable and its ScoreIndex. */
    static void initSortedTable(long value, long table, long index) {
        initTable(value, table);
        EntryLayout.putLongLittleEndian(value + INDEX_ADDRESS_OFFSET, index);
    }

    /** The ScoreIndex of a table-encoded sorted set. */
    static long index(long value) {
        return EntryLayout.getLongLittleEndian(value + INDEX_ADDRESS_OFFSET);
    }

    /** Value bytes of a table-encoded collection of {@code type}. */
    static int tableValueLength(byte type) {
        return type == EntryType.ZSET ? SORTED_TABLE_VALUE_LENGTH : TABLE_VALUE_LENGTH;
    }

    // ---------------------------------------------------------------- sorted sets

    /** The score in a sorted-set payload at {@code address}. */
    static double score(long address) {
        return Double.longBitsToDouble(EntryLayout.getLongLittleEndian(address));
    }

    /** The score in a sorted-set payload in {@code b} at {@code off}. */
    static double score(DirectBuffer b, int off) {
        return Double.longBitsToDouble(b.getLong(off, java.nio.ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * Redis's member order at equal scores: bytes compared unsigned, a prefix before the longer member.
     * Negative, zero or positive as the member at {@code a} sorts before, with or after {@code b}.
     */
    static int compareMembers(long a, int alen, DirectBuffer b, int boff, int blen) {
        int n = Math.min(alen, blen);
        for (int i = 0; i < n; i++) {
            int x = UnsafeApi.getByte(a + i) & 0xFF;
            int y = b.getByte(boff + i) & 0xFF;
            if (x != y) {
                return x - y;
            }
        }
        return Integer.compare(alen, blen);
    }

    /** Orders (score, member at {@code a}) against (score {@code t}, member {@code b}): Redis's zset order. */
    static int compareSorted(double s, long a, int alen, double t, DirectBuffer b, int boff, int blen) {
        if (s < t) {
            return -1;
        }
        if (s > t) {
            return 1;
        }
        return compareMembers(a, alen, b, boff, blen);
    }

    /**
     * The offset (from {@code value}) of the first of the {@code count} packed sorted-set records that sorts
     * after (score {@code t}, member {@code e}): where such a member goes.
     */
    static int sortedInsertionPoint(long value, int count, double t, DirectBuffer e, int eoff, int elen,
                                    Cursor c) {
        long at = value + PACKED_HEADER;
        for (int i = 0; i < count; i++) {
            long next = c.next(at, true);
            if (compareSorted(score(c.payload), c.element, c.elementLength, t, e, eoff, elen) > 0) {
                return (int) (at - value);
            }
            at = next;
        }
        return (int) (at - value);
    }

    static long count(long value) {
        switch (encoding(value)) {
            case EntryType.ENCODING_TABLE:
                return ElementTable.count(table(value));
            case EntryType.ENCODING_INTSET:
                return intsetCount(value);
            default:
                return packedCount(value);
        }
    }

    // ---------------------------------------------------------------- intset

    static void initIntset(long value, int width) {
        UnsafeApi.putByte(value + ENCODING_OFFSET, EntryType.ENCODING_INTSET);
        UnsafeApi.putByte(value + INTSET_WIDTH_OFFSET, (byte) width);
        EntryLayout.putIntLittleEndian(value + INTSET_COUNT_OFFSET, 0);
    }

    static int intsetWidth(long value) {
        return UnsafeApi.getByte(value + INTSET_WIDTH_OFFSET);
    }

    static int intsetCount(long value) {
        return EntryLayout.getIntLittleEndian(value + INTSET_COUNT_OFFSET);
    }

    static void setIntsetCount(long value, int count) {
        EntryLayout.putIntLittleEndian(value + INTSET_COUNT_OFFSET, count);
    }

    static long intsetLength(int width, int count) {
        return INTSET_HEADER + (long) width * count;
    }

    /** The smallest intset width that holds {@code v}. */
    static int widthFor(long v) {
        if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            return 2;
        }
        return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? 4 : 8;
    }

    static long intsetGet(long value, int width, int i) {
        long at = value + INTSET_HEADER + (long) i * width;
        switch (width) {
            case 2:
                return (short) (UnsafeApi.getShort(at));
            case 4:
                return UnsafeApi.getInt(at);
            default:
                return UnsafeApi.getLong(at);
        }
    }

    static void intsetPut(long value, int width, int i, long v) {
        long at = value + INTSET_HEADER + (long) i * width;
        switch (width) {
            case 2:
                UnsafeApi.putShort(at, (short) v);
                break;
            case 4:
                UnsafeApi.putInt(at, (int) v);
                break;
            default:
                UnsafeApi.putLong(at, v);
                break;
        }
    }

    /** Binary search: the member's index, or -(insertion point) - 1 when absent. */
    static int intsetSearch(long value, long v) {
        int width = intsetWidth(value);
        int lo = 0;
        int hi = intsetCount(value) - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long m = intsetGet(value, width, mid);
            if (m < v) {
                lo = mid + 1;
            } else if (m > v) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    static int packedCount(long value) {
        return EntryLayout.getIntLittleEndian(value + COUNT_OFFSET);
    }

    static void setPackedCount(long value, int count) {
        EntryLayout.putIntLittleEndian(value + COUNT_OFFSET, count);
    }

    // ---------------------------------------------------------------- varints

    static int varintLength(int v) {
        int bits = 32 - Integer.numberOfLeadingZeros(v | 1);
        return (bits + 6) / 7;
    }

    static int putVarint(long at, int v) {
        int n = 0;
        while ((v & ~0x7F) != 0) {
            UnsafeApi.putByte(at + n++, (byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        UnsafeApi.putByte(at + n++, (byte) v);
        return n;
    }

    /** Reads a varint at {@code at}; the value goes to {@link Cursor#varint}, the return is its length. */
    static int getVarint(long at, Cursor into) {
        int v = 0;
        int shift = 0;
        int n = 0;
        byte b;
        do {
            b = UnsafeApi.getByte(at + n++);
            v |= (b & 0x7F) << shift;
            shift += 7;
        } while (b < 0);
        into.varint = v;
        return n;
    }

    /** Bytes of one packed element record. */
    static long recordLength(boolean payloads, int elen, int plen) {
        long n = varintLength(elen) + (long) elen;
        return payloads ? n + varintLength(plen) + plen : n;
    }

    /** Writes one packed element record at {@code at}; returns its length. */
    static int putRecord(long at, boolean payloads, DirectBuffer e, int eoff, int elen, DirectBuffer p, int poff,
                         int plen) {
        int n = putVarint(at, elen);
        EntryLayout.copyFrom(e, eoff, at + n, elen);
        n += elen;
        if (payloads) {
            n += putVarint(at + n, plen);
            EntryLayout.copyFrom(p, poff, at + n, plen);
            n += plen;
        }
        return n;
    }

    /**
     * Where a packed element record is: filled by {@link #next} and {@link #findPacked}. Offsets are
     * absolute addresses, valid while the shard is locked and unchanged.
     */
    static final class Cursor {
        int varint;
        long record;
        long element;
        int elementLength;
        long payload;
        int payloadLength;
        long end;

        /** Decodes the record at {@code at}; returns the address after it. */
        long next(long at, boolean payloads) {
            record = at;
            at += getVarint(at, this);
            elementLength = varint;
            element = at;
            at += elementLength;
            if (payloads) {
                at += getVarint(at, this);
                payloadLength = varint;
                payload = at;
                at += payloadLength;
            } else {
                payload = at;
                payloadLength = 0;
            }
            end = at;
            return at;
        }
    }

    /** Finds an element in a packed collection; true with {@code c} on its record. */
    static boolean findPacked(long value, boolean payloads, DirectBuffer e, int eoff, int elen, Cursor c) {
        int n = packedCount(value);
        long at = value + PACKED_HEADER;
        e.boundsCheck(eoff, elen);
        Object base = e.byteArray();
        long from = e.addressOffset() + eoff;
        for (int i = 0; i < n; i++) {
            at = c.next(at, payloads);
            if (c.elementLength == elen && EntryLayout.bytesEqual(c.element, base, from, elen)) {
                return true;
            }
        }
        return false;
    }
}
