package io.qrrot.engine.store;

import org.agrona.UnsafeApi;

/**
 * A public handle on one package-private {@link ScoreIndex} for the benchmarks in {@code io.qrrot.bench.store},
 * under the engine's package name as {@link ElementTableHarness} is. It owns the index (its own allocator and an
 * unlimited budget, like a shard's) and {@code members} element blocks in one off-heap region: member i is 8
 * bytes, i big-endian, in the element block format. Not thread-safe.
 */
public final class ScoreIndexHarness implements AutoCloseable {
    private final SlabAllocator alloc = new SlabAllocator();
    private final MemoryBudget budget = new MemoryBudget(0);
    private final long index;
    private final long region;
    private final long blocks;
    private final ScoreIndex.Cursor cursor = new ScoreIndex.Cursor();
    private boolean closed;

    public ScoreIndexHarness(int members) {
        index = ScoreIndex.create(alloc, budget);
        region = UnsafeApi.allocateMemory(16L * members + 16);
        blocks = (region + 15) & ~15L;
        for (int i = 0; i < members; i++) {
            long b = block(i);
            UnsafeApi.putByte(b, (byte) (8 << 1));
            UnsafeApi.putLong(b + 1, Long.reverseBytes(i));
        }
    }

    /** The element block of member i. */
    public long block(int i) {
        return blocks + 16L * i;
    }

    public void insert(double score, long block) {
        ScoreIndex.insert(index, alloc, budget, score, block);
    }

    public boolean remove(double score, long block) {
        return ScoreIndex.remove(index, alloc, budget, score, block);
    }

    public long rank(double score, long block) {
        return ScoreIndex.rank(index, score, block);
    }

    public long countBelow(double score, boolean orEqual) {
        return ScoreIndex.countBelow(index, score, orEqual);
    }

    /** Seeks the harness's cursor and returns the block there (0 when out of range). */
    public long seek(long rank) {
        return cursor.seek(index, rank) ? cursor.block() : 0;
    }

    public long count() {
        return ScoreIndex.count(index);
    }

    public long memoryBytes() {
        return ScoreIndex.memoryBytes(index);
    }

    public int height() {
        return ScoreIndex.height(index);
    }

    public void verify() {
        ScoreIndex.verify(index);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ScoreIndex.free(index, alloc, budget);
            alloc.releaseAll();
            UnsafeApi.freeMemory(region);
        }
    }
}
