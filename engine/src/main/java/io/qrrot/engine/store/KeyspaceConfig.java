package io.qrrot.engine.store;

/**
 * Settings of a {@link Keyspace}, immutable. Start from {@link #defaults()} and change what you need:
 * {@code KeyspaceConfig.defaults().withMaxMemoryBytes(1L << 30).withExpectedKeys(10_000_000)}.
 */
public final class KeyspaceConfig {
    /** Default number of shards: enough that each shard's index stays small (a rehash copies one shard). */
    public static final int DEFAULT_SHARDS = 256;
    /** Default index load factor: the fraction of index slots that may be used before the index doubles. */
    public static final float DEFAULT_LOAD_FACTOR = 0.7f;

    private final int shards;
    private final long expectedKeys;
    private final float loadFactor;
    private final long maxMemoryBytes;
    private final KeyHasher hasher;

    private KeyspaceConfig(int shards, long expectedKeys, float loadFactor, long maxMemoryBytes, KeyHasher hasher) {
        if (shards < 1 || shards > (1 << 16) || Integer.bitCount(shards) != 1) {
            throw new IllegalArgumentException("shards must be a power of two between 1 and 65536, got " + shards);
        }
        if (expectedKeys < 0) {
            throw new IllegalArgumentException("expectedKeys must be >= 0, got " + expectedKeys);
        }
        if (!(loadFactor >= 0.1f && loadFactor <= 0.9f)) {
            throw new IllegalArgumentException("loadFactor must be between 0.1 and 0.9, got " + loadFactor);
        }
        if (maxMemoryBytes < 0) {
            throw new IllegalArgumentException("maxMemoryBytes must be >= 0 (0 = unlimited), got " + maxMemoryBytes);
        }
        if (hasher == null) {
            throw new IllegalArgumentException("hasher must not be null");
        }
        this.shards = shards;
        this.expectedKeys = expectedKeys;
        this.loadFactor = loadFactor;
        this.maxMemoryBytes = maxMemoryBytes;
        this.hasher = hasher;
    }

    /** 256 shards, no presizing, load factor 0.7, unlimited memory, xxHash3. */
    public static KeyspaceConfig defaults() {
        return new KeyspaceConfig(DEFAULT_SHARDS, 0, DEFAULT_LOAD_FACTOR, 0, KeyHasher.XX3);
    }

    /** Number of shards, a power of two (1 to 65536). */
    public KeyspaceConfig withShards(int shards) {
        return new KeyspaceConfig(shards, expectedKeys, loadFactor, maxMemoryBytes, hasher);
    }

    /** Presizes every shard's index for this many keys in total, so loading them never rehashes. */
    public KeyspaceConfig withExpectedKeys(long expectedKeys) {
        return new KeyspaceConfig(shards, expectedKeys, loadFactor, maxMemoryBytes, hasher);
    }

    /** Index load factor between 0.1 and 0.9. */
    public KeyspaceConfig withLoadFactor(float loadFactor) {
        return new KeyspaceConfig(shards, expectedKeys, loadFactor, maxMemoryBytes, hasher);
    }

    /**
     * Maximum used memory (entry blocks + index tables) in bytes; 0 = unlimited. A write that would exceed it
     * throws {@link StoreMemoryException} with Redis' {@code OOM} text and changes nothing.
     */
    public KeyspaceConfig withMaxMemoryBytes(long maxMemoryBytes) {
        return new KeyspaceConfig(shards, expectedKeys, loadFactor, maxMemoryBytes, hasher);
    }

    /** The key hash function; tests inject a weak one to force collisions. */
    public KeyspaceConfig withHasher(KeyHasher hasher) {
        return new KeyspaceConfig(shards, expectedKeys, loadFactor, maxMemoryBytes, hasher);
    }

    public int shards() {
        return shards;
    }

    public long expectedKeys() {
        return expectedKeys;
    }

    public float loadFactor() {
        return loadFactor;
    }

    public long maxMemoryBytes() {
        return maxMemoryBytes;
    }

    public KeyHasher hasher() {
        return hasher;
    }

    @Override
    public String toString() {
        return "KeyspaceConfig{shards=" + shards + ", expectedKeys=" + expectedKeys + ", loadFactor=" + loadFactor
                + ", maxMemoryBytes=" + maxMemoryBytes + ", hasher=" + hasher + '}';
    }
}
