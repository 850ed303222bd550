package io.qrrot.engine.store;

import org.agrona.DirectBuffer;

/**
 * The off-heap keyspace: a power-of-two number of {@link Shard}s, each with its own lock, hash index and
 * memory. A key's shard is chosen by its 64-bit hash, so single-key operations lock one shard and never a
 * global lock:
 *
 * <pre>{@code
 * long h = keyspace.hash(key, off, len);
 * Shard s = keyspace.shard(keyspace.shardIndex(h));
 * s.lock();
 * try {
 *     if (s.find(key, off, len, h, view)) { ... view.value() ... }
 * } finally {
 *     s.unlock();
 * }
 * }</pre>
 *
 * <p>Thread-safe: any number of threads may use it, each holding the locks of the shards it touches (in
 * ascending shard order when several). {@link #close()} must run when no other thread uses the keyspace.
 */
public final class Keyspace implements AutoCloseable {
    /** The shard index lives in bits 40 and up of a keyspace scan cursor; a shard cursor fits below. */
    private static final int SCAN_SHARD_SHIFT = 40;

    private final KeyspaceConfig config;
    private final Shard[] shards;
    /** 32 - log2(shards): {@link #shardIndex} shifts the hash's top half right by this. */
    private final int shardShift;
    private final KeyHasher hasher;
    private final MemoryBudget budget;
    private volatile boolean closed;

    public Keyspace(KeyspaceConfig config) {
        this.config = config;
        this.hasher = config.hasher();
        this.budget = new MemoryBudget(config.maxMemoryBytes());
        int n = config.shards();
        this.shards = new Shard[n];
        this.shardShift = 32 - Integer.numberOfTrailingZeros(n);
        int initialCapacity = initialShardCapacity(config.expectedKeys(), n, config.loadFactor());
        for (int i = 0; i < n; i++) {
            shards[i] = new Shard(i, Integer.numberOfTrailingZeros(n), budget, initialCapacity, config.loadFactor());
        }
    }

    /**
     * Index slots per shard so that {@code expectedKeys} spread over the shards never trigger a rehash: the
     * mean plus four standard deviations of a shard's share, divided by the load factor.
     */
    static int initialShardCapacity(long expectedKeys, int shards, float loadFactor) {
        if (expectedKeys == 0) {
            return 8;
        }
        double perShard = (double) expectedKeys / shards;
        double withMargin = perShard + 4 * Math.sqrt(perShard) + 8;
        double slots = Math.ceil(withMargin / loadFactor) + 1;
        if (slots > (1 << 30)) {
            throw new IllegalArgumentException("expectedKeys " + expectedKeys + " needs more than 2^30 index slots per shard;"
                    + " use more shards");
        }
        return (int) slots;
    }

    /** Index slots per shard that a keyspace presized for {@code expectedKeys} keys gives each shard. */
    public int shardCapacityFor(long expectedKeys) {
        return initialShardCapacity(expectedKeys, shards.length, config.loadFactor());
    }

    public KeyspaceConfig config() {
        return config;
    }

    public int shardCount() {
        return shards.length;
    }

    /** The 64-bit hash of a key, with the configured {@link KeyHasher}. Allocation-free. */
    public long hash(DirectBuffer key, int offset, int length) {
        return hasher.hash(key, offset, length);
    }

    /** The 64-bit hash of a key, with the configured {@link KeyHasher}. Allocation-free. */
    public long hash(byte[] key, int offset, int length) {
        return hasher.hash(key, offset, length);
    }

    /**
     * The index of the shard that holds keys with this hash: the hash's top log2(shards) bits. So keys in
     * ascending (unsigned) hash order come shard by shard, whatever the shard count: a loader fed in that
     * order fills one shard at a time. The index inside a shard takes its home slot from the bits just below
     * the shard's ({@code HashIndex}), which the shard's keys do not share.
     */
    public int shardIndex(long hash) {
        // Two shifts, so that one shard (0 bits) gives 0: a long shift by 64 would shift by 0.
        return (int) ((hash >>> 32) >>> shardShift);
    }

