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
    private final KeyspaceConfig config;

    public Keyspace(KeyspaceConfig config) {
        this.config = config;
        throw new UnsupportedOperationException("not implemented yet");
    }

    public KeyspaceConfig config() {
        return config;
    }

    public int shardCount() {
        return config.shards();
    }

    /** The 64-bit hash of a key, with the configured {@link KeyHasher}. Allocation-free. */
    public long hash(DirectBuffer key, int offset, int length) {
        return config.hasher().hash(key, offset, length);
    }

    /** The 64-bit hash of a key, with the configured {@link KeyHasher}. Allocation-free. */
    public long hash(byte[] key, int offset, int length) {
        return config.hasher().hash(key, offset, length);
    }

    /** The index of the shard that holds keys with this hash. */
    public int shardIndex(long hash) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public Shard shard(int index) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Shortcut for {@code shard(shardIndex(hash))}. */
    public Shard shardFor(long hash) {
        return shard(shardIndex(hash));
    }

    /**
     * Used memory (entry blocks + index tables) of all shards, as limited by {@code maxmemory}. Read without
     * locks: exact when no write is in progress.
     */
    public long usedMemory() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** The configured maximum memory in bytes, 0 = unlimited. */
    public long maxMemory() {
        return config.maxMemoryBytes();
    }

    /** Total number of entries, locking each shard in turn. */
    public long size() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Resets {@code into} and fills it with the totals of all shards, locking each shard in turn. */
    public StoreStats stats(StoreStats into) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Scans the whole keyspace one shard at a time, locking the shard being scanned (do not hold any shard
     * lock when calling this). Same guarantee and {@code count} meaning as {@link Shard#scan}; the cursor
     * carries the shard index in its high bits. Start with 0; 0 is returned when the scan is complete.
     */
    public long scan(long cursor, int count, EntryVisitor visitor) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Removes every entry of every shard, locking each shard in turn. */
    public void clear() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Frees all off-heap memory. The keyspace must not be used afterwards. Idempotent. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
