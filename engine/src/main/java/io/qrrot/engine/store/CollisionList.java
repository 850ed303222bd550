package io.qrrot.engine.store;

import org.agrona.UnsafeApi;

/**
 * The off-heap list of entries whose keys share one 64-bit hash; the index then holds the list's address
 * with {@link #TAG} set instead of an entry address. With a 64-bit hash this is rare, so the list is plain:
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         count (int32)                         |
 *  +---------------------------------------------------------------+
 *  |                        capacity (int32)                       |
 *  +---------------------------------------------------------------+
 *  |               entry address 0 .. capacity-1 (int64)          ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Native byte order; the list lives only in memory. Order of entries is not kept (removal moves the last
 * one into the hole).
 */
final class CollisionList {
    /** Bit 0 of an index value marks a list; block addresses are 8-byte aligned so it is otherwise 0. */
    static final long TAG = 1L;
    static final int INITIAL_CAPACITY = 2;
    static final int COUNT_OFFSET = 0;
    static final int COUNT_LENGTH = 4;
    static final int CAPACITY_OFFSET = COUNT_OFFSET + COUNT_LENGTH;
    static final int CAPACITY_LENGTH = 4;
    static final int ENTRIES_OFFSET = CAPACITY_OFFSET + CAPACITY_LENGTH;

    private CollisionList() {
    }

    /** Bytes of a list with room for {@code capacity} entries. */
    static long length(int capacity) {
        return ENTRIES_OFFSET + 8L * capacity;
    }

    static void init(long list, int capacity) {
        UnsafeApi.putInt(list + COUNT_OFFSET, 0);
        UnsafeApi.putInt(list + CAPACITY_OFFSET, capacity);
    }

    static int count(long list) {
        return UnsafeApi.getInt(list + COUNT_OFFSET);
    }

    static int capacity(long list) {
        return UnsafeApi.getInt(list + CAPACITY_OFFSET);
    }

    static long entry(long list, int i) {
        return UnsafeApi.getLong(list + ENTRIES_OFFSET + 8L * i);
    }

    static void set(long list, int i, long address) {
        UnsafeApi.putLong(list + ENTRIES_OFFSET + 8L * i, address);
    }

    /** Appends an entry; the caller made sure there is room. */
    static void add(long list, long address) {
        int n = count(list);
        set(list, n, address);
        UnsafeApi.putInt(list + COUNT_OFFSET, n + 1);
    }

    /** Removes entry {@code i}, moving the last entry into its place. */
    static void removeAt(long list, int i) {
        int last = count(list) - 1;
        set(list, i, entry(list, last));
        UnsafeApi.putInt(list + COUNT_OFFSET, last);
    }

    /** Copies all entries of {@code from} into the empty, larger list {@code to}. */
    static void copyEntries(long from, long to) {
        int n = count(from);
        UnsafeApi.copyMemory(from + ENTRIES_OFFSET, to + ENTRIES_OFFSET, 8L * n);
        UnsafeApi.putInt(to + COUNT_OFFSET, n);
    }
}