    public Shard shard(int index) {
        return shards[index];
    }

    /** Shortcut for {@code shard(shardIndex(hash))}. */
    public Shard shardFor(long hash) {
        return shards[shardIndex(hash)];
    }

    /**
     * Used memory (entry blocks + index tables) of all shards, as limited by {@code maxmemory}. Read without
     * locks: exact when no write is in progress.
     */
    public long usedMemory() {
        return budget.used();
    }

    /** The configured maximum memory in bytes, 0 = unlimited. */
    public long maxMemory() {
        return budget.max();
    }

    /** Total number of entries, locking each shard in turn. */
    public long size() {
        long total = 0;
        for (Shard shard : shards) {
            shard.lock();
            try {
                total += shard.size();
            } finally {
                shard.unlock();
            }
        }
        return total;
    }

    /** Resets {@code into} and fills it with the totals of all shards, locking each shard in turn. */
    public StoreStats stats(StoreStats into) {
        into.reset();
        for (Shard shard : shards) {
            shard.lock();
            try {
                shard.addStatsTo(into);
            } finally {
                shard.unlock();
            }
        }
        into.maxMemoryBytes = budget.max();
        return into;
    }

    /**
     * Scans the whole keyspace one shard at a time, locking the shard being scanned (do not hold any shard
     * lock when calling this). Same guarantee and {@code count} meaning as {@link Shard#scan}; the cursor
     * carries the shard index in its high bits. Start with 0; 0 is returned when the scan is complete.
     */
    public long scan(long cursor, int count, EntryVisitor visitor) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, got " + count);
        }
        long shardIndex = cursor >>> SCAN_SHARD_SHIFT;
        long shardCursor = cursor & ((1L << SCAN_SHARD_SHIFT) - 1);
        if (shardIndex >= shards.length) {
            throw new IllegalArgumentException("invalid scan cursor " + cursor + ": no shard " + shardIndex);
        }
        int remaining = count;
        while (true) {
            Shard shard = shards[(int) shardIndex];
            shard.lock();
            try {
                shardCursor = shard.scan(shardCursor, remaining, visitor);
                remaining -= shard.lastScanVisited();
            } finally {
                shard.unlock();
            }
            if (shardCursor != 0) {
                return (shardIndex << SCAN_SHARD_SHIFT) | shardCursor;
            }
            shardIndex++;
            if (shardIndex == shards.length) {
                return 0;
            }
            if (remaining <= 0) {
                return shardIndex << SCAN_SHARD_SHIFT;
            }
        }
    }

    /**
     * Recounts every shard (see {@link Shard}) and checks the keyspace-wide used memory against the sum.
     * Walks everything, locking each shard in turn: for tests and diagnostics, with no writers running.
     *
     * @throws IllegalStateException naming the counter that is off
     */
    public void verify() {
        long used = 0;
        StoreStats stats = new StoreStats();
        for (Shard shard : shards) {
            shard.lock();
            try {
                shard.verify();
                stats.reset();
                shard.addStatsTo(stats);
                used += stats.usedMemory();
            } finally {
                shard.unlock();
            }
        }
        if (used != budget.used()) {
            throw new IllegalStateException("used memory is recorded as " + budget.used() + " bytes but the shards hold "
                    + used);
        }
    }

    /** Removes every entry of every shard, locking each shard in turn. */
    public void clear() {
        for (Shard shard : shards) {
            shard.lock();
            try {
                shard.clear();
            } finally {
                shard.unlock();
            }
        }
    }

    /** Frees all off-heap memory. The keyspace must not be used afterwards. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Shard shard : shards) {
            shard.lock();
            try {
                shard.close();
            } finally {
                shard.unlock();
            }
        }
    }
}
