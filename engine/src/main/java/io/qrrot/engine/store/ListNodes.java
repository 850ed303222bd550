package io.qrrot.engine.store;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;

/**
 * A list off the Java heap: a chain of packed nodes, like Redis's quicklist, whose elements each carry a
 * <em>label</em>, a 64-bit number that orders them. The label is the element's identity in the log and in
 * snapshots (an LPOP logs the label of the element it removed, an LSET the label of the element it
 * replaced), so a change to one element never rewrites the list, and the snapshot fold merges a list with the
 * changes to it by label, as it merges a hash by field.
 *
 * <p><b>Labels.</b> They increase from head to tail. A push takes the end's label plus or minus
 * {@link #STRIDE}; LINSERT takes the middle of its neighbours' labels, and when they are adjacent the command
 * relabels a few elements around the spot (logging them). Labels stay within [{@link #LABEL_MIN},
 * {@link #LABEL_MAX}], so the difference of two fits in 63 bits. In the log and in snapshots a label is 8
 * bytes, big-endian with the sign bit flipped ({@link #putLabel}), so that byte order is label order.
 *
 * <pre>
 * Header (40 bytes, a stable address: the entry's value points here)
 *  +0  element count   int64
 *  +8  memory bytes    int64   every block of the list, this one included, as the allocator counts them
 * +16  slots address   int64   the node directory: `capacity` node addresses, used from `start` for `nodes`
 * +24  nodes           int32
 * +28  start           int32
 * +32  capacity        int32
 * +36  reserved        int32
 *
 * Node (a block of `capacity` bytes: up to 4 KiB, grown while it holds fewer than 128 elements; an element
 *       larger than 4 KiB is a node of its own)
 *  +0  count           int32   elements in the node, at least 1
 *  +4  used            int32   bytes of the records
 *  +8  capacity        int32   the block's length as allocated
 * +12  reserved        int32
 * +16  first label     int64
 * +24  last label      int64
 * +32  records, back to back:
 *        label code    varint64  0 for the node's first record; else (delta / STRIDE) << 1 when the delta
 *                                from the previous label is a multiple of STRIDE, (delta << 1) | 1 otherwise
 *        length        varint32
 *        value bytes
 * </pre>
 *
 * <p>A pushed element costs its value, a length byte and a one-byte label code. Finding an index walks the
 * directory's node counts from the nearer end (as Redis's quicklist walks its nodes); finding a label is a
 * binary search of the directory, then a scan of one node. Not thread-safe: used under the shard's lock.
 */
final class ListNodes {
    /** The label distance between pushed neighbours: room for 16 LINSERTs at one spot before a relabel. */
    static final long STRIDE = 1L << 16;
    static final long LABEL_MIN = -(1L << 62);
    static final long LABEL_MAX = 1L << 62;
    /** Bytes of a label in the log and in snapshots. */
    static final int LABEL_BYTES = 8;

    private static final int H_COUNT = 0;
    private static final int H_BYTES = 8;
    private static final int H_SLOTS = 16;
    private static final int H_NODES = 24;
    private static final int H_START = 28;
    private static final int H_CAPACITY = 32;
    private static final int HEADER_LENGTH = 40;

    private static final int N_COUNT = 0;
    private static final int N_USED = 4;
    private static final int N_CAPACITY = 8;
    private static final int N_FIRST = 16;
    private static final int N_LAST = 24;
    static final int NODE_HEADER = 32;
    /** The block length of a full node: the largest block the slab allocator serves from its slabs. */
    static final int NODE_MAX = SlabAllocator.MAX_SMALL;
    private static final int NODE_ROOM = NODE_MAX - NODE_HEADER;
    /**
     * A node's block stops growing once it holds this many elements (it still fills the block it has): finding
     * the last element of a node (RPOP) scans it from its start, so a node of tiny elements stays short of 4 KiB.
     */
    static final int NODE_RECORDS = 128;
    /** The most records a node could hold by bytes alone (each takes at least two bytes). */
    static final int MAX_NODE_RECORDS = NODE_ROOM / 2;

    private ListNodes() {
    }

    // ------------------------------------------------------------------ labels

    /** Writes a label as its 8 log bytes (big-endian, sign bit flipped: byte order is label order). */
    static void putLabel(MutableDirectBuffer b, int off, long label) {
        b.putLong(off, label ^ Long.MIN_VALUE, java.nio.ByteOrder.BIG_ENDIAN);
    }

    /** Reads a label from its 8 log bytes. */
    static long label(DirectBuffer b, int off) {
        return b.getLong(off, java.nio.ByteOrder.BIG_ENDIAN) ^ Long.MIN_VALUE;
    }

    static boolean labelInRange(long label) {
        return label >= LABEL_MIN && label <= LABEL_MAX;
    }

