package io.qrrot.engine.store;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

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
 * <p><b>Structure.</b> An order-statistic B+tree. The leaves hold the entries, (score, element block) pairs,
 * in order, and are linked both ways for cursors. An inner node holds its children with the number of
 * members under each (so a rank is the sum of the counts left of the path plus the position in the leaf, and
 * seeking a rank descends by the counts) and, between two children, a key: the smallest entry of the right
 * one, exactly (a key never names a removed member, whose block the caller frees: removing a subtree's
 * smallest member renames the key after its successor). Every node, leaf or inner, is one 1024-byte block.
 * Native byte order: an index lives only in memory.
 *
 * <p><b>Header</b> (one 160-byte block; the path is scratch that insert and remove fill as they descend and
 * read back on the way up, so that neither allocates):
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 root node address (int64) ...                 |
 *  +---------------------------------------------------------------+
 *  |                  ... root node address                        |
 *  +---------------------------------------------------------------+
 *  |                member count (int64) ...                       |
 *  +---------------------------------------------------------------+
 *  |                  ... member count                             |
 *  +---------------------------------------------------------------+
 *  |      block bytes (int64): header + nodes, for memoryBytes ... |
 *  +---------------------------------------------------------------+
 *  |                  ... block bytes                              |
 *  +---------------------------------------------------------------+
 *  |     height (int32): inner levels above the leaves, 0..16      |
 *  +---------------------------------------------------------------+
 *  |                          (unused)                             |
 *  +---------------------------------------------------------------+
 *  |  path[16] (int64 each): child index (16 b) | node address     |
 *  |  (48 b) of each inner level of the last descent ...           |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p><b>Leaf</b> (1024 bytes: a 16-byte header and 63 entries of 16 bytes; the entry count rides in the top
 * 16 bits of the next link, as addresses are below 2^48):
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |        previous leaf address (int64; 0 for the first) ...     |
 *  +---------------------------------------------------------------+
 *  |                  ... previous leaf address                    |
 *  +---------------------------------------------------------------+
 *  |        next leaf address (low 48 bits; 0 for the last) ...    |
 *  +-------------------------------+-------------------------------+
 *  |    ... next leaf address      |   entry count (16 b, 0..63)   |
 *  +-------------------------------+-------------------------------+
 *  |        entry 0: score (float64) ...                           |
 *  +---------------------------------------------------------------+
 *  |                  ... score                                    |
 *  +---------------------------------------------------------------+
 *  |        entry 0: element block address (int64) ...            |
 *  +---------------------------------------------------------------+
 *  |                  ... element block address                    |
 *  +---------------------------------------------------------------+
 *  |        entries 1 to 62, 16 bytes each, in order               |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p><b>Inner node</b> (1016 of its 1024 bytes used): up to 32 children, each with the members under it, and
 * the 31 keys between them, key k being the smallest entry under child k + 1:
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 child count (int32, 2..32)                    |
 *  +---------------------------------------------------------------+
 *  |                          (unused)                             |
 *  +---------------------------------------------------------------+
 *  |        children[32]: node addresses (int64 each), 256 bytes   |
 *  +---------------------------------------------------------------+
 *  |        counts[32]: members under each child (int64 each)      |
 *  +---------------------------------------------------------------+
 *  |        keys[31]: (score float64, element block int64),        |
 *  |        16 bytes each, 496 bytes                               |
 *  +---------------------------------------------------------------+
 *  |                       (unused, 8 bytes)                       |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p><b>Why this layout.</b> The entry is what the contract needs and no more: the score, so that comparing
 * two members of different scores reads no element block, and the block, whose bytes decide only between
 * equal scores (and which a rank or range reply needs anyway). A skiplist as Redis keeps it costs a node of
 * about 40 to 60 bytes per member plus its dict entry; a B+tree leaf costs the entry, 16 bytes, divided by how
 * full the leaf is. The leaf is 1024 bytes, a size class of the allocator with no rounding, large enough that
 * its 16-byte header is 1.6% of it and that inner nodes are 1/25 to 1/60 of the leaves, small enough that
 * shifting half a leaf on insert (about 500 bytes) costs less than the cache misses of the descent. Inner
 * nodes are the same size so that both come from one size class: a set that shrinks and grows reuses them.
 * Measured with 1M members (ScoreIndexTest prints it): 16.8 bytes per member loaded in ascending order (full
 * leaves) and 20.0 in random order (random inserts into a plain B+tree fill leaves to about 69%: 24 bytes); a
 * set that then loses every other member keeps half-full leaves, 26 to 34 bytes per member left.
 * Three rules get there: (1) a full leaf first moves some entries to a sibling under the same parent that has
 * room (as a B*-tree does) and splits only when both are full; (2) a full last leaf that gets an entry after
 * its last one keeps its 63 entries and starts a new leaf with the one entry (an ascending load, the common
 * case of timestamps and counters, fills leaves completely; a full last inner node likewise keeps 31 children
 * and gives the new one and its last to a new node); (3) removals keep every leaf other than the root at
 * least half full (31) and every inner node at least half full (16 children) by merging with or evening out
 * with a sibling, so a set that shrinks gives its blocks back. The last node of each level is the exception
 * rule 2 makes: at least 1 entry, or 2 children. The height is at most 8 for 2^31 members; the path has room
 * for 16.
 *
 * <p><b>Costs.</b> Insert, remove, rank, countBelow, countBelowLex and seek descend one node per level
 * (height 4 for 1M members) with a binary search in each, then shift within a leaf: O(log n). A split or merge
 * touches one node per level at most. A cursor steps along the leaf links in O(1).
 *
 * <p><b>Memory.</b> Every block comes from the shard's allocator and is reserved in the {@link MemoryBudget}
 * first. An insert that splits reserves and allocates every node its splits need (one per full level, and a
 * new root) before it changes anything, so a refusal ({@link StoreMemoryException}) leaves the index exactly
 * as it was. Removing only frees blocks and never fails. Nothing allocates on the Java heap.
 */
