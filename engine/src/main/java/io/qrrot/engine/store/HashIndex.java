package io.qrrot.engine.store;

import java.util.Arrays;

/**
 * A shard's index: an open-addressing table from a key's 64-bit hash to a non-zero value (the shard's tagged
 * entry address), in one {@code long[]} of (hash, value) pairs with linear probing; value 0 marks an empty
 * slot.
 *
 * <p><b>Home slots follow hash order.</b> The hash is already uniform, so a key's home slot is taken straight
 * from the hash bits just below the shard's bits (which are the same for every key of the shard), not from a
 * rehash of it. Keys inserted in ascending hash order (a hash-ordered snapshot being loaded) thus fill the
 * table front to back: one sequential stream the CPU prefetches, where a scrambled slot order costs a cache
 * miss per key once the table outgrows the caches. A hasher that is not uniform (tests force collisions)
 * makes probing slower, never wrong.
 *
 * <p><b>Invariants the shard's scan relies on</b> (as in any linear-probing table): every slot from an
 * entry's home slot to its slot is occupied; removal shifts later entries of a run back, never past their
 * home slot; growing doubles the capacity and rehashes, so {@link #capacity()} tells a scan that slots moved.
 *
 * <p>Not thread-safe: used under its shard's lock. Allocates only when it grows.
 */
final class HashIndex {
    static final int MIN_CAPACITY = 8;

    private final float loadFactor;
    /** Bits of the hash above the home bits: the shard's bits. */
    private final int shardBits;
    private long[] entries;
    private int capacityBits;
    private int mask;
    private int size;
    private int resizeThreshold;

    /**
     * @param initialCapacity slots wanted; rounded up to a power of two, at least {@link #MIN_CAPACITY}
     * @param shardBits       log2 of the shard count: the hash's top bits that choose the shard
     */
    HashIndex(int initialCapacity, float loadFactor, int shardBits) {
        this.loadFactor = loadFactor;
        this.shardBits = shardBits;
        allocate(Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, initialCapacity - 1)) << 1));
    }

    private void allocate(int capacity) {
        if (capacity > (1 << 30)) {
            throw new IllegalStateException("an index of more than 2^30 slots is not supported; use more shards");
        }
        entries = new long[2 * capacity];
        capacityBits = Integer.numberOfTrailingZeros(capacity);
        mask = capacity - 1;
        resizeThreshold = (int) (capacity * loadFactor);
    }

    /** Slots in the table (a power of two). */
    int capacity() {
        return mask + 1;
    }

    /** Keys in the table. */
    int size() {
        return size;
    }

    /** The insert that takes {@link #size()} past this doubles the capacity. */
    int resizeThreshold() {
        return resizeThreshold;
    }

    /**
     * The slot array: {@code entries[2 * slot]} holds a hash and {@code entries[2 * slot + 1]} its value, 0 for
     * an empty slot. Valid until the table is next modified; read only.
     */
    long[] entries() {
        return entries;
    }

    /** The slot a hash probes from. */
    int home(long hash) {
        return (int) ((hash << shardBits) >>> (64 - capacityBits));
    }

    /** The value stored for {@code hash}, or 0. */
    long get(long hash) {
        long[] e = entries;
        int m = mask;
        for (int i = home(hash); ; i = (i + 1) & m) {
            long v = e[2 * i + 1];
            if (v == 0 || e[2 * i] == hash) {
                return v;
            }
        }
    }

    /**
     * Stores {@code value} (not 0) for {@code hash}; grows the table when this insert takes the size past the
     * threshold.
     *
     * @return the value replaced, 0 when the hash was new
     */
    long put(long hash, long value) {
        if (value == 0) {
            throw new IllegalArgumentException("0 marks an empty slot and cannot be stored");
        }
        long[] e = entries;
        int m = mask;
        for (int i = home(hash); ; i = (i + 1) & m) {
            long v = e[2 * i + 1];
            if (v == 0) {
                e[2 * i] = hash;
                e[2 * i + 1] = value;
                if (++size > resizeThreshold) {
                    grow();
                }
                return 0;
            }
            if (e[2 * i] == hash) {
                e[2 * i + 1] = value;
                return v;
            }
        }
    }

    /**
     * Removes {@code hash}, shifting the rest of its run back so that no lookup meets a gap before its key.
     *
     * @return the value removed, 0 when the hash was absent
     */
    long remove(long hash) {
        long[] e = entries;
        int m = mask;
        int i = home(hash);
        while (true) {
            long v = e[2 * i + 1];
            if (v == 0) {
                return 0;
            }
            if (e[2 * i] == hash) {
                break;
            }
            i = (i + 1) & m;
        }
        long removed = e[2 * i + 1];
        size--;
        int hole = i;
        for (int j = (i + 1) & m; e[2 * j + 1] != 0; j = (j + 1) & m) {
            int h = home(e[2 * j]);
            // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
            boolean homeBetween = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j);
            if (!homeBetween) {
                e[2 * hole] = e[2 * j];
                e[2 * hole + 1] = e[2 * j + 1];
                hole = j;
            }
        }
        e[2 * hole] = 0;
        e[2 * hole + 1] = 0;
        return removed;
    }

    private void grow() {
        long[] old = entries;
        allocate(2 * capacity());
        long[] e = entries;
        int m = mask;
        for (int s = 0; s < old.length; s += 2) {
            long v = old[s + 1];
            if (v != 0) {
                int i = home(old[s]);
                while (e[2 * i + 1] != 0) {
                    i = (i + 1) & m;
                }
                e[2 * i] = old[s];
                e[2 * i + 1] = v;
            }
        }
    }

    /** Empties the table, keeping its capacity. */
    void clear() {
        Arrays.fill(entries, 0);
        size = 0;
    }
}