    private static long code(long delta) {
        return delta % STRIDE == 0 ? (delta / STRIDE) << 1 : (delta << 1) | 1;
    }

    private static long delta(long code) {
        return (code & 1) == 0 ? (code >>> 1) * STRIDE : code >>> 1;
    }

    // ------------------------------------------------------------------ varints

    static int varintLength(long v) {
        int bits = 64 - Long.numberOfLeadingZeros(v | 1);
        return (bits + 6) / 7;
    }

    private static int putVarint(long at, long v) {
        int n = 0;
        while ((v & ~0x7FL) != 0) {
            UnsafeApi.putByte(at + n++, (byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        UnsafeApi.putByte(at + n++, (byte) v);
        return n;
    }

    // One varint decoder for all: the value goes to the given holder, the return is the address after it.
    private static long getVarint(long at, long[] into) {
        long v = 0;
        int shift = 0;
        byte b;
        do {
            b = UnsafeApi.getByte(at++);
            v |= (long) (b & 0x7F) << shift;
            shift += 7;
        } while (b < 0);
        into[0] = v;
        return at;
    }

    private static long recordLength(long code, int len) {
        return varintLength(code) + varintLength(len) + (long) len;
    }

    // ------------------------------------------------------------------ header and nodes

    static long count(long list) {
        return UnsafeApi.getLong(list + H_COUNT);
    }

    static long memoryBytes(long list) {
        return UnsafeApi.getLong(list + H_BYTES);
    }

    private static int nodes(long list) {
        return UnsafeApi.getInt(list + H_NODES);
    }

    /** The node at position {@code i} (0 = head) of the directory. */
    private static long node(long list, int i) {
        return UnsafeApi.getLong(UnsafeApi.getLong(list + H_SLOTS) + 8L * (UnsafeApi.getInt(list + H_START) + i));
    }

    private static void setNode(long list, int i, long node) {
        UnsafeApi.putLong(UnsafeApi.getLong(list + H_SLOTS) + 8L * (UnsafeApi.getInt(list + H_START) + i), node);
    }

    private static int nCount(long node) {
        return UnsafeApi.getInt(node + N_COUNT);
    }

    private static int nUsed(long node) {
        return UnsafeApi.getInt(node + N_USED);
    }

    private static int nCapacity(long node) {
        return UnsafeApi.getInt(node + N_CAPACITY);
    }

    private static long nFirst(long node) {
        return UnsafeApi.getLong(node + N_FIRST);
    }

    private static long nLast(long node) {
        return UnsafeApi.getLong(node + N_LAST);
    }

    /** The first label of the list (which is not empty). */
    static long firstLabel(long list) {
        return nFirst(node(list, 0));
    }

    /** The last label of the list (which is not empty). */
    static long lastLabel(long list) {
        return nLast(node(list, nodes(list) - 1));
    }

    private static void addBytes(long list, long bytes) {
        UnsafeApi.putLong(list + H_BYTES, memoryBytes(list) + bytes);
    }

    private static void addCount(long list, long n) {
        UnsafeApi.putLong(list + H_COUNT, count(list) + n);
    }

    /** A new, empty list. @throws StoreMemoryException when the budget refuses (nothing allocated). */
    static long create(SlabAllocator alloc, MemoryBudget budget) {
        int capacity = 2;
        long slotsLength = 8L * capacity;
        long bytes = SlabAllocator.blockBytesFor(HEADER_LENGTH, 0) + SlabAllocator.blockBytesFor(slotsLength, 0);
        budget.reserve(bytes);
        long list = 0;
        long slots;
        try {
            list = alloc.allocate(HEADER_LENGTH, 0);
            slots = alloc.allocate(slotsLength, 0);
        } catch (RuntimeException | OutOfMemoryError e) {
            if (list != 0) {
                alloc.free(list, HEADER_LENGTH);
            }
            budget.release(bytes);
            throw e;
        }
        UnsafeApi.setMemory(list, HEADER_LENGTH, (byte) 0);
        UnsafeApi.putLong(list + H_BYTES, bytes);
        UnsafeApi.putLong(list + H_SLOTS, slots);
        UnsafeApi.putInt(list + H_START, capacity / 2);
        UnsafeApi.putInt(list + H_CAPACITY, capacity);
        return list;
    }

    /** Frees every block of the list, header included, and releases them from the budget. */
    static void free(long list, SlabAllocator alloc, MemoryBudget budget) {
        long bytes = memoryBytes(list);
        for (int i = 0, n = nodes(list); i < n; i++) {
            long node = node(list, i);
            alloc.free(node, nCapacity(node));
        }
        alloc.free(UnsafeApi.getLong(list + H_SLOTS), 8L * UnsafeApi.getInt(list + H_CAPACITY));
        alloc.free(list, HEADER_LENGTH);
        budget.release(bytes);
    }

    /** Frees the list's blocks that the allocator's {@code releaseAll} does not: the large ones. */
    static void freeLargeBlocks(long list, SlabAllocator alloc) {
        for (int i = 0, n = nodes(list); i < n; i++) {
            long node = node(list, i);
            if (nCapacity(node) > SlabAllocator.MAX_SMALL) {
                alloc.freeLarge(node);
            }
        }
        long slotsLength = 8L * UnsafeApi.getInt(list + H_CAPACITY);
        if (slotsLength > SlabAllocator.MAX_SMALL) {
            alloc.freeLarge(UnsafeApi.getLong(list + H_SLOTS));
        }
    }

    /** The block length of a node that holds {@code recordBytes}: a size class, or exact past 4 KiB. */
    private static int nodeLength(long recordBytes) {
        long n = NODE_HEADER + recordBytes;
        if (n > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("a list element of " + recordBytes + " bytes is too large");
        }
        int sizeClass = SlabAllocator.classOf(n);
        return sizeClass >= 0 ? SlabAllocator.classSize(sizeClass) : (int) n;
    }

    private static long allocateBlock(long list, SlabAllocator alloc, MemoryBudget budget, long length) {
        long bytes = SlabAllocator.blockBytesFor(length, 0);
        budget.reserve(bytes);
        long block;
        try {
            block = alloc.allocate(length, 0);
        } catch (RuntimeException | OutOfMemoryError e) {
            budget.release(bytes);
            throw e;
        }
        addBytes(list, bytes);
        return block;
    }

    private static void freeBlock(long list, SlabAllocator alloc, MemoryBudget budget, long block, long length) {
        long bytes = SlabAllocator.blockBytesOf(block, length);
        alloc.free(block, length);
        budget.release(bytes);
        addBytes(list, -bytes);
    }

    private static long newNode(long list, SlabAllocator alloc, MemoryBudget budget, long recordBytes) {
        int length = nodeLength(recordBytes);
        long node = allocateBlock(list, alloc, budget, length);
        UnsafeApi.putInt(node + N_COUNT, 0);
        UnsafeApi.putInt(node + N_USED, 0);
        UnsafeApi.putInt(node + N_CAPACITY, length);
        UnsafeApi.putInt(node + N_CAPACITY + 4, 0);
        return node;
    }

    /** Gives node {@code i} a block with room for {@code recordBytes}; returns the new node address. */
    private static long growNode(long list, SlabAllocator alloc, MemoryBudget budget, int i, long node,
                                 long recordBytes) {
        int used = nUsed(node);
        // Doubling, but no further than the node is likely to fill: NODE_RECORDS records of the size seen so far.
        long likely = (long) used / Math.max(1, nCount(node)) * NODE_RECORDS + 16;
        long want = Math.max(recordBytes, Math.min(Math.min(2L * used, NODE_ROOM), likely));
        long bigger = newNode(list, alloc, budget, want);
        int capacity = nCapacity(bigger);
        UnsafeApi.copyMemory(node, bigger, NODE_HEADER + (long) used);
        UnsafeApi.putInt(bigger + N_CAPACITY, capacity);
        freeBlock(list, alloc, budget, node, nCapacity(node));
        setNode(list, i, bigger);
        return bigger;
    }

    // ------------------------------------------------------------------ the directory

    /** Inserts {@code node} at directory position {@code i}; the caller frees the node if this throws. */
    private static void insertNode(long list, SlabAllocator alloc, MemoryBudget budget, int i, long node) {
        int n = nodes(list);
        int start = UnsafeApi.getInt(list + H_START);
        int capacity = UnsafeApi.getInt(list + H_CAPACITY);
        long slots = UnsafeApi.getLong(list + H_SLOTS);
        if (start > 0 && (i < n / 2 || start + n == capacity)) {
            UnsafeApi.copyMemory(slots + 8L * start, slots + 8L * (start - 1), 8L * i);
            start--;
            UnsafeApi.putInt(list + H_START, start);
        } else if (start + n < capacity) {
            UnsafeApi.copyMemory(slots + 8L * (start + i), slots + 8L * (start + i + 1), 8L * (n - i));
        } else {
            int newCapacity = Math.max(4, 2 * (n + 1));
            long newLength = 8L * newCapacity;
            long grown = allocateBlock(list, alloc, budget, newLength);
            int newStart = (newCapacity - (n + 1)) / 2;
            UnsafeApi.copyMemory(slots + 8L * start, grown + 8L * newStart, 8L * i);
            UnsafeApi.copyMemory(slots + 8L * (start + i), grown + 8L * (newStart + i + 1), 8L * (n - i));
            freeBlock(list, alloc, budget, slots, 8L * capacity);
            UnsafeApi.putLong(list + H_SLOTS, grown);
            UnsafeApi.putInt(list + H_CAPACITY, newCapacity);
            UnsafeApi.putInt(list + H_START, newStart);
            start = newStart;
            slots = grown;
        }
        UnsafeApi.putLong(slots + 8L * (start + i), node);
        UnsafeApi.putInt(list + H_NODES, n + 1);
    }

    /** Removes directory position {@code i} (the caller frees its node). */
    private static void removeNode(long list, int i) {
        int n = nodes(list);
        int start = UnsafeApi.getInt(list + H_START);
        long slots = UnsafeApi.getLong(list + H_SLOTS);
        if (i < n / 2) {
            UnsafeApi.copyMemory(slots + 8L * start, slots + 8L * (start + 1), 8L * i);
            UnsafeApi.putInt(list + H_START, start + 1);
        } else {
            UnsafeApi.copyMemory(slots + 8L * (start + i + 1), slots + 8L * (start + i), 8L * (n - i - 1));
        }
        UnsafeApi.putInt(list + H_NODES, n - 1);
        if (n - 1 == 0) {
            UnsafeApi.putInt(list + H_START, UnsafeApi.getInt(list + H_CAPACITY) / 2);
        }
    }

    /** The directory position of the last node whose first label is at most {@code label} (0 when none). */
    private static int nodeFor(long list, long label) {
        int n = nodes(list);
        if (n == 1 || label < nFirst(node(list, 1))) {
            return 0; // the head (pushes and pops there), without a search
        }
        if (label >= nFirst(node(list, n - 1))) {
            return n - 1;
        }
        int lo = 1;
        int hi = n - 2;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (nFirst(node(list, mid)) <= label) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    // ------------------------------------------------------------------ a node's records

    /**
     * Where a label is, or would go, in one node: filled by {@link #locate}. {@code at} is the address of the
     * record found (or of the record the label would go before, or the end of the records); {@code k} its
     * index; {@code prev} the label before it ({@code hasPrev}), {@code next} the label of the record at
     * {@code at} when there is one.
     */
    static final class Place {
        final long[] v = new long[1];
        boolean found;
        int k;
        long at;
        long prev;
        boolean hasPrev;
        long next;
        int nextCodeLength;
        long valueAt;
        int valueLength;
        long end;
    }

    /** Scans {@code node} for {@code label}. */
    private static void locate(long node, long label, Place p) {
        int count = nCount(node);
        long at = node + NODE_HEADER;
        long current = nFirst(node);
        p.found = false;
        p.hasPrev = false;
        for (int k = 0; k < count; k++) {
            long after = getVarint(at, p.v);
            int codeLength = (int) (after - at);
            if (k > 0) {
                current += delta(p.v[0]);
            }
            if (current >= label) {
                p.k = k;
                p.at = at;
                p.next = current;
                p.nextCodeLength = codeLength;
                if (current == label) {
                    p.found = true;
                    long valueAt = getVarint(after, p.v);
                    p.valueLength = (int) p.v[0];
                    p.valueAt = valueAt;
                    p.end = valueAt + p.valueLength;
                }
                return;
            }
            p.prev = current;
            p.hasPrev = true;
            long valueAt = getVarint(after, p.v);
            at = valueAt + p.v[0];
        }
        p.k = count;
        p.at = at;
        p.nextCodeLength = 0;
    }

    /** Moves the records from {@code from} to the end of the node by {@code by} bytes (either way). */
    private static void shift(long node, long from, long by) {
        long end = node + NODE_HEADER + nUsed(node);
        if (by != 0 && end > from) {
            UnsafeApi.copyMemory(from, from + by, end - from);
        }
        UnsafeApi.putInt(node + N_USED, (int) (nUsed(node) + by));
    }

    private static int putRecord(long at, long code, DirectBuffer v, int off, int len) {
        int n = putVarint(at, code);
        n += putVarint(at + n, len);
        EntryLayout.copyFrom(v, off, at + n, len);
        return n + len;
    }

    // ------------------------------------------------------------------ changes

    /**
     * Sets the element with {@code label} to the value: replaces its value when the label is there, else
     * inserts it at its place in label order.
     *
     * @return true when the element is new
     * @throws StoreMemoryException when the budget refuses; the list is then unchanged or, for a replacement
     *                              that had to move, lacks the element (never inconsistent)
     */
    static boolean put(long list, SlabAllocator alloc, MemoryBudget budget, long label, DirectBuffer v, int off,
                       int len, Place p) {
        if (!labelInRange(label)) {
            throw new IllegalArgumentException("list label " + label + " is outside [" + LABEL_MIN + ", "
                    + LABEL_MAX + "]");
        }
        v.boundsCheck(off, len);
        int n = nodes(list);
        if (n == 0) {
            long node = newNode(list, alloc, budget, recordLength(0, len));
            try {
                insertNode(list, alloc, budget, 0, node);
            } catch (RuntimeException | Error e) {
                freeBlock(list, alloc, budget, node, nCapacity(node));
                throw e;
            }
            writeOnly(node, label, v, off, len);
            addCount(list, 1);
            return true;
        }
        int i;
        long node;
        long tail = node(list, n - 1);
        if (label > nLast(tail)) {
            i = n - 1;
            node = tail;
            p.found = false;
            p.k = nCount(node);
            p.at = node + NODE_HEADER + nUsed(node);
            p.hasPrev = true;
            p.prev = nLast(node);
            p.nextCodeLength = 0;
        } else {
            i = nodeFor(list, label);
            node = node(list, i);
            locate(node, label, p);
        }
        if (p.found) {
            return replace(list, alloc, budget, i, node, label, v, off, len, p);
        }
        insert(list, alloc, budget, i, node, label, v, off, len, p);
        addCount(list, 1);
        return true;
    }

    /** Writes the only record of an empty node. */
    private static void writeOnly(long node, long label, DirectBuffer v, int off, int len) {
        int written = putRecord(node + NODE_HEADER, 0, v, off, len);
        UnsafeApi.putInt(node + N_COUNT, 1);
        UnsafeApi.putInt(node + N_USED, written);
        UnsafeApi.putLong(node + N_FIRST, label);
        UnsafeApi.putLong(node + N_LAST, label);
    }

    private static boolean replace(long list, SlabAllocator alloc, MemoryBudget budget, int i, long node,
                                   long label, DirectBuffer v, int off, int len, Place p) {
        long lengthAt = p.at + p.nextCodeLength;
        long oldTail = p.end - lengthAt;
        long newTail = varintLength(len) + (long) len;
        long grow = newTail - oldTail;
        if (nUsed(node) + grow > nCapacity(node) - NODE_HEADER) {
            if (NODE_HEADER + nUsed(node) + grow <= NODE_MAX) {
                long moved = growNode(list, alloc, budget, i, node, nUsed(node) + grow);
                lengthAt += moved - node;
                node = moved;
            } else {
                remove(list, alloc, budget, label, p);
                put(list, alloc, budget, label, v, off, len, p);
                return false;
            }
        }
        shift(node, lengthAt + oldTail, grow);
        int n = putVarint(lengthAt, len);
        EntryLayout.copyFrom(v, off, lengthAt + n, len);
        return false;
    }

    private static void insert(long list, SlabAllocator alloc, MemoryBudget budget, int i, long node, long label,
                               DirectBuffer v, int off, int len, Place p) {
        int count = nCount(node);
        boolean last = p.k == count;
        long code = p.k == 0 ? 0 : code(label - p.prev);
        long record = recordLength(code, len);
        long nextCode = last ? 0 : code(p.next - label);
        long extra = record + (last ? 0 : varintLength(nextCode) - p.nextCodeLength);
        long room = nCapacity(node) - NODE_HEADER - nUsed(node);
        if (extra > room) {
            // A node grows up to 4 KiB, and only while it holds fewer than NODE_RECORDS (it fills its block anyway).
            if (count < NODE_RECORDS && NODE_HEADER + nUsed(node) + extra <= NODE_MAX) {
                long moved = growNode(list, alloc, budget, i, node, nUsed(node) + extra);
                p.at += moved - node;
                node = moved;
            } else if (last && i + 1 < nodes(list) && headRoom(node(list, i + 1), label, len)) {
                // The end of a full node: the head of the next one, if it has room.
                long next = node(list, i + 1);
                locate(next, label, p);
                insert(list, alloc, budget, i + 1, next, label, v, off, len, p);
                return;
            } else if (p.k == 0 || last || NODE_HEADER + recordLength(0, len) > NODE_MAX / 2) {
                // Either end of a full node, or a large element: a node of its own, the node split around it.
                if (p.k > 0 && !last) {
                    split(list, alloc, budget, i, node, p.k, p.at, p);
                    i++;
                } else if (last) {
                    i++;
                }
                long own = newNode(list, alloc, budget, recordLength(0, len));
                try {
                    insertNode(list, alloc, budget, i, own);
                } catch (RuntimeException | Error e) {
                    freeBlock(list, alloc, budget, own, nCapacity(own));
                    throw e;
                }
                writeOnly(own, label, v, off, len);
                return;
            } else {
                // The middle of a full node: split it in two halves and insert into the one that gets the spot.
                splitHalf(list, alloc, budget, i, node, p);
                int j = nFirst(node(list, i + 1)) <= label ? i + 1 : i;
                long half = node(list, j);
                locate(half, label, p);
                insert(list, alloc, budget, j, half, label, v, off, len, p);
                return;
            }
        }
        long at = p.at;
        shift(node, at + p.nextCodeLength, extra);
        int written = putRecord(at, code, v, off, len);
        if (!last) {
            putVarint(at + written, nextCode);
        }
        UnsafeApi.putInt(node + N_COUNT, count + 1);
        if (p.k == 0) {
            UnsafeApi.putLong(node + N_FIRST, label);
        }
        if (last) {
            UnsafeApi.putLong(node + N_LAST, label);
        }
    }

    /** Whether the node has room for a record with this label at its head. */
    private static boolean headRoom(long node, long label, int len) {
        long extra = recordLength(0, len) + varintLength(code(nFirst(node) - label)) - 1;
        return nUsed(node) + extra <= (nCount(node) < NODE_RECORDS ? NODE_ROOM : nCapacity(node) - NODE_HEADER);
    }

    /** Splits node {@code i} before its record {@code k} (at address {@code at}) into two nodes. */
    private static void split(long list, SlabAllocator alloc, MemoryBudget budget, int i, long node, int k,
                              long at, Place p) {
        long end = node + NODE_HEADER + nUsed(node);
        // The record at k becomes the first of the new node: its code becomes 0.
        long afterCode = getVarint(at, p.v);
        long label = labelAt(node, k, p.v);
        long moved = end - afterCode;
        long second = newNode(list, alloc, budget, moved + 1);
        try {
            insertNode(list, alloc, budget, i + 1, second);
        } catch (RuntimeException | Error e) {
            freeBlock(list, alloc, budget, second, nCapacity(second));
            throw e;
        }
        UnsafeApi.putByte(second + NODE_HEADER, (byte) 0);
        UnsafeApi.copyMemory(afterCode, second + NODE_HEADER + 1, moved);
        UnsafeApi.putInt(second + N_COUNT, nCount(node) - k);
        UnsafeApi.putInt(second + N_USED, (int) (moved + 1));
        UnsafeApi.putLong(second + N_FIRST, label);
        UnsafeApi.putLong(second + N_LAST, nLast(node));
        UnsafeApi.putLong(node + N_LAST, labelAt(node, k - 1, p.v));
        UnsafeApi.putInt(node + N_COUNT, k);
        UnsafeApi.putInt(node + N_USED, (int) (at - node - NODE_HEADER));
    }

    /** Splits node {@code i} into halves by bytes. */
    private static void splitHalf(long list, SlabAllocator alloc, MemoryBudget budget, int i, long node, Place p) {
        long at = node + NODE_HEADER;
        long half = at + nUsed(node) / 2;
        int count = nCount(node);
        int k = 0;
        do {
            at = getVarint(getVarint(at, p.v), p.v) + p.v[0];
            k++;
        } while (k < count - 1 && at < half);
        split(list, alloc, budget, i, node, k, at, p);
    }

    /** The label of record {@code k} of a node (a scan). */
    private static long labelAt(long node, int k, long[] v) {
        long at = node + NODE_HEADER;
        long label = nFirst(node);
        for (int j = 0; ; j++) {
            long after = getVarint(at, v);
            if (j > 0) {
                label += delta(v[0]);
            }
            if (j == k) {
                return label;
            }
            at = getVarint(after, v);
            at += v[0];
        }
    }

    /**
     * Removes the element with {@code label}.
     *
     * @return true when it was there
     */
    static boolean remove(long list, SlabAllocator alloc, MemoryBudget budget, long label, Place p) {
        int n = nodes(list);
        if (n == 0 || label < firstLabel(list) || label > lastLabel(list)) {
            return false;
        }
        int i = nodeFor(list, label);
        long node = node(list, i);
        locate(node, label, p);
        if (!p.found) {
            return false;
        }
        int count = nCount(node);
        addCount(list, -1);
        if (count == 1) {
            removeNode(list, i);
            freeBlock(list, alloc, budget, node, nCapacity(node));
            return true;
        }
        long end = p.end;
        if (p.k < count - 1) {
            // The next record's label code now counts from the label before (or is 0 for a new first).
            long[] v = p.v;
            long afterCode = getVarint(end, v);
            long next = label + delta(v[0]);
            long nextCode = p.k == 0 ? 0 : code(next - p.prev);
            int newCodeLength = varintLength(nextCode);
            shift(node, afterCode, -(afterCode - p.at) + newCodeLength);
            putVarint(p.at, nextCode);
            if (p.k == 0) {
                UnsafeApi.putLong(node + N_FIRST, next);
            }
        } else {
            shift(node, end, -(end - p.at));
            UnsafeApi.putLong(node + N_LAST, p.prev);
        }
        UnsafeApi.putInt(node + N_COUNT, count - 1);
        mergeIfSmall(list, alloc, budget, i, node);
        return true;
    }

    /** Merges a node that fell below a quarter full into a neighbour when both fit in half a node. */
    private static void mergeIfSmall(long list, SlabAllocator alloc, MemoryBudget budget, int i, long node) {
        int used = nUsed(node);
        if (used >= NODE_ROOM / 4 && nCount(node) >= NODE_RECORDS / 4) {
            return;
        }
        int n = nodes(list);
        int count = nCount(node);
        if (i + 1 < n && nUsed(node(list, i + 1)) + used + 10 <= NODE_ROOM / 2
                && nCount(node(list, i + 1)) + count <= NODE_RECORDS / 2) {
            append(list, alloc, budget, i, node, node(list, i + 1));
        } else if (i > 0 && nUsed(node(list, i - 1)) + used + 10 <= NODE_ROOM / 2
                && nCount(node(list, i - 1)) + count <= NODE_RECORDS / 2) {
            append(list, alloc, budget, i - 1, node(list, i - 1), node);
        }
    }

    /** Moves the records of node {@code i + 1} ({@code b}) to the end of node {@code i} ({@code a}). */
    private static void append(long list, SlabAllocator alloc, MemoryBudget budget, int i, long a, long b) {
        long code = code(nFirst(b) - nLast(a));
        int codeLength = varintLength(code);
        long moved = nUsed(b) - 1; // b's first record without its one-byte code 0
        long need = nUsed(a) + codeLength + moved;
        if (need > nCapacity(a) - NODE_HEADER) {
            try {
                a = growNode(list, alloc, budget, i, a, need);
            } catch (StoreMemoryException e) {
                return; // merging is an optimisation: the list stays as it is
            }
        }
        long at = a + NODE_HEADER + nUsed(a);
        putVarint(at, code);
        UnsafeApi.copyMemory(b + NODE_HEADER + 1, at + codeLength, moved);
        UnsafeApi.putInt(a + N_USED, (int) need);
        UnsafeApi.putInt(a + N_COUNT, nCount(a) + nCount(b));
        UnsafeApi.putLong(a + N_LAST, nLast(b));
        removeNode(list, i + 1);
        freeBlock(list, alloc, budget, b, nCapacity(b));
    }

    /** A reusable place for {@link #put} and {@link #remove}; one per shard. */
    static Place newPlace() {
        return new Place();
    }

    // ------------------------------------------------------------------ reading

    /**
     * A position in a list: an element's index, label and value. Valid while the shard's lock is held and the
     * list is unchanged. Not thread-safe.
     */
    static final class Cursor {
        private final long[] v = new long[1];
        private long list;
        private int slot;
        private long node;
        private int inNode;
        private long index;
        private long at;
        private long label;
        long value;
        int valueLength;
        private long end;
        // Going backwards: the records of one node, found by a forward scan.
        private int[] offsets;
        private long[] labels;
        private long offsetsNode;

        long label() {
            return label;
        }

        long index() {
            return index;
        }

        /** Positions on element {@code i}; false when there is none. */
        boolean seek(long list, long i) {
            this.list = list;
            offsetsNode = 0;
            long total = count(list);
            if (i < 0 || i >= total) {
                return false;
            }
            int n = nodes(list);
            long base;
            int s;
            if (i < total / 2) {
                s = 0;
                base = 0;
                while (base + nCount(node(list, s)) <= i) {
                    base += nCount(node(list, s));
                    s++;
                }
            } else {
                s = n - 1;
                base = total - nCount(node(list, s));
                while (base > i) {
                    s--;
                    base -= nCount(node(list, s));
                }
            }
            slot = s;
            node = node(list, s);
            decodeFirst();
            index = base;
            for (long k = base; k < i; k++) {
                stepInNode();
            }
            return true;
        }

        private void decodeFirst() {
            inNode = 0;
            at = node + NODE_HEADER;
            label = nFirst(node);
            decodeRest(getVarint(at, v));
        }

        private void decodeRest(long afterCode) {
            value = getVarint(afterCode, v);
            valueLength = (int) v[0];
            end = value + valueLength;
        }

        private void stepInNode() {
            at = end;
            long afterCode = getVarint(at, v);
            label += delta(v[0]);
            inNode++;
            index++;
            decodeRest(afterCode);
        }

        /** Moves to the next element; false at the tail. */
        boolean next() {
            if (inNode + 1 < nCount(node)) {
                stepInNode();
                return true;
            }
            if (slot + 1 >= nodes(list)) {
                return false;
            }
            slot++;
            node = node(list, slot);
            decodeFirst();
            index++;
            return true;
        }

        /** Moves to the previous element; false at the head. */
        boolean prev() {
            if (inNode == 0) {
                if (slot == 0) {
                    return false;
                }
                slot--;
                node = node(list, slot);
                inNode = nCount(node);
            }
            if (offsetsNode != node) {
                scanOffsets();
            }
            inNode--;
            index--;
            at = node + offsets[inNode];
            label = labels[inNode];
            decodeRest(getVarint(at, v));
            return true;
        }

        private void scanOffsets() {
            int count = nCount(node);
            if (offsets == null || offsets.length < count) {
                offsets = new int[Math.max(count, MAX_NODE_RECORDS)];
                labels = new long[offsets.length];
            }
            long a = node + NODE_HEADER;
            long l = nFirst(node);
            for (int k = 0; k < count; k++) {
                long afterCode = getVarint(a, v);
                if (k > 0) {
                    l += delta(v[0]);
                }
                offsets[k] = (int) (a - node);
                labels[k] = l;
                a = getVarint(afterCode, v);
                a += v[0];
            }
            offsetsNode = node;
        }
    }

    // ------------------------------------------------------------------ checks

    /** Block bytes of the list from slabs and large ones, {small, large}: for the shard's checks. */
    static long[] blockBytes(long list) {
        long small = SlabAllocator.blockBytesFor(HEADER_LENGTH, 0);
        long large = 0;
        long slotsLength = 8L * UnsafeApi.getInt(list + H_CAPACITY);
        long slots = SlabAllocator.blockBytesOf(UnsafeApi.getLong(list + H_SLOTS), slotsLength);
        if (slotsLength > SlabAllocator.MAX_SMALL) {
            large += slots;
        } else {
            small += slots;
        }
        for (int i = 0, n = nodes(list); i < n; i++) {
            long node = node(list, i);
            long bytes = SlabAllocator.blockBytesOf(node, nCapacity(node));
            if (nCapacity(node) > SlabAllocator.MAX_SMALL) {
                large += bytes;
            } else {
                small += bytes;
            }
        }
        return new long[] {small, large};
    }

    /** Checks the list's invariants; throws IllegalStateException naming the first one broken. */
    static void verify(long list) {
        long[] v = new long[1];
        int n = nodes(list);
        long total = 0;
        long previous = Long.MIN_VALUE;
        long bytes = SlabAllocator.blockBytesFor(HEADER_LENGTH, 0) + SlabAllocator.blockBytesOf(
                UnsafeApi.getLong(list + H_SLOTS), 8L * UnsafeApi.getInt(list + H_CAPACITY));
        if (UnsafeApi.getInt(list + H_START) < 0
                || UnsafeApi.getInt(list + H_START) + n > UnsafeApi.getInt(list + H_CAPACITY)) {
            throw new IllegalStateException("list directory out of bounds");
        }
        for (int i = 0; i < n; i++) {
            long node = node(list, i);
            int count = nCount(node);
            if (count < 1) {
                throw new IllegalStateException("list node " + i + " is empty");
            }
            if (NODE_HEADER + (long) nUsed(node) > nCapacity(node)) {
                throw new IllegalStateException("list node " + i + " overflows its block");
            }
            bytes += SlabAllocator.blockBytesOf(node, nCapacity(node));
            long at = node + NODE_HEADER;
            long label = nFirst(node);
            for (int k = 0; k < count; k++) {
                long afterCode = getVarint(at, v);
                if (k == 0 && v[0] != 0) {
                    throw new IllegalStateException("list node " + i + " has a first record with code " + v[0]);
                }
                if (k > 0) {
                    label += delta(v[0]);
                }
                if (label <= previous || !labelInRange(label)) {
                    throw new IllegalStateException("list node " + i + " record " + k + " has label " + label
                            + " after " + previous);
                }
                previous = label;
                at = getVarint(afterCode, v);
                at += v[0];
            }
            if (at != node + NODE_HEADER + nUsed(node)) {
                throw new IllegalStateException("list node " + i + " records end at " + (at - node - NODE_HEADER)
                        + ", its header says " + nUsed(node));
            }
            if (label != nLast(node)) {
                throw new IllegalStateException("list node " + i + " last label " + nLast(node) + " but records end"
                        + " with " + label);
            }
            total += count;
        }
        if (total != count(list)) {
            throw new IllegalStateException("list counts " + count(list) + " elements, its nodes " + total);
        }
        if (bytes != memoryBytes(list)) {
            throw new IllegalStateException("list memory " + memoryBytes(list) + " bytes, its blocks " + bytes);
        }
    }
}