final class ScoreIndex {
    // Header fields.
    static final int ROOT_OFFSET = 0;
    static final int COUNT_OFFSET = 8;
    static final int BYTES_OFFSET = 16;
    static final int HEIGHT_OFFSET = 24;
    static final int PATH_OFFSET = 32;
    /** Inner levels the path scratch has room for; 2^31 members need at most 8. */
    static final int MAX_HEIGHT = 16;
    static final int HEADER_LENGTH = PATH_OFFSET + 8 * MAX_HEIGHT;

    /** Every node, leaf or inner, is one block of this many bytes (a size class of the allocator). */
    static final int NODE_LENGTH = 1024;

    // Leaf fields.
    static final int LEAF_PREV_OFFSET = 0;
    static final int LEAF_NEXT_OFFSET = 8;
    static final int LEAF_ENTRIES_OFFSET = 16;
    static final int ENTRY_LENGTH = 16;
    static final int LEAF_CAPACITY = (NODE_LENGTH - LEAF_ENTRIES_OFFSET) / ENTRY_LENGTH;
    /** A leaf other than the root (and the last leaf after an appending split) holds at least this many. */
    static final int LEAF_MIN = LEAF_CAPACITY / 2;

    // Inner fields.
    static final int INNER_COUNT_OFFSET = 0;
    static final int INNER_CAPACITY = 32;
    static final int CHILDREN_OFFSET = 8;
    static final int COUNTS_OFFSET = CHILDREN_OFFSET + 8 * INNER_CAPACITY;
    static final int KEYS_OFFSET = COUNTS_OFFSET + 8 * INNER_CAPACITY;
    static final int INNER_LENGTH = KEYS_OFFSET + ENTRY_LENGTH * (INNER_CAPACITY - 1);
    /** An inner node other than the root (and the last of its level after an appending split) has this many. */
    static final int INNER_MIN = INNER_CAPACITY / 2;

    private static final long ADDRESS_MASK = (1L << 48) - 1;
    private static final long HEADER_BLOCK_BYTES = SlabAllocator.blockBytesFor(HEADER_LENGTH, 0);
    private static final long NODE_BYTES = SlabAllocator.blockBytesFor(NODE_LENGTH, 0);
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    static {
        if (INNER_LENGTH > NODE_LENGTH || NODE_BYTES != NODE_LENGTH) {
            throw new AssertionError("node layout does not fit its block");
        }
    }

    private ScoreIndex() {
    }

    // ------------------------------------------------------------------ creating and freeing

    /** A new, empty index. @throws StoreMemoryException when the budget refuses (nothing allocated). */
    static long create(SlabAllocator alloc, MemoryBudget budget) {
        long bytes = HEADER_BLOCK_BYTES + NODE_BYTES;
        budget.reserve(bytes);
        long index = 0;
        long leaf;
        try {
            index = alloc.allocate(HEADER_LENGTH, 0);
            leaf = alloc.allocate(NODE_LENGTH, 0);
        } catch (RuntimeException | OutOfMemoryError e) {
            if (index != 0) {
                alloc.free(index, HEADER_LENGTH);
            }
            budget.release(bytes);
            throw e;
        }
        UnsafeApi.setMemory(index, HEADER_LENGTH, (byte) 0);
        UnsafeApi.setMemory(leaf, LEAF_ENTRIES_OFFSET, (byte) 0);
        UnsafeApi.putLong(index + ROOT_OFFSET, leaf);
        UnsafeApi.putLong(index + BYTES_OFFSET, bytes);
        return index;
    }

    /** Frees every block of the index, header included, and releases them from the budget. */
    static void free(long index, SlabAllocator alloc, MemoryBudget budget) {
        long bytes = memoryBytes(index);
        freeSubtree(alloc, root(index), height(index));
        alloc.free(index, HEADER_LENGTH);
        budget.release(bytes);
    }

    private static void freeSubtree(SlabAllocator alloc, long node, int levelsBelow) {
        if (levelsBelow > 0) {
            int n = innerCount(node);
            for (int c = 0; c < n; c++) {
                freeSubtree(alloc, child(node, c), levelsBelow - 1);
            }
        }
        alloc.free(node, NODE_LENGTH);
    }

    /** Number of members. */
    static long count(long index) {
        return UnsafeApi.getLong(index + COUNT_OFFSET);
    }

    /** Bytes of every block of the index, header included, as the allocator counts them (blockBytesOf). */
    static long memoryBytes(long index) {
        return UnsafeApi.getLong(index + BYTES_OFFSET);
    }

    /** Inner levels above the leaves (0: the root is a leaf). */
    static int height(long index) {
        return UnsafeApi.getInt(index + HEIGHT_OFFSET);
    }

    // ------------------------------------------------------------------ insert

