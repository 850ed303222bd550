package io.qrrot.engine;

import io.qrrot.engine.store.KeyHasher;

/**
 * How an {@link Engine} is built. Immutable; start from {@link #defaults()} and change fields with the
 * {@code with…} methods.
 *
 * @param shards             keyspace shards, a power of two (default 64): more shards, less lock contention
 * @param maxMemoryBytes     used-memory limit past which commands flagged deny-oom are refused with Redis'
 *                           OOM error; 0 = none (default). Changeable at run time with
 *                           {@link Engine#setMaxMemory}
 * @param maxKeyBytes        largest key a write accepts (default 1 MiB)
 * @param maxValueBytes      largest value a write may produce (default 512 MiB, Redis' proto-max-bulk-len)
 * @param expectedKeys       presizes the index for this many keys so loading them never rehashes (default 0)
 * @param activeExpireBatch  entries one shard visit of {@link Engine#activeExpireCycle} examines at most
 *                           (default 64); the cycle's budget bounds the total
 * @param hasher             key hash function (default xxHash3); tests inject a weak one to force collisions
 * @param storeMemoryLimitBytes a hard limit inside the store, 0 = none (default). Not maxmemory: the store
 *                           refuses memory past it as it does when the operating system refuses, after the log
 *                           has accepted the effect, so the write fails stop (see {@link EffectLog#cannotApply}).
 *                           A test seam for that path
 */
public record EngineConfig(int shards, long maxMemoryBytes, long maxKeyBytes, long maxValueBytes, long expectedKeys,
                           int activeExpireBatch, KeyHasher hasher, long storeMemoryLimitBytes) {

    public static final long MIB = 1L << 20;

    public EngineConfig {
        if (shards < 1 || shards > (1 << 16) || Integer.bitCount(shards) != 1) {
            throw new IllegalArgumentException("shards must be a power of two between 1 and 65536, got " + shards);
        }
        if (maxMemoryBytes < 0) {
            throw new IllegalArgumentException("maxMemoryBytes must be >= 0 (0 = no limit), got " + maxMemoryBytes);
        }
        if (maxKeyBytes < 1 || maxKeyBytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("maxKeyBytes must be between 1 and 2^31-65, got " + maxKeyBytes);
        }
        if (maxValueBytes < 1 || maxValueBytes > Integer.MAX_VALUE - (1 << 20)) {
            throw new IllegalArgumentException("maxValueBytes must be between 1 and 2047 MiB, got " + maxValueBytes);
        }
        if (expectedKeys < 0) {
            throw new IllegalArgumentException("expectedKeys must be >= 0, got " + expectedKeys);
        }
        if (activeExpireBatch < 1) {
            throw new IllegalArgumentException("activeExpireBatch must be >= 1, got " + activeExpireBatch);
        }
        if (hasher == null) {
            throw new IllegalArgumentException("hasher must not be null");
        }
        if (storeMemoryLimitBytes < 0) {
            throw new IllegalArgumentException("storeMemoryLimitBytes must be >= 0 (0 = none), got "
                    + storeMemoryLimitBytes);
        }
    }

    public static EngineConfig defaults() {
        return new EngineConfig(64, 0, MIB, 512 * MIB, 0, 64, KeyHasher.XX3, 0);
    }

    public EngineConfig withShards(int v) {
        return new EngineConfig(v, maxMemoryBytes, maxKeyBytes, maxValueBytes, expectedKeys, activeExpireBatch, hasher,
                storeMemoryLimitBytes);
    }

    public EngineConfig withMaxMemoryBytes(long v) {
        return new EngineConfig(shards, v, maxKeyBytes, maxValueBytes, expectedKeys, activeExpireBatch, hasher,
                storeMemoryLimitBytes);
    }

    public EngineConfig withLimits(long maxKey, long maxValue) {
        return new EngineConfig(shards, maxMemoryBytes, maxKey, maxValue, expectedKeys, activeExpireBatch, hasher,
                storeMemoryLimitBytes);
    }

    public EngineConfig withExpectedKeys(long v) {
        return new EngineConfig(shards, maxMemoryBytes, maxKeyBytes, maxValueBytes, v, activeExpireBatch, hasher,
                storeMemoryLimitBytes);
    }

    public EngineConfig withActiveExpireBatch(int v) {
        return new EngineConfig(shards, maxMemoryBytes, maxKeyBytes, maxValueBytes, expectedKeys, v, hasher,
                storeMemoryLimitBytes);
    }

    public EngineConfig withHasher(KeyHasher v) {
        return new EngineConfig(shards, maxMemoryBytes, maxKeyBytes, maxValueBytes, expectedKeys, activeExpireBatch, v,
                storeMemoryLimitBytes);
    }

    public EngineConfig withStoreMemoryLimitBytes(long v) {
        return new EngineConfig(shards, maxMemoryBytes, maxKeyBytes, maxValueBytes, expectedKeys, activeExpireBatch,
                hasher, v);
    }
}
