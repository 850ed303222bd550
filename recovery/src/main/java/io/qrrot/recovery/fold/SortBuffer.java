package io.qrrot.recovery.fold;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.nio.ByteBuffer;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Changes gathered outside the heap, up to a fixed number of bytes, then sorted by key: one run of the
 * external sort. Changes are appended from the start of the buffer; their offsets (4 bytes each) from its
 * end, downwards, so one allocation holds both and the budget counts both:
 *
 * <pre>
 *   0                                                        capacity
 *   | change | change | ... |   (free)   | offset[n-1] ... offset[1] offset[0] |
 * </pre>
 *
 * <p>{@link #sorted()} sorts the offsets by key in {@link io.qrrot.recovery.snapshot.SnapshotOrder}, changes to
 * one key in the order they were added, and returns a cursor that folds each key's changes into one. The
 * buffer starts small and doubles up to its limit, so a small fold never allocates the whole budget. Nothing
 * is allocated per change. Single-threaded.
 */
final class SortBuffer implements AutoCloseable {
    private static final int INITIAL_CAPACITY = 1 << 20;
    private static final int INSERTION_SORT_MAX = 16;

    private final int maxCapacity;
    private ByteBuffer bytes;
    private final UnsafeBuffer buf = new UnsafeBuffer(new byte[0]);
    private int capacity;
    private int dataEnd;
    private int count;

    SortBuffer(int maxCapacity) {
        this.maxCapacity = maxCapacity;
    }

    /** True when a change with this key and value fits an empty buffer. */
    boolean fitsEmpty(int klen, int vlen) {
        return Change.length(klen, vlen) + Integer.BYTES <= maxCapacity;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Bytes the changes take (without their offsets). */
    long dataBytes() {
        return dataEnd;
    }

    /** Adds a change; false when the buffer is full (at its limit) and nothing was added. */
    boolean add(long hash, byte kind, byte type, DirectBuffer key, int koff, int klen,
                DirectBuffer value, int voff, int vlen, long expiry) {
        long need = Change.length(klen, vlen) + Integer.BYTES;
        while (dataEnd + need > (long) capacity - (long) Integer.BYTES * count) {
            if (capacity >= maxCapacity) {
                return false;
            }
            grow();
        }
        Change.write(buf, dataEnd, hash, kind, type, key, koff, klen, value, voff, vlen, expiry);
        count++;
        buf.putInt(indexAt(count - 1), dataEnd, LITTLE_ENDIAN);
        dataEnd += (int) (need - Integer.BYTES);
        return true;
    }

    /** Forgets every change; keeps the memory. */
    void clear() {
        dataEnd = 0;
        count = 0;
    }

    /**
     * Sorts the changes and returns a cursor over them, one folded change per key. Valid until the next
     * {@link #add}, {@link #clear} or {@link #close}.
     */
    ChangeCursor sorted() {
        sort(0, count);
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
        int next = capacity == 0 ? Math.min(INITIAL_CAPACITY, maxCapacity)
                : (int) Math.min(maxCapacity, 2L * capacity);
        ByteBuffer grown = ByteBuffer.allocateDirect(next);
        UnsafeBuffer g = new UnsafeBuffer(grown);
        if (count > 0) {
            g.putBytes(0, buf, 0, dataEnd);
            int indexBytes = Integer.BYTES * count;
            g.putBytes(next - indexBytes, buf, capacity - indexBytes, indexBytes);
        }
        if (bytes != null) {
            BufferUtil.free(bytes);
        }
        bytes = grown;
        buf.wrap(grown);
        capacity = next;
    }

    private int indexAt(int i) {
        return capacity - Integer.BYTES * (i + 1);
    }

    private int offset(int i) {
        return buf.getInt(indexAt(i), LITTLE_ENDIAN);
    }

    private void setOffset(int i, int offset) {
        buf.putInt(indexAt(i), offset, LITTLE_ENDIAN);
    }

    /** Key order, then the order of addition (offsets grow with it): a total order, so no sort needs stability. */
    private int compare(int offsetA, int offsetB) {
        int c = Change.compareKeys(buf, offsetA, buf, offsetB);
        return c != 0 ? c : Integer.compare(offsetA, offsetB);
    }

    /** Quicksort of entries [lo, hi) by {@link #compare}: median of three, insertion sort for short ranges. */
    private void sort(int lo, int hi) {
        while (hi - lo > INSERTION_SORT_MAX) {
            int mid = (lo + hi) >>> 1;
            // Order lo, mid, hi-1; the median (at mid) is then neither the smallest nor the largest entry.
            if (compare(offset(mid), offset(lo)) < 0) {
                swap(mid, lo);
            }
            if (compare(offset(hi - 1), offset(lo)) < 0) {
                swap(hi - 1, lo);
            }
            if (compare(offset(hi - 1), offset(mid)) < 0) {
                swap(hi - 1, mid);
            }
            int pivot = offset(mid);
            int i = lo - 1;
            int j = hi;
            while (true) {
                do {
                    i++;
                } while (compare(offset(i), pivot) < 0);
                do {
                    j--;
                } while (compare(offset(j), pivot) > 0);
                if (i >= j) {
                    break;
                }
                swap(i, j);
            }
            // [lo, j] and [j+1, hi): recurse into the smaller, loop on the larger, so the stack stays shallow.
            if (j + 1 - lo < hi - j - 1) {
                sort(lo, j + 1);
                lo = j + 1;
            } else {
                sort(j + 1, hi);
                hi = j + 1;
            }
        }
        for (int i = lo + 1; i < hi; i++) {
            int v = offset(i);
            int j = i - 1;
            while (j >= lo && compare(offset(j), v) > 0) {
                setOffset(j + 1, offset(j));
                j--;
            }
            setOffset(j + 1, v);
        }
    }

    private void swap(int i, int j) {
        int t = offset(i);
        setOffset(i, offset(j));
        setOffset(j, t);
    }

    /** The sorted changes, each key's run of changes folded into one. */
    private final class Cursor implements ChangeCursor {
        private final Change.Fold fold = new Change.Fold();
        private int next;

        @Override
        public boolean next() {
            if (next >= count) {
                return false;
            }
            fold.reset();
            int first = offset(next);
            fold.add(buf, first, Change.kind(buf, first), Change.expiry(buf, first));
            next++;
            while (next < count) {
                int o = offset(next);
                if (Change.compareKeys(buf, first, buf, o) != 0) {
                    break;
                }
                fold.add(buf, o, Change.kind(buf, o), Change.expiry(buf, o));
                next++;
            }
            return true;
        }

        @Override
        public DirectBuffer buffer() {
            return fold.buffer;
        }

        @Override
        public int at() {
            return fold.at;
        }

        @Override
        public byte kind() {
            return fold.kind;
        }

        @Override
        public long expiry() {
            return fold.expiry;
        }

        @Override
        public void close() {
        }
    }
}