    /**
     * Adds a member, which must be absent: {@code block} is its element block (a different block for each
     * member) and {@code score} the score it holds.
     *
     * @throws StoreMemoryException when the budget or the allocator refuses: the index is then unchanged
     */
    static void insert(long index, SlabAllocator alloc, MemoryBudget budget, double score, long block) {
        if ((block & 7) != 0 || block >>> 48 != 0 || block == 0) {
            throw new IllegalArgumentException("block address 0x" + Long.toHexString(block)
                    + " is not an 8-byte aligned user-space address below 2^48");
        }
        int height = height(index);
        long node = root(index);
        for (int level = 0; level < height; level++) {
            int c = childFor(node, score, block);
            setPath(index, level, node, c);
            node = child(node, c);
        }
        long leaf = node;
        int n = leafCount(leaf);
        int pos = leafSearch(leaf, n, score, block);
        if (pos < n && entryBlock(leaf, pos) == block) {
            throw new IllegalStateException("member already in the index");
        }
        if (pos < n && compare(score, block, entryScore(leaf, pos), entryBlock(leaf, pos)) == 0) {
            throw new IllegalStateException("a member with the same bytes is already in the index");
        }
        long newNode = 0;
        double upScore = 0;
        long upBlock = 0;
        if (n < LEAF_CAPACITY) {
            leafInsertAt(leaf, n, pos, score, block);
        } else if (height > 0 && shiftToSibling(index, height, leaf, pos, score, block)) {
            // A sibling took entries: no block needed.
        } else {
            long spare = reserveNodes(index, alloc, budget, nodesForSplit(index, height));
            // From here on nothing can fail.
            newNode = spare;
            spare = UnsafeApi.getLong(spare);
            splitLeaf(index, leaf, newNode, pos, score, block);
            upScore = entryScore(newNode, 0);
            upBlock = entryBlock(newNode, 0);
            for (int level = height - 1; level >= 0; level--) {
                long p = pathNode(index, level);
                int c = pathIndex(index, level);
                if (newNode == 0) {
                    addCount(p, c, 1);
                    continue;
                }
                boolean childIsLeaf = level == height - 1;
                setCount(p, c, total(child(p, c), childIsLeaf));
                long newTotal = total(newNode, childIsLeaf);
                if (innerCount(p) < INNER_CAPACITY) {
                    innerInsertAt(p, c + 1, upScore, upBlock, newNode, newTotal);
                    newNode = 0;
                } else {
                    long r = spare;
                    spare = UnsafeApi.getLong(spare);
                    int keep = lastOnLevel(index, level) && c + 1 == INNER_CAPACITY ? INNER_CAPACITY - 1
                            : (INNER_CAPACITY + 2) / 2;
                    long up = splitInner(p, r, keep, c + 1, upScore, upBlock, newNode, newTotal);
                    upScore = Double.longBitsToDouble(UnsafeApi.getLong(up));
                    upBlock = UnsafeApi.getLong(up + 8);
                    newNode = r;
                }
            }
            if (newNode != 0) {
                long r = spare;
                spare = UnsafeApi.getLong(spare);
                long old = root(index);
                boolean childIsLeaf = height == 0;
                UnsafeApi.putInt(r + INNER_COUNT_OFFSET, 2);
                setChild(r, 0, old);
                setCount(r, 0, total(old, childIsLeaf));
                setChild(r, 1, newNode);
                setCount(r, 1, total(newNode, childIsLeaf));
                setKey(r, 0, upScore, upBlock);
                UnsafeApi.putLong(index + ROOT_OFFSET, r);
                UnsafeApi.putInt(index + HEIGHT_OFFSET, height + 1);
            }
            if (spare != 0) {
                throw new IllegalStateException("split reserved more nodes than it used");
            }
            UnsafeApi.putLong(index + COUNT_OFFSET, count(index) + 1);
            return;
        }
        for (int level = height - 1; level >= 0; level--) {
            addCount(pathNode(index, level), pathIndex(index, level), 1);
        }
        UnsafeApi.putLong(index + COUNT_OFFSET, count(index) + 1);
    }

    /** Nodes a split of the (full) leaf on the path needs: itself, each full ancestor, and a new root. */
    private static int nodesForSplit(long index, int height) {
        int nodes = 1;
        for (int level = height - 1; level >= 0; level--) {
            if (innerCount(pathNode(index, level)) < INNER_CAPACITY) {
                return nodes;
            }
            nodes++;
        }
        if (height + 1 > MAX_HEIGHT) {
            throw new IllegalStateException("score index deeper than " + MAX_HEIGHT + " levels");
        }
        return nodes + 1;
    }

