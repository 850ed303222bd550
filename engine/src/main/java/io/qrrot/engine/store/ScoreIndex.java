package io.qrrot.engine.store;

import org.agrona.DirectBuffer;

/**
 * The order of a large sorted set: its members by (score, member), with the rank of each, off the Java heap.
 * A member's bytes and score live in its {@link ElementTable} element block (the payload is the score, 8 bytes);
 * the index refers to that block and keeps the score beside the reference so that most comparisons read no
 * block. Named by the address of a header block that never changes. Not thread-safe: used under the shard's
 * lock.
 *
 * <p><b>Order.</b> By score ({@code <} on doubles: -0.0 and 0.0 are equal, NaN never occurs), then by member
 * bytes compared as unsigned bytes, a prefix before the longer member: Redis's skiplist order.
 *
 * <p>STUB: the contract only; the implementation is to come.
 */
final class ScoreIndex {
    private ScoreIndex() {
    }

    /** A new, empty index. @throws StoreMemoryException when the budget refuses (nothing allocated). */
    static long create(SlabAllocator alloc, MemoryBudget budget) {
        throw new UnsupportedOperationException("ScoreIndex");
    }

    /** Frees every block of the index, header included, and releases them from the budget. */
    static void free(long index, SlabAllocator alloc, MemoryBudget budget) {
        throw new UnsupportedOperationException("ScoreIndex");
    }

    /** Number of members. */
    static long count(long index) {
        throw new UnsupportedOperationException("ScoreIndex");
    }

    /** Bytes of every block of the index, header included, as the allocator counts them (blockBytesOf). */
    static long memoryBytes(long index) {
        throw new UnsupportedOperationException("ScoreIndex");
    }

    /**
     * Adds a member, which must be absent: {@code block} is its element block (a different block for each
     * member) and {@code score} the score it holds.
     *
     * @throws StoreMemoryException when the budget or the allocator refuses: the index is then unchanged
     */
    static void insert(long index, SlabAllocator alloc, MemoryBudget budget, double score, long block) {
        throw new UnsupportedOperationException("ScoreIndex");
    }

    /**
     * Removes the member whose element block is {@code block} and whose score is {@code score}; never fails for
     * lack of memory. @return false when it is not in the index
     */
    static boolean remove(long index, SlabAllocator alloc, MemoryBudget budget, double score, long block) {
        throw new UnsupportedOperationException("ScoreIndex");
    }

    /** The 0-based rank of the member (block) with this score, or -1 when absent. O(log n). */
    static long rank(long index, double score, long block) {
        throw new UnsupportedOperationException("ScoreIndex");
    }

    /** How many members have a score below {@code score} ({@code orEqual}: at most {@code score}). O(log n). */
    static long countBelow(long index, double score, boolean orEqual) {
        throw new UnsupportedOperationException("ScoreIndex");
    }

    /**
     * How many members sort before the member bytes {@code m} ({@code orEqual}: before or equal to), comparing
     * members only, as Redis's lexicographic ranges do: meaningful when every score is equal. O(log n).
     */
    static long countBelowLex(long index, DirectBuffer m, int off, int len, boolean orEqual) {
        throw new UnsupportedOperationException("ScoreIndex");
    }

    /** Checks every invariant (order, counts, links, memory); throws IllegalStateException naming the first broken. */
    static void verify(long index) {
        throw new UnsupportedOperationException("ScoreIndex");
    }

    /**
     * A position in an index: reusable, allocation-free. Valid until the index is next modified.
     */
    static final class Cursor {
        /** Moves to the member of rank {@code rank}; false (and no position) when out of [0, count). */
        boolean seek(long index, long rank) {
            throw new UnsupportedOperationException("ScoreIndex");
        }

        /** Moves to the next member in order; false at the end. */
        boolean next() {
            throw new UnsupportedOperationException("ScoreIndex");
        }

        /** Moves to the previous member in order; false at the start. */
        boolean prev() {
            throw new UnsupportedOperationException("ScoreIndex");
        }

        /** The score of the member at the position. */
        double score() {
            throw new UnsupportedOperationException("ScoreIndex");
        }

        /** The element block of the member at the position. */
        long block() {
            throw new UnsupportedOperationException("ScoreIndex");
        }
    }
}
