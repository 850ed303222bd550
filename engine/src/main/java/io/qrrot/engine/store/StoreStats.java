package io.qrrot.engine.store;

/**
 * Memory and entry counts of one shard or of the whole keyspace, filled by {@link Shard#addStatsTo} and
 * {@link Keyspace#stats}. A plain mutable holder so INFO can reuse one instance.
 *
 * <ul>
 *   <li><b>live bytes</b>: the exact bytes of live entries (header, expiry, key, value);</li>
 *   <li><b>block bytes</b>: the blocks handed out for them, rounded up to their size class, plus collision
 *   lists;</li>
 *   <li><b>allocated bytes</b>: off-heap memory obtained from the operating system (slabs and individually
 *   allocated large entries), including free blocks kept for reuse;</li>
 *   <li><b>index bytes</b>: the shards' hash index tables (on the Java heap);</li>
 *   <li><b>used memory</b> = block bytes + index bytes: what {@code maxmemory} is compared against;</li>
 *   <li><b>fragmentation bytes</b> = allocated bytes − live bytes: rounding, free blocks and unused slab
 *   tails.</li>
 * </ul>
 */
public final class StoreStats {
    long entries;
    final long[] typeCounts = new long[EntryType.COUNT];
    long liveBytes;
    long blockBytes;
    long allocatedBytes;
    long indexBytes;
    long maxMemoryBytes;

    /** Sets every counter to zero. */
    public StoreStats reset() {
        entries = 0;
        java.util.Arrays.fill(typeCounts, 0);
        liveBytes = 0;
        blockBytes = 0;
        allocatedBytes = 0;
        indexBytes = 0;
        maxMemoryBytes = 0;
        return this;
    }

    public long entries() {
        return entries;
    }

    /** Number of entries of one type ({@link EntryType#STRING}, {@link EntryType#INT}, {@link EntryType#JSON}). */
    public long entries(byte type) {
        return typeCounts[type];
    }

    public long liveBytes() {
        return liveBytes;
    }

    public long blockBytes() {
        return blockBytes;
    }

    public long allocatedBytes() {
        return allocatedBytes;
    }

    public long indexBytes() {
        return indexBytes;
    }

    /** Block bytes + index bytes: the figure {@code maxmemory} limits. */
    public long usedMemory() {
        return blockBytes + indexBytes;
    }

    /** Allocated off-heap bytes + index bytes: everything the store holds. */
    public long totalBytes() {
        return allocatedBytes + indexBytes;
    }

    /** Allocated bytes not holding live entry bytes. */
    public long fragmentationBytes() {
        return allocatedBytes - liveBytes;
    }

    /** Allocated bytes / live bytes (1.0 when empty). */
    public double fragmentationRatio() {
        return liveBytes == 0 ? 1.0 : (double) allocatedBytes / liveBytes;
    }

    /** The configured limit, 0 = unlimited (set by {@link Keyspace#stats}). */
    public long maxMemoryBytes() {
        return maxMemoryBytes;
    }

    @Override
    public String toString() {
        return "StoreStats{entries=" + entries + ", strings=" + typeCounts[EntryType.STRING] + ", ints="
                + typeCounts[EntryType.INT] + ", jsons=" + typeCounts[EntryType.JSON] + ", liveBytes=" + liveBytes
                + ", blockBytes=" + blockBytes + ", allocatedBytes=" + allocatedBytes + ", indexBytes=" + indexBytes
                + ", usedMemory=" + usedMemory() + ", maxMemoryBytes=" + maxMemoryBytes + '}';
    }
}
