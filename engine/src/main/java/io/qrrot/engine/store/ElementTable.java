package io.qrrot.engine.store;

import org.agrona.DirectBuffer;

// Interim placeholder (not committed): replaced by the real table.
final class ElementTable {
    static long create(SlabAllocator alloc, MemoryBudget budget, boolean payloads, int expected) { throw new UnsupportedOperationException(); }
    static long count(long table) { throw new UnsupportedOperationException(); }
    static long hash(DirectBuffer b, int off, int len) { throw new UnsupportedOperationException(); }
    static long find(long table, DirectBuffer e, int eoff, int elen, long h) { throw new UnsupportedOperationException(); }
    static boolean put(long table, SlabAllocator alloc, MemoryBudget budget, DirectBuffer e, int eoff, int elen, long h, DirectBuffer p, int poff, int plen) { throw new UnsupportedOperationException(); }
    static boolean remove(long table, SlabAllocator alloc, MemoryBudget budget, DirectBuffer e, int eoff, int elen, long h) { throw new UnsupportedOperationException(); }
    static void free(long table, SlabAllocator alloc, MemoryBudget budget) { throw new UnsupportedOperationException(); }
    static void freeLargeBlocks(long table, SlabAllocator alloc) { throw new UnsupportedOperationException(); }
    static long elementAddress(long block) { throw new UnsupportedOperationException(); }
    static int elementLength(long block) { throw new UnsupportedOperationException(); }
    static long payloadAddress(long block) { throw new UnsupportedOperationException(); }
    static int payloadLength(long block) { throw new UnsupportedOperationException(); }
    static int capacity(long table) { throw new UnsupportedOperationException(); }
    static long blockAt(long table, int slot) { throw new UnsupportedOperationException(); }
    static long randomBlock(long table, long random) { throw new UnsupportedOperationException(); }
    static long memoryBytes(long table) { throw new UnsupportedOperationException(); }
    static void verify(long table, long[] into) { throw new UnsupportedOperationException(); }
    interface BlockVisitor { void visit(long block); }
    static long scan(long table, long cursor, int count, BlockVisitor v) { throw new UnsupportedOperationException(); }
}
