package io.qrrot.engine.store;

import org.agrona.UnsafeApi;

/**
 * A shard's index: an open-addressing table from a key's 64-bit hash to a non-zero value (the shard's tagged
 * entry address), in one off-heap array of 16-byte (hash, value) slots with linear probing; value 0 marks an
 * empty slot. Off the Java heap like the entries, so a large index costs the garbage collector nothing (a
 * heap array of this size is copied by every young collection that finds it) and is allocated and freed
 * with the shard.
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
 * <p>Not thread-safe: used under its shard's lock. Allocates only when it grows; {@link #free()} gives the
 * memory back (the shard calls it when it clears or closes).
 */
final class HashIndex {
    static final int MIN_CAPACITY = 8;

    private final float loadFactor;
    /** Bits of the hash above the home bits: the shard's bits. */
    private final int shardBits;
    private static final int SLOT_SHIFT = 4;
    /** Address of slot 0; 0 once freed. */
    private long base;
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

    /** Points the index at a new zeroed table; on failure nothing changes. */
    private void allocate(long capacity) {
        if (capacity > (1 << 30)) {
            throw new IllegalStateException("an index of more than 2^30 slots is not supported; use more shards");
        }
        long bytes = capacity << SLOT_SHIFT;
        try {
            base = UnsafeApi.allocateMemory(bytes);
        } catch (OutOfMemoryError e) {
            throw StoreMemoryException.nativeAllocationFailed(bytes, e);
        }
        UnsafeApi.setMemory(base, bytes, (byte) 0);
        capacityBits = Long.numberOfTrailingZeros(capacity);
        mask = (int) capacity - 1;
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

    /** The hash in a slot (0 when the slot is empty). */
    long hashAt(int slot) {
        return UnsafeApi.getLong(base + ((long) slot << SLOT_SHIFT));
    }

    /** The value in a slot, 0 when the slot is empty. */
    long valueAt(int slot) {
        return UnsafeApi.getLong(base + ((long) slot << SLOT_SHIFT) + 8);
    }

    private void set(int slot, long hash, long value) {
        long at = base + ((long) slot << SLOT_SHIFT);
        UnsafeApi.putLong(at, hash);
        UnsafeApi.putLong(at + 8, value);
    }

    /** The slot a hash probes from. */
    int home(long hash) {
        return (int) ((hash << shardBits) >>> (64 - capacityBits));
    }

    /** The value stored for {@code hash}, or 0. */
    long get(long hash) {
        int m = mask;
        for (int i = home(hash); ; i = (i + 1) & m) {
            long v = valueAt(i);
            if (v == 0 || hashAt(i) == hash) {
                return v;
            }
        }
    }

    /**
     * Stores {@code value} (not 0) for {@code hash}. An insert that would take the size past the threshold
     * first doubles the table, so a failed allocation ({@link StoreMemoryException}) leaves the index as it
     * was and the caller can undo its own part.
     *
     * @return the value replaced, 0 when the hash was new
     */
    long put(long hash, long value) {
        if (value == 0) {
            throw new IllegalArgumentException("0 marks an empty slot and cannot be stored");
        }
        int m = mask;
        for (int i = home(hash); ; i = (i + 1) & m) {
            long v = valueAt(i);
            if (v == 0) {
                if (size + 1 > resizeThreshold) {
                    grow();
                    return put(hash, value);
                }
                set(i, hash, value);
                size++;
                return 0;
            }
            if (hashAt(i) == hash) {
                set(i, hash, value);
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
        int m = mask;
        int i = home(hash);
        while (true) {
            long v = valueAt(i);
            if (v == 0) {
                return 0;
            }
            if (hashAt(i) == hash) {
                break;
            }
            i = (i + 1) & m;
        }
        long removed = valueAt(i);
        size--;
        int hole = i;
        for (int j = (i + 1) & m; valueAt(j) != 0; j = (j + 1) & m) {
            long h = hashAt(j);
            int home = home(h);
            // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
            boolean homeBetween = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!homeBetween) {
                set(hole, h, valueAt(j));
                hole = j;
            }
        }
        set(hole, 0, 0);
        return removed;
    }

    private void grow() {
        long oldBase = base;
        int oldCapacity = capacity();
        allocate(2L * oldCapacity);
        int m = mask;
        for (int s = 0; s < oldCapacity; s++) {
            long at = oldBase + ((long) s << SLOT_SHIFT);
            long v = UnsafeApi.getLong(at + 8);
            if (v != 0) {
                long h = UnsafeApi.getLong(at);
                int i = home(h);
                while (valueAt(i) != 0) {
                    i = (i + 1) & m;
                }
                set(i, h, v);
            }
        }
        UnsafeApi.freeMemory(oldBase);
    }

    /** Gives the memory back; the index must not be used afterwards. Idempotent. */
    void free() {
        if (base != 0) {
            UnsafeApi.freeMemory(base);
            base = 0;
            size = 0;
        }
    }
}
