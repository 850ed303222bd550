package io.qrrot.recovery.fold;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.nio.ByteBuffer;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Changes gathered outside the heap, up to a fixed number of bytes, then sorted by key: one run of the
 * external sort. Changes are appended from the start of the buffer; their index entries (12 bytes each: the
 * key's order hash, then the change's offset) from its end, downwards, so one allocation holds both and the
 * budget counts both:
 *
 * <pre>
 *   0                                                                  capacity
 *   | change | change | ... |   (free)   | entry[n-1] ... entry[1] entry[0] |
 *   entry: | order hash (8) | offset of the change (4) |
 * </pre>
 *
 * <p>The sort first distributes the entries by the top bits of their hash into buckets (a counting sort, into
 * as much room again below the index, which {@link #add} keeps free), then sorts each bucket, of a few
 * entries, by the whole hash and, when hashes are equal, the keys. It reads a change only then: comparing
 * changes where they lie, scattered over the buffer, made the sort of a large buffer wait on memory for most
 * of its time.
 *
 * <pre>
 *   while adding:  | changes ... |  (free, at least as large as the index)  | index |
 *   after sorting: | changes ... |  (free)  | index sorted by bucket, then by key |  (old index) |
 * </pre>
 *
 * <p>{@link #sorted()} sorts the entries in {@link Change#compare} order (by key in
 * {@link io.qrrot.recovery.snapshot.SnapshotOrder}, a key's own changes before its elements', elements in the
 * same order of their bytes), changes to one key or element in the order they were added, and returns a cursor
 * that folds each key's own changes into one and each element's into its newest, dropping element changes
 * older than a reset of their key in the buffer. The
 * buffer is first allocated at the size its caller expects (at least 1 MiB, at most the budget) and doubles
 * up to the budget if more comes, so a small fold never allocates the whole budget. Nothing is allocated per
 * change. Single-threaded.
 */
final class SortBuffer implements AutoCloseable {
    private static final int INITIAL_CAPACITY = 1 << 20;
    private static final int INSERTION_SORT_MAX = 16;
    /** An index entry: order hash, offset. */
    private static final int ENTRY = Long.BYTES + Integer.BYTES;
    /** At most 2^16 buckets: about one entry each up to 65,536 entries, a few beyond. */
    private static final int MAX_BUCKET_BITS = 16;

    private final int maxCapacity;
    private final int initialCapacity;
    private ByteBuffer bytes;
    private final UnsafeBuffer buf = new UnsafeBuffer(new byte[0]);
    private int capacity;
    /** Where the index ends: the buffer's end while adding; the sorted copy's end after {@link #sorted}. */
    private int indexTop;
    private int[] bucketEnds;
    private int dataEnd;
    private int count;

    /**
     * @param maxCapacity     the budget: the buffer never grows past it
     * @param initialCapacity what to allocate first, when the caller knows about how much is coming: growing
     *                        copies, and the old and new buffer exist at once for a moment (with a 64 MiB
     *                        budget that was the peak of a compaction's memory)
     */
    SortBuffer(int maxCapacity, int initialCapacity) {
        this.maxCapacity = maxCapacity;
        this.initialCapacity = Math.max(Math.min(INITIAL_CAPACITY, maxCapacity),
                Math.min(initialCapacity, maxCapacity));
    }

    /** True when a change of this kind with this key, element and value fits an empty buffer. */
    boolean fitsEmpty(byte kind, int klen, int elen, int vlen) {
        return Change.length(kind, klen, elen, vlen) + 2 * ENTRY <= maxCapacity;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Adds a change; false when the buffer is full (at its limit) and nothing was added. */
    boolean add(long hash, byte kind, byte type, DirectBuffer key, int koff, int klen, long elementHash,
                DirectBuffer element, int eoff, int elen, DirectBuffer value, int voff, int vlen, long expiry,
                long sequence) {
        long length = Change.length(kind, klen, elen, vlen);
        while (dataEnd + length + 2L * ENTRY * (count + 1) > capacity) {
            if (capacity >= maxCapacity) {
                return false;
            }
            grow();
        }
        Change.write(buf, dataEnd, hash, kind, type, key, koff, klen, elementHash, element, eoff, elen, value, voff,
                vlen, expiry, sequence);
        count++;
        int e = entryAt(count - 1);
        buf.putLong(e, hash, LITTLE_ENDIAN);
        buf.putInt(e + Long.BYTES, dataEnd, LITTLE_ENDIAN);
        dataEnd += (int) length;
        return true;
    }

    /** Forgets every change; keeps the memory. */
    void clear() {
        dataEnd = 0;
        count = 0;
        indexTop = capacity;
    }

    /**
     * Sorts the changes and returns a cursor over them, one folded change per key. Valid until the next
     * {@link #add}, {@link #clear} or {@link #close}.
     */
    ChangeCursor sorted() {
        int bits = Math.max(1, Math.min(MAX_BUCKET_BITS, 32 - Integer.numberOfLeadingZeros(count)));
        int buckets = 1 << bits;
        if (bucketEnds == null || bucketEnds.length < buckets) {
            bucketEnds = new int[buckets];
        }
        int[] ends = bucketEnds;
        java.util.Arrays.fill(ends, 0, buckets, 0);
        int shift = Long.SIZE - bits;
        for (int i = 0; i < count; i++) {
            ends[(int) (hash(i) >>> shift)]++;
        }
        int sum = 0;
        for (int b = 0; b < buckets; b++) { // counts to starts
            int n = ends[b];
            ends[b] = sum;
            sum += n;
        }
        int scratchTop = indexTop - ENTRY * count;
        for (int i = 0; i < count; i++) {
            long h = hash(i);
            int to = scratchTop - ENTRY * (ends[(int) (h >>> shift)]++ + 1);
            buf.putLong(to, h, LITTLE_ENDIAN);
            buf.putInt(to + Long.BYTES, offset(i), LITTLE_ENDIAN);
        }
        indexTop = scratchTop; // starts became ends
        int lo = 0;
        for (int b = 0; b < buckets; b++) {
            int hi = ends[b];
            if (hi - lo > 1) {
                sort(lo, hi);
            }
            lo = hi;
        }
        return new Cursor();
    }

    @Override
    public void close() {
        if (bytes != null) {
            BufferUtil.free(bytes);
            bytes = null;
            buf.wrap(new byte[0]);
            capacity = 0;
        }
        clear();
    }

    private void grow() {
        int next = capacity == 0 ? initialCapacity
                : (int) Math.min(maxCapacity, 2L * capacity);
        ByteBuffer grown = ByteBuffer.allocateDirect(next);
        UnsafeBuffer g = new UnsafeBuffer(grown);
        if (count > 0) {
            g.putBytes(0, buf, 0, dataEnd);
            int indexBytes = ENTRY * count;
            g.putBytes(next - indexBytes, buf, capacity - indexBytes, indexBytes);
        }
        if (bytes != null) {
            BufferUtil.free(bytes);
        }
        bytes = grown;
        buf.wrap(grown);
        capacity = next;
        indexTop = next;
    }

    private int entryAt(int i) {
        return indexTop - ENTRY * (i + 1);
    }

    private long hash(int i) {
        return buf.getLong(entryAt(i), LITTLE_ENDIAN);
    }

    private int offset(int i) {
        return buf.getInt(entryAt(i) + Long.BYTES, LITTLE_ENDIAN);
    }

    /**
     * Entry i against entry j: {@link Change#compare} order (the key hashes in the index first), then the order
     * of addition (offsets grow with it). A total order, so no sort here needs to be stable.
     */
    private int compare(int i, int j) {
        int ei = entryAt(i);
        int ej = entryAt(j);
        int c = Long.compareUnsigned(buf.getLong(ei, LITTLE_ENDIAN), buf.getLong(ej, LITTLE_ENDIAN));
        if (c != 0) {
            return c;
        }
        int oi = buf.getInt(ei + Long.BYTES, LITTLE_ENDIAN);
        int oj = buf.getInt(ej + Long.BYTES, LITTLE_ENDIAN);
        c = Change.compare(buf, oi, buf, oj);
        return c != 0 ? c : Integer.compare(oi, oj);
    }

    /** Quicksort of entries [lo, hi) by {@link #compare}: median of three, insertion sort for short ranges. */
    private void sort(int lo, int hi) {
        while (hi - lo > INSERTION_SORT_MAX) {
            int mid = (lo + hi) >>> 1;
            // Order lo, mid, hi-1; the median (at mid) is then neither the smallest nor the largest entry. It
            // is kept in the last place of the range for the partition, which never moves it.
            if (compare(mid, lo) < 0) {
                swap(mid, lo);
            }
            if (compare(hi - 1, lo) < 0) {
                swap(hi - 1, lo);
            }
            if (compare(hi - 1, mid) < 0) {
                swap(hi - 1, mid);
            }
            swap(mid, hi - 2);
            int pivot = hi - 2;
            int i = lo;
            int j = hi - 2;
            while (true) {
                do {
                    i++;
                } while (compare(i, pivot) < 0);
                do {
                    j--;
                } while (compare(j, pivot) > 0);
                if (i >= j) {
                    break;
                }
                swap(i, j);
            }
            swap(i, hi - 2); // the pivot to its place: [lo, i) below it, (i, hi) above
            if (i - lo < hi - i - 1) {
                sort(lo, i);
                lo = i + 1;
            } else {
                sort(i + 1, hi);
                hi = i;
            }
        }
        for (int i = lo + 1; i < hi; i++) {
            for (int j = i; j > lo && compare(j, j - 1) < 0; j--) {
                swap(j, j - 1);
            }
        }
    }

    private void swap(int i, int j) {
        int ei = entryAt(i);
        int ej = entryAt(j);
        long h = buf.getLong(ei, LITTLE_ENDIAN);
        int o = buf.getInt(ei + Long.BYTES, LITTLE_ENDIAN);
        buf.putLong(ei, buf.getLong(ej, LITTLE_ENDIAN), LITTLE_ENDIAN);
        buf.putInt(ei + Long.BYTES, buf.getInt(ej + Long.BYTES, LITTLE_ENDIAN), LITTLE_ENDIAN);
        buf.putLong(ej, h, LITTLE_ENDIAN);
        buf.putInt(ej + Long.BYTES, o, LITTLE_ENDIAN);
    }

    /**
     * The sorted changes: each key's own changes folded into one, each element's into its newest. An element
     * change older than a PUT or DELETE of its key in this buffer is dropped: that reset superseded it.
     */
    private final class Cursor extends FoldedCursor {
        private int next;
        /** The last key fold that holds a reset: where its first change is, and the reset's sequence (0: none). */
        private int resetAt;
        private long resetSequence;

        @Override
        public boolean next() {
            while (next < count) {
                int first = offset(next);
                long hash = hash(next);
                next++;
                if (!Change.isElement(Change.kind(buf, first))) {
                    fold.reset();
                    fold.add(buf, first, Change.kind(buf, first), Change.expiry(buf, first),
                            Change.sequence(buf, first));
                    while (next < count) {
                        int o = offset(next);
                        // The hashes in the index first: reading the change itself costs a cache miss.
                        if (hash(next) != hash || Change.compare(buf, first, buf, o) != 0) {
                            break;
                        }
                        fold.add(buf, o, Change.kind(buf, o), Change.expiry(buf, o), Change.sequence(buf, o));
                        next++;
                    }
                    resetAt = first;
                    resetSequence = fold.sequence;
                    currentIsFold();
                    return true;
                }
                int newest = first;
                while (next < count) {
                    int o = offset(next);
                    if (hash(next) != hash || Change.compare(buf, first, buf, o) != 0) {
                        break;
                    }
                    newest = o;
                    next++;
                }
                if (Change.sequence(buf, newest) < resetSequence
                        && Change.compareKeys(buf, resetAt, buf, newest) == 0) {
                    continue; // older than its key's reset
                }
                currentIsElement(buf, newest);
                return true;
            }
            return false;
        }

        @Override
        public void close() {
        }
    }
}
