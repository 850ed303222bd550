package io.qrrot.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.agrona.concurrent.UnsafeBuffer;

/** One {@link ElementTable} with its own allocator and budget, and byte-array conveniences, for tests. */
final class ElementTableFixture implements AutoCloseable {
    final SlabAllocator alloc = new SlabAllocator();
    final MemoryBudget budget;
    final long table;
    private final UnsafeBuffer e = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer p = new UnsafeBuffer(0, 0);
    /** Set once the table's memory is gone (freed, or released with the allocator's slabs). */
    boolean freed;

    ElementTableFixture(long maxMemory, boolean payloads, int expected, long hashMask) {
        budget = new MemoryBudget(maxMemory);
        table = ElementTable.create(alloc, budget, payloads, expected, hashMask);
    }

    ElementTableFixture(boolean payloads) {
        this(0, payloads, 0, -1L);
    }

    static long hash(byte[] element) {
        return ElementTable.hash(new UnsafeBuffer(element), 0, element.length);
    }

    boolean put(byte[] element, byte[] payload) {
        e.wrap(element);
        if (payload.length == 0) {
            return ElementTable.put(table, alloc, budget, e, 0, element.length, hash(element), null, 0, 0);
        }
        p.wrap(payload);
        return ElementTable.put(table, alloc, budget, e, 0, element.length, hash(element), p, 0, payload.length);
    }

    /** The element's block, or 0. */
    long find(byte[] element) {
        e.wrap(element);
        return ElementTable.find(table, e, 0, element.length, hash(element));
    }

    /** A copy of the element's payload, or null when absent. */
    byte[] get(byte[] element) {
        long block = find(element);
        return block == 0 ? null : payload(block);
    }

    boolean remove(byte[] element) {
        e.wrap(element);
        return ElementTable.remove(table, alloc, budget, e, 0, element.length, hash(element));
    }

    int count() {
        return (int) ElementTable.count(table);
    }

    int capacityBits() {
        return ElementTable.capacityBits(table);
    }

    static byte[] element(long block) {
        return copy(ElementTable.elementAddress(block), ElementTable.elementLength(block));
    }

    static byte[] payload(long block) {
        return copy(ElementTable.payloadAddress(block), ElementTable.payloadLength(block));
    }

    static byte[] copy(long address, int length) {
        byte[] b = new byte[length];
        new UnsafeBuffer(address, length).getBytes(0, b);
        return b;
    }

    /**
     * Checks the table's structure and that its bytes, the budget and the allocator agree: this fixture's
     * allocator and budget hold nothing but this table.
     */
    void verify() {
        long[] blocks = new long[2];
        ElementTable.verify(table, blocks);
        alloc.verify(blocks[0], blocks[1]);
        assertEquals(ElementTable.memoryBytes(table), blocks[0] + blocks[1], "memoryBytes");
        assertEquals(ElementTable.memoryBytes(table), budget.used(), "budget");
        assertEquals(alloc.blockBytes(), budget.used(), "allocator block bytes");
    }

    /** Frees the table; the budget and the allocator must then hold nothing. */
    void free() {
        ElementTable.free(table, alloc, budget);
        freed = true;
        assertEquals(0, budget.used(), "budget after free");
        assertEquals(0, alloc.blockBytes(), "allocator after free");
        alloc.verify(0, 0);
    }

    @Override
    public void close() {
        if (!freed) {
            ElementTable.freeLargeBlocks(table, alloc);
        }
        alloc.releaseAll();
    }
}
