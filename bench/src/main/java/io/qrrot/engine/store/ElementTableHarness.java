package io.qrrot.engine.store;

import org.agrona.DirectBuffer;

/**
 * A public handle on one package-private {@link ElementTable} for the benchmarks in {@code io.qrrot.bench.store}.
 * It lives in the bench module under the engine's package name (there is no module system and the benchmarks run
 * from one class path), so that the engine does not widen its API for benchmarking. The table has its own
 * allocator and an unlimited budget, like a shard's; each method forwards to a static call the JIT inlines. Not
 * thread-safe: a benchmark state of {@code Scope.Benchmark} used by one thread.
 */
public final class ElementTableHarness implements AutoCloseable {
    private final SlabAllocator alloc = new SlabAllocator();
    private final MemoryBudget budget = new MemoryBudget(0);
    private final long table;
    private boolean closed;

    /**
     * @param payloads true for a hash, false for set members
     * @param expected elements to presize for (0: start small and grow by doubling)
     */
    public ElementTableHarness(boolean payloads, int expected) {
        table = ElementTable.create(alloc, budget, payloads, expected);
    }

    public static long hash(DirectBuffer element, int offset, int length) {
        return ElementTable.hash(element, offset, length);
    }

    /** Inserts or replaces; true when the element is new. */
    public boolean put(DirectBuffer e, int eoff, int elen, long hash, DirectBuffer p, int poff, int plen) {
        return ElementTable.put(table, alloc, budget, e, eoff, elen, hash, p, poff, plen);
    }

    /** The element's block, 0 when absent. */
    public long find(DirectBuffer e, int eoff, int elen, long hash) {
        return ElementTable.find(table, e, eoff, elen, hash);
    }

    public boolean remove(DirectBuffer e, int eoff, int elen, long hash) {
        return ElementTable.remove(table, alloc, budget, e, eoff, elen, hash);
    }

    public static long payloadAddress(long block) {
        return ElementTable.payloadAddress(block);
    }

    public static int payloadLength(long block) {
        return ElementTable.payloadLength(block);
    }

    public long count() {
        return ElementTable.count(table);
    }

    /** Header, slot array and element blocks, as block bytes. */
    public long memoryBytes() {
        return ElementTable.memoryBytes(table);
    }

    /** Bytes the allocator took from the operating system (slabs and large blocks). */
    public long allocatedBytes() {
        return alloc.allocatedBytes();
    }

    public int capacityBits() {
        return ElementTable.capacityBits(table);
    }

    /** Checks the table and the allocator's accounting (slow: rehashes every element). */
    public void verify() {
        long[] blocks = new long[2];
        ElementTable.verify(table, blocks);
        alloc.verify(blocks[0], blocks[1]);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ElementTable.free(table, alloc, budget);
            alloc.releaseAll();
        }
    }
}