    /**
     * Reserves and allocates {@code nodes} node blocks, chained through their first word; on failure frees
     * what it took and rethrows, so the index is unchanged.
     */
    private static long reserveNodes(long index, SlabAllocator alloc, MemoryBudget budget, int nodes) {
        long bytes = nodes * NODE_BYTES;
        budget.reserve(bytes);
        long chain = 0;
        try {
            for (int i = 0; i < nodes; i++) {
                long node = alloc.allocate(NODE_LENGTH, 0);
                UnsafeApi.putLong(node, chain);
                chain = node;
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            while (chain != 0) {
                long next = UnsafeApi.getLong(chain);
                alloc.free(chain, NODE_LENGTH);
                chain = next;
            }
            budget.release(bytes);
            throw e;
        }
        UnsafeApi.putLong(index + BYTES_OFFSET, memoryBytes(index) + bytes);
        return chain;
    }

    /** Whether the node on the path at {@code level} is the last of its level. */
    private static boolean lastOnLevel(long index, int level) {
        for (int l = 0; l < level; l++) {
            if (pathIndex(index, l) != innerCount(pathNode(index, l)) - 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * Splits the full leaf while inserting the entry at {@code pos}: evenly, or, when the entry goes after
     * the last entry of the last leaf (an ascending load), the new leaf gets that entry alone.
     */
    private static void splitLeaf(long index, long leaf, long r, int pos, double score, long block) {
        long next = leafNext(leaf);
        UnsafeApi.putLong(r + LEAF_PREV_OFFSET, leaf);
        UnsafeApi.putLong(r + LEAF_NEXT_OFFSET, next);
        if (next != 0) {
            UnsafeApi.putLong(next + LEAF_PREV_OFFSET, r);
        }
        setLeafNext(leaf, r);
        if (next == 0 && pos == LEAF_CAPACITY) {
            setLeafCount(r, 0);
            leafInsertAt(r, 0, 0, score, block);
            return;
        }
        int half = (LEAF_CAPACITY + 1) / 2;
        if (pos < half) {
            int moved = LEAF_CAPACITY - (half - 1);
            UnsafeApi.copyMemory(entry(leaf, half - 1), entry(r, 0), (long) moved * ENTRY_LENGTH);
            setLeafCount(r, moved);
            setLeafCount(leaf, half - 1);
            leafInsertAt(leaf, half - 1, pos, score, block);
        } else {
            int moved = LEAF_CAPACITY - half;
            UnsafeApi.copyMemory(entry(leaf, half), entry(r, 0), (long) moved * ENTRY_LENGTH);
            setLeafCount(r, moved);
            setLeafCount(leaf, half);
            leafInsertAt(r, moved, pos - half, score, block);
        }
    }

    /**
     * Makes room in a full leaf by moving entries to a sibling under the same parent that has room, then
     * inserts there; false (nothing changed) when neither sibling has room. Keeps random inserts from leaving
     * leaves two thirds full.
     */
    private static boolean shiftToSibling(long index, int height, long leaf, int pos, double score, long block) {
        long p = pathNode(index, height - 1);
        int c = pathIndex(index, height - 1);
        if (c > 0 && pos > 0) {
            long left = child(p, c - 1);
            int ln = leafCount(left);
            int room = LEAF_CAPACITY - ln;
            if (room > 0) {
                int k = Math.min((room + 1) / 2, pos);
                UnsafeApi.copyMemory(entry(leaf, 0), entry(left, ln), (long) k * ENTRY_LENGTH);
                setLeafCount(left, ln + k);
                UnsafeApi.copyMemory(entry(leaf, k), entry(leaf, 0), (long) (LEAF_CAPACITY - k) * ENTRY_LENGTH);
                setLeafCount(leaf, LEAF_CAPACITY - k);
                leafInsertAt(leaf, LEAF_CAPACITY - k, pos - k, score, block);
                setKey(p, c - 1, entryScore(leaf, 0), entryBlock(leaf, 0));
                addCount(p, c - 1, k);
                addCount(p, c, -k);
                return true;
            }
        }
        if (c + 1 < innerCount(p)) {
            long right = child(p, c + 1);
            int rn = leafCount(right);
            int room = LEAF_CAPACITY - rn;
            if (room > 0) {
                int k = Math.min((room + 1) / 2, LEAF_CAPACITY - pos);
                if (k == 0) {
                    // After the last entry of the leaf: the new first entry of the right sibling.
                    leafInsertAt(right, rn, 0, score, block);
                    setKey(p, c, score, block);
                    addCount(p, c + 1, 1);
                    addCount(p, c, -1); // the caller adds 1 to the leaf's count
                    return true;
                }
                UnsafeApi.copyMemory(entry(right, 0), entry(right, k), (long) rn * ENTRY_LENGTH);
                UnsafeApi.copyMemory(entry(leaf, LEAF_CAPACITY - k), entry(right, 0), (long) k * ENTRY_LENGTH);
                setLeafCount(right, rn + k);
                setLeafCount(leaf, LEAF_CAPACITY - k);
                leafInsertAt(leaf, LEAF_CAPACITY - k, pos, score, block);
                setKey(p, c, entryScore(right, 0), entryBlock(right, 0));
                addCount(p, c + 1, k);
                addCount(p, c, -k);
                return true;
            }
        }
        return false;
    }

    /**
     * Splits the full inner node {@code p} into {@code p} (the first {@code keep} children of the 33) and
     * {@code r} while inserting child {@code nc} at {@code at} with separator {@code (ss, sb)} on its left.
     *
     * @return the address of the key that goes up (in {@code p}'s unused key space, read it at once)
     */
    private static long splitInner(long p, long r, int keep, int at, double ss, long sb, long nc, long ncTotal) {
        int n = INNER_CAPACITY;
        // The key that goes up is copied to the last (unused after the split) key slot of p.
        long up = key(p, INNER_CAPACITY - 2);
        if (at < keep) {
            int moved = n - (keep - 1);
            copyChildren(p, keep - 1, r, 0, moved);
            copyKeys(p, keep - 1, r, 0, moved - 1);
            UnsafeApi.putInt(r + INNER_COUNT_OFFSET, moved);
            double us = keyScore(p, keep - 2);
            long ub = keyBlock(p, keep - 2);
            UnsafeApi.putInt(p + INNER_COUNT_OFFSET, keep - 1);
            innerInsertAt(p, at, ss, sb, nc, ncTotal);
            UnsafeApi.putLong(up, Double.doubleToRawLongBits(us));
            UnsafeApi.putLong(up + 8, ub);
        } else if (at == keep) {
            int moved = n - keep;
            copyChildren(p, keep, r, 1, moved);
            copyKeys(p, keep, r, 1, moved - 1);
            setKey(r, 0, keyScore(p, keep - 1), keyBlock(p, keep - 1));
            setChild(r, 0, nc);
            setCount(r, 0, ncTotal);
            UnsafeApi.putInt(r + INNER_COUNT_OFFSET, moved + 1);
            UnsafeApi.putInt(p + INNER_COUNT_OFFSET, keep);
            UnsafeApi.putLong(up, Double.doubleToRawLongBits(ss));
            UnsafeApi.putLong(up + 8, sb);
        } else {
            int moved = n - keep;
            copyChildren(p, keep, r, 0, moved);
            copyKeys(p, keep, r, 0, moved - 1);
            UnsafeApi.putInt(r + INNER_COUNT_OFFSET, moved);
            double us = keyScore(p, keep - 1);
            long ub = keyBlock(p, keep - 1);
            UnsafeApi.putInt(p + INNER_COUNT_OFFSET, keep);
            innerInsertAt(r, at - keep, ss, sb, nc, ncTotal);
            UnsafeApi.putLong(up, Double.doubleToRawLongBits(us));
            UnsafeApi.putLong(up + 8, ub);
        }
        return up;
    }

    // ------------------------------------------------------------------ remove

    /**
     * Removes the member whose element block is {@code block} and whose score is {@code score}; never fails for
     * lack of memory. @return false when it is not in the index
     */
    static boolean remove(long index, SlabAllocator alloc, MemoryBudget budget, double score, long block) {
        int height = height(index);
        long node = root(index);
        int sepLevel = -1;
        for (int level = 0; level < height; level++) {
            int c = childFor(node, score, block);
            if (c > 0 && keyBlock(node, c - 1) == block) {
                sepLevel = level;
            }
            setPath(index, level, node, c);
            node = child(node, c);
        }
        long leaf = node;
        int n = leafCount(leaf);
        int pos = leafSearch(leaf, n, score, block);
        if (pos >= n || entryBlock(leaf, pos) != block || !sameScore(entryScore(leaf, pos), score)) {
            return false;
        }
        if (sepLevel >= 0) {
            // The member is the smallest of a subtree and a separator names it: name its successor instead, so
            // that no key refers to a block the caller is about to free. (When it has none, the subtree held it
            // alone, and the leaf is merged away below, taking the key with it.)
            long sp = pathNode(index, sepLevel);
            int sc = pathIndex(index, sepLevel) - 1;
            if (pos + 1 < n) {
                setKey(sp, sc, entryScore(leaf, pos + 1), entryBlock(leaf, pos + 1));
            } else if (leafNext(leaf) != 0) {
                long next = leafNext(leaf);
                setKey(sp, sc, entryScore(next, 0), entryBlock(next, 0));
            }
        }
        UnsafeApi.copyMemory(entry(leaf, pos + 1), entry(leaf, pos), (long) (n - pos - 1) * ENTRY_LENGTH);
        setLeafCount(leaf, n - 1);
        for (int level = height - 1; level >= 0; level--) {
            addCount(pathNode(index, level), pathIndex(index, level), -1);
        }
        UnsafeApi.putLong(index + COUNT_OFFSET, count(index) - 1);
        rebalance(index, alloc, budget, height, leaf);
        return true;
    }

    /** Merges or evens out the underfull nodes on the path, bottom up, and drops a root with one child. */
    private static void rebalance(long index, SlabAllocator alloc, MemoryBudget budget, int height, long leaf) {
        long x = leaf;
        for (int level = height - 1; level >= 0; level--) {
            boolean isLeaf = level == height - 1;
            if (isLeaf ? leafCount(x) >= LEAF_MIN : innerCount(x) >= INNER_MIN) {
                break;
            }
            long p = pathNode(index, level);
            int c = pathIndex(index, level);
            int j = c > 0 ? c - 1 : c;
            long a = child(p, j);
            long b = child(p, j + 1);
            if (isLeaf) {
                int an = leafCount(a);
                int bn = leafCount(b);
                if (an + bn <= LEAF_CAPACITY) {
                    UnsafeApi.copyMemory(entry(b, 0), entry(a, an), (long) bn * ENTRY_LENGTH);
                    setLeafCount(a, an + bn);
                    long next = leafNext(b);
                    setLeafNext(a, next);
                    if (next != 0) {
                        UnsafeApi.putLong(next + LEAF_PREV_OFFSET, a);
                    }
                } else {
                    int target = (an + bn) / 2;
                    if (an > target) {
                        int k = an - target;
                        UnsafeApi.copyMemory(entry(b, 0), entry(b, k), (long) bn * ENTRY_LENGTH);
                        UnsafeApi.copyMemory(entry(a, target), entry(b, 0), (long) k * ENTRY_LENGTH);
                        setLeafCount(a, target);
                        setLeafCount(b, bn + k);
                        addCount(p, j, -k);
                        addCount(p, j + 1, k);
                    } else {
                        int k = target - an;
                        UnsafeApi.copyMemory(entry(b, 0), entry(a, an), (long) k * ENTRY_LENGTH);
                        UnsafeApi.copyMemory(entry(b, k), entry(b, 0), (long) (bn - k) * ENTRY_LENGTH);
                        setLeafCount(a, target);
                        setLeafCount(b, bn - k);
                        addCount(p, j, k);
                        addCount(p, j + 1, -k);
                    }
                    setKey(p, j, entryScore(b, 0), entryBlock(b, 0));
                    break;
                }
            } else {
                int an = innerCount(a);
                int bn = innerCount(b);
                if (an + bn <= INNER_CAPACITY) {
                    setKey(a, an - 1, keyScore(p, j), keyBlock(p, j));
                    copyChildren(b, 0, a, an, bn);
                    copyKeys(b, 0, a, an, bn - 1);
                    UnsafeApi.putInt(a + INNER_COUNT_OFFSET, an + bn);
                } else {
                    evenInner(p, j, a, an, b, bn);
                    break;
                }
            }
            // b was merged into a: drop it from p.
            addCount(p, j, count(p, j + 1));
            innerRemoveAt(p, j + 1);
            alloc.free(b, NODE_LENGTH);
            budget.release(NODE_BYTES);
            UnsafeApi.putLong(index + BYTES_OFFSET, memoryBytes(index) - NODE_BYTES);
            x = p;
        }
        long root = root(index);
        if (height > 0 && innerCount(root) == 1) {
            UnsafeApi.putLong(index + ROOT_OFFSET, child(root, 0));
            UnsafeApi.putInt(index + HEIGHT_OFFSET, height - 1);
            alloc.free(root, NODE_LENGTH);
            budget.release(NODE_BYTES);
            UnsafeApi.putLong(index + BYTES_OFFSET, memoryBytes(index) - NODE_BYTES);
        }
    }

    /** Shares the children of inner siblings {@code a} and {@code b} (children j, j + 1 of p) evenly. */
    private static void evenInner(long p, int j, long a, int an, long b, int bn) {
        int target = (an + bn) / 2;
        double ss = keyScore(p, j);
        long sb = keyBlock(p, j);
        if (an > target) {
            int k = an - target;
            copyChildren(b, 0, b, k, bn);
            copyKeys(b, 0, b, k, bn - 1);
            copyChildren(a, target, b, 0, k);
            copyKeys(a, target, b, 0, k - 1);
            setKey(b, k - 1, ss, sb);
            setKey(p, j, keyScore(a, target - 1), keyBlock(a, target - 1));
            UnsafeApi.putInt(a + INNER_COUNT_OFFSET, target);
            UnsafeApi.putInt(b + INNER_COUNT_OFFSET, bn + k);
        } else {
            int k = target - an;
            setKey(a, an - 1, ss, sb);
            copyChildren(b, 0, a, an, k);
            copyKeys(b, 0, a, an, k - 1);
            setKey(p, j, keyScore(b, k - 1), keyBlock(b, k - 1));
            copyChildren(b, k, b, 0, bn - k);
            copyKeys(b, k, b, 0, bn - k - 1);
            UnsafeApi.putInt(a + INNER_COUNT_OFFSET, target);
            UnsafeApi.putInt(b + INNER_COUNT_OFFSET, bn - k);
        }
        long ta = innerTotal(a);
        setCount(p, j + 1, count(p, j) + count(p, j + 1) - ta);
        setCount(p, j, ta);
    }

    // ------------------------------------------------------------------ queries

    /** The 0-based rank of the member (block) with this score, or -1 when absent. O(log n). */
    static long rank(long index, double score, long block) {
        int height = height(index);
        long node = root(index);
        long rank = 0;
        for (int level = 0; level < height; level++) {
            int c = childFor(node, score, block);
            for (int i = 0; i < c; i++) {
                rank += count(node, i);
            }
            node = child(node, c);
        }
        int n = leafCount(node);
        int pos = leafSearch(node, n, score, block);
        if (pos >= n || entryBlock(node, pos) != block || !sameScore(entryScore(node, pos), score)) {
            return -1;
        }
        return rank + pos;
    }

    /** How many members have a score below {@code score} ({@code orEqual}: at most {@code score}). O(log n). */
    static long countBelow(long index, double score, boolean orEqual) {
        int height = height(index);
        long node = root(index);
        long below = 0;
        for (int level = 0; level < height; level++) {
            // Children whose keys (their smallest members) score below: every child before the last such one
            // is wholly below.
            int lo = 0;
            int hi = innerCount(node) - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                double k = keyScore(node, mid);
                if (orEqual ? k <= score : k < score) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            for (int i = 0; i < lo; i++) {
                below += count(node, i);
            }
            node = child(node, lo);
        }
        int lo = 0;
        int hi = leafCount(node);
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            double e = entryScore(node, mid);
            if (orEqual ? e <= score : e < score) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return below + lo;
    }

    /**
     * How many members sort before the member bytes {@code m} ({@code orEqual}: before or equal to), comparing
     * members only, as Redis's lexicographic ranges do: meaningful when every score is equal. O(log n).
     */
    static long countBelowLex(long index, DirectBuffer m, int off, int len, boolean orEqual) {
        m.boundsCheck(off, len);
        Object base = m.byteArray();
        long address = m.addressOffset() + off;
        int height = height(index);
        long node = root(index);
        long below = 0;
        for (int level = 0; level < height; level++) {
            int lo = 0;
            int hi = innerCount(node) - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                long kb = keyBlock(node, mid);
                int cmp = compareBytes(null, ElementTable.elementAddress(kb), ElementTable.elementLength(kb), base,
                        address, len);
                if (orEqual ? cmp <= 0 : cmp < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            for (int i = 0; i < lo; i++) {
                below += count(node, i);
            }
            node = child(node, lo);
        }
        int lo = 0;
        int hi = leafCount(node);
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            long eb = entryBlock(node, mid);
            int cmp = compareBytes(null, ElementTable.elementAddress(eb), ElementTable.elementLength(eb), base, address,
                    len);
            if (orEqual ? cmp <= 0 : cmp < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return below + lo;
    }

    // ------------------------------------------------------------------ verify

    /** Checks every invariant (order, counts, links, memory); throws IllegalStateException naming the first broken. */
    static void verify(long index) {
        verify(index, new long[2]);
    }

    /**
     * As {@link #verify(long)}, and adds the index's block bytes to {@code into[0]} (all its blocks are small)
     * for {@link SlabAllocator#verify}.
     */
    static void verify(long index, long[] into) {
        int height = height(index);
        if (height < 0 || height > MAX_HEIGHT) {
            throw new IllegalStateException("height " + height);
        }
        long root = root(index);
        if (height > 0 && innerCount(root) < 2) {
            throw new IllegalStateException("inner root with " + innerCount(root) + " children");
        }
        // state: [0] previous leaf, [1] nodes, [2] previous entry's score bits, [3] previous entry's block
        long[] state = new long[4];
        long total = verifyNode(root, height, true, true, state);
        if (total != count(index)) {
            throw new IllegalStateException("count " + count(index) + " but " + total + " members in the leaves");
        }
        if (state[0] != 0 && leafNext(state[0]) != 0) {
            throw new IllegalStateException("the last leaf links to a next leaf");
        }
        long bytes = HEADER_BLOCK_BYTES + state[1] * NODE_BYTES;
        if (bytes != memoryBytes(index)) {
            throw new IllegalStateException("memoryBytes " + memoryBytes(index) + " but the blocks take " + bytes);
        }
        into[0] += bytes;
    }

    private static long verifyNode(long node, int levelsBelow, boolean isRoot, boolean last, long[] state) {
        state[1]++;
        if (node == 0 || (node & 7) != 0) {
            throw new IllegalStateException("node address 0x" + Long.toHexString(node));
        }
        if (levelsBelow == 0) {
            int n = leafCount(node);
            if (n > LEAF_CAPACITY || n < 0) {
                throw new IllegalStateException("leaf with " + n + " entries");
            }
            if (!isRoot && n < (last ? 1 : LEAF_MIN)) {
                throw new IllegalStateException("leaf with " + n + " entries (last of its level: " + last + ")");
            }
            if (leafPrev(node) != state[0]) {
                throw new IllegalStateException("leaf's previous link is wrong");
            }
            if (state[0] != 0 && leafNext(state[0]) != node) {
                throw new IllegalStateException("leaf's next link is wrong");
            }
            state[0] = node;
            for (int i = 0; i < n; i++) {
                long b = entryBlock(node, i);
                double s = entryScore(node, i);
                if (b == 0 || (b & 7) != 0 || b >>> 48 != 0) {
                    throw new IllegalStateException("entry with block 0x" + Long.toHexString(b));
                }
                if (Double.isNaN(s)) {
                    throw new IllegalStateException("NaN score");
                }
                if (state[3] != 0 && compare(s, b, Double.longBitsToDouble(state[2]), state[3]) <= 0) {
                    throw new IllegalStateException("entries out of order at " + i + " of a leaf");
                }
                state[2] = Double.doubleToRawLongBits(s);
                state[3] = b;
            }
            return n;
        }
        int n = innerCount(node);
        if (n > INNER_CAPACITY || n < (isRoot || last ? 2 : INNER_MIN)) {
            throw new IllegalStateException("inner node with " + n + " children (last of its level: " + last
                    + ")");
        }
        long total = 0;
        for (int c = 0; c < n; c++) {
            long child = child(node, c);
            if (c > 0) {
                long first = leftmostLeaf(child, levelsBelow - 1);
                if (leafCount(first) == 0 || entryBlock(first, 0) != keyBlock(node, c - 1)
                        || Double.doubleToRawLongBits(entryScore(first, 0))
                        != Double.doubleToRawLongBits(keyScore(node, c - 1))) {
                    throw new IllegalStateException("key " + (c - 1) + " is not the smallest entry of child " + c);
                }
            }
            long sub = verifyNode(child, levelsBelow - 1, false, last && c == n - 1, state);
            if (sub != count(node, c)) {
                throw new IllegalStateException("child " + c + " counted " + count(node, c) + " but holds " + sub);
            }
            total += sub;
        }
        return total;
    }

    private static long leftmostLeaf(long node, int levelsBelow) {
        for (int l = levelsBelow; l > 0; l--) {
            node = child(node, 0);
        }
        return node;
    }

    // ------------------------------------------------------------------ cursor

    /**
     * A position in an index: reusable, allocation-free. Valid until the index is next modified.
     */
    static final class Cursor {
        private long leaf;
        private int pos;

        /** Moves to the member of rank {@code rank}; false (and no position) when out of [0, count). */
        boolean seek(long index, long rank) {
            if (rank < 0 || rank >= count(index)) {
                leaf = 0;
                return false;
            }
            long node = root(index);
            long r = rank;
            for (int level = height(index); level > 0; level--) {
                int c = 0;
                long cnt;
                while (r >= (cnt = ScoreIndex.count(node, c))) {
                    r -= cnt;
                    c++;
                }
                node = child(node, c);
            }
            leaf = node;
            pos = (int) r;
            return true;
        }

        /** Moves to the next member in order; false at the end. */
        boolean next() {
            if (leaf == 0) {
                return false;
            }
            if (pos + 1 < leafCount(leaf)) {
                pos++;
                return true;
            }
            long next = leafNext(leaf);
            if (next == 0) {
                leaf = 0;
                return false;
            }
            leaf = next;
            pos = 0;
            return true;
        }

        /** Moves to the previous member in order; false at the start. */
        boolean prev() {
            if (leaf == 0) {
                return false;
            }
            if (pos > 0) {
                pos--;
                return true;
            }
            long prev = leafPrev(leaf);
            if (prev == 0) {
                leaf = 0;
                return false;
            }
            leaf = prev;
            pos = leafCount(prev) - 1;
            return true;
        }

        /** The score of the member at the position. */
        double score() {
            checkPosition();
            return entryScore(leaf, pos);
        }

        /** The element block of the member at the position. */
        long block() {
            checkPosition();
            return entryBlock(leaf, pos);
        }

        private void checkPosition() {
            if (leaf == 0) {
                throw new IllegalStateException("the cursor has no position");
            }
        }
    }

    // ------------------------------------------------------------------ order

    /** (score, member of block) against (es, member of eb): score first, then member bytes. */
    static int compare(double score, long block, double es, long eb) {
        if (score < es) {
            return -1;
        }
        if (score > es) {
            return 1;
        }
        if (block == eb) {
            return 0;
        }
        return compareBytes(null, ElementTable.elementAddress(block), ElementTable.elementLength(block), null,
                ElementTable.elementAddress(eb), ElementTable.elementLength(eb));
    }

    private static boolean sameScore(double a, double b) {
        return !(a < b) && !(a > b);
    }

    /** memcmp of unsigned bytes, then the shorter first (Redis's sdscmp). */
    static int compareBytes(Object baseA, long a, int lenA, Object baseB, long b, int lenB) {
        int len = Math.min(lenA, lenB);
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            long x = UnsafeApi.getLong(baseA, a + i);
            long y = UnsafeApi.getLong(baseB, b + i);
            if (x != y) {
                if (LITTLE_ENDIAN) {
                    x = Long.reverseBytes(x);
                    y = Long.reverseBytes(y);
                }
                return Long.compareUnsigned(x, y);
            }
        }
        for (; i < len; i++) {
            int x = UnsafeApi.getByte(baseA, a + i) & 0xFF;
            int y = UnsafeApi.getByte(baseB, b + i) & 0xFF;
            if (x != y) {
                return x - y;
            }
        }
        return Integer.compare(lenA, lenB);
    }

    /** The child of an inner node to descend into for (score, block): the number of keys at or below it. */
    private static int childFor(long node, double score, long block) {
        int lo = 0;
        int hi = innerCount(node) - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(score, block, keyScore(node, mid), keyBlock(node, mid)) >= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The first position of a leaf whose entry is not below (score, block). */
    private static int leafSearch(long leaf, int n, double score, long block) {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(score, block, entryScore(leaf, mid), entryBlock(leaf, mid)) > 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    // ------------------------------------------------------------------ header fields

    private static long root(long index) {
        return UnsafeApi.getLong(index + ROOT_OFFSET);
    }

    private static void setPath(long index, int level, long node, int c) {
        UnsafeApi.putLong(index + PATH_OFFSET + 8L * level, node | (long) c << 48);
    }

    private static long pathNode(long index, int level) {
        return UnsafeApi.getLong(index + PATH_OFFSET + 8L * level) & ADDRESS_MASK;
    }

    private static int pathIndex(long index, int level) {
        return (int) (UnsafeApi.getLong(index + PATH_OFFSET + 8L * level) >>> 48);
    }

    // ------------------------------------------------------------------ leaves

    private static int leafCount(long leaf) {
        return (int) (UnsafeApi.getLong(leaf + LEAF_NEXT_OFFSET) >>> 48);
    }

    private static void setLeafCount(long leaf, int n) {
        long w = UnsafeApi.getLong(leaf + LEAF_NEXT_OFFSET);
        UnsafeApi.putLong(leaf + LEAF_NEXT_OFFSET, (w & ADDRESS_MASK) | (long) n << 48);
    }

    private static long leafNext(long leaf) {
        return UnsafeApi.getLong(leaf + LEAF_NEXT_OFFSET) & ADDRESS_MASK;
    }

    private static void setLeafNext(long leaf, long next) {
        long w = UnsafeApi.getLong(leaf + LEAF_NEXT_OFFSET);
        UnsafeApi.putLong(leaf + LEAF_NEXT_OFFSET, (w & ~ADDRESS_MASK) | next);
    }

    private static long leafPrev(long leaf) {
        return UnsafeApi.getLong(leaf + LEAF_PREV_OFFSET);
    }

    private static long entry(long leaf, int i) {
        return leaf + LEAF_ENTRIES_OFFSET + (long) i * ENTRY_LENGTH;
    }

    private static double entryScore(long leaf, int i) {
        return UnsafeApi.getDouble(entry(leaf, i));
    }

    private static long entryBlock(long leaf, int i) {
        return UnsafeApi.getLong(entry(leaf, i) + 8);
    }

    /** Inserts at {@code pos} of a leaf holding {@code n} entries (fewer than its capacity). */
    private static void leafInsertAt(long leaf, int n, int pos, double score, long block) {
        long at = entry(leaf, pos);
        UnsafeApi.copyMemory(at, at + ENTRY_LENGTH, (long) (n - pos) * ENTRY_LENGTH);
        UnsafeApi.putDouble(at, score);
        UnsafeApi.putLong(at + 8, block);
        setLeafCount(leaf, n + 1);
    }

    // ------------------------------------------------------------------ inner nodes

    private static int innerCount(long node) {
        return UnsafeApi.getInt(node + INNER_COUNT_OFFSET);
    }

    private static long child(long node, int c) {
        return UnsafeApi.getLong(node + CHILDREN_OFFSET + 8L * c);
    }

    private static void setChild(long node, int c, long child) {
        UnsafeApi.putLong(node + CHILDREN_OFFSET + 8L * c, child);
    }

    private static long count(long node, int c) {
        return UnsafeApi.getLong(node + COUNTS_OFFSET + 8L * c);
    }

    private static void setCount(long node, int c, long count) {
        UnsafeApi.putLong(node + COUNTS_OFFSET + 8L * c, count);
    }

    private static void addCount(long node, int c, long delta) {
        long at = node + COUNTS_OFFSET + 8L * c;
        UnsafeApi.putLong(at, UnsafeApi.getLong(at) + delta);
    }

    private static long key(long node, int k) {
        return node + KEYS_OFFSET + (long) k * ENTRY_LENGTH;
    }

    private static double keyScore(long node, int k) {
        return UnsafeApi.getDouble(key(node, k));
    }

    private static long keyBlock(long node, int k) {
        return UnsafeApi.getLong(key(node, k) + 8);
    }

    private static void setKey(long node, int k, double score, long block) {
        long at = key(node, k);
        UnsafeApi.putDouble(at, score);
        UnsafeApi.putLong(at + 8, block);
    }

    private static long innerTotal(long node) {
        long total = 0;
        for (int c = innerCount(node) - 1; c >= 0; c--) {
            total += count(node, c);
        }
        return total;
    }

    /** Members under a node: a leaf's count, or the sum of an inner node's child counts. */
    private static long total(long node, boolean isLeaf) {
        return isLeaf ? leafCount(node) : innerTotal(node);
    }

    /** Copies {@code n} children with their counts (ranges may overlap). */
    private static void copyChildren(long from, int fc, long to, int tc, int n) {
        if (n <= 0) {
            return;
        }
        UnsafeApi.copyMemory(from + CHILDREN_OFFSET + 8L * fc, to + CHILDREN_OFFSET + 8L * tc, 8L * n);
        UnsafeApi.copyMemory(from + COUNTS_OFFSET + 8L * fc, to + COUNTS_OFFSET + 8L * tc, 8L * n);
    }

    /** Copies {@code n} keys (ranges may overlap). */
    private static void copyKeys(long from, int fk, long to, int tk, int n) {
        if (n <= 0) {
            return;
        }
        UnsafeApi.copyMemory(key(from, fk), key(to, tk), (long) n * ENTRY_LENGTH);
    }

    /** Inserts child {@code nc} at {@code at} (at least 1) with key (ss, sb) on its left; the node has room. */
    private static void innerInsertAt(long node, int at, double ss, long sb, long nc, long ncTotal) {
        int n = innerCount(node);
        copyChildren(node, at, node, at + 1, n - at);
        copyKeys(node, at - 1, node, at, n - at);
        setChild(node, at, nc);
        setCount(node, at, ncTotal);
        setKey(node, at - 1, ss, sb);
        UnsafeApi.putInt(node + INNER_COUNT_OFFSET, n + 1);
    }

    /** Removes child {@code at} (at least 1) and the key on its left. */
    private static void innerRemoveAt(long node, int at) {
        int n = innerCount(node);
        copyChildren(node, at + 1, node, at, n - at - 1);
        copyKeys(node, at, node, at - 1, n - at - 1);
        UnsafeApi.putInt(node + INNER_COUNT_OFFSET, n - 1);
    }
}
