package io.qrrot.engine.store;

import net.openhft.hashing.LongHashFunction;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

/**
 * The large encoding of a collection (the fields of a hash, the members of a set): an open-addressing table
 * of elements that lives off the Java heap in blocks of its shard's {@link SlabAllocator}, with no Java object
 * per element or per table. A table is named by the address of its header block, which never changes, so the
 * store entry of the collection keeps it as a plain {@code long}; the slot array behind it is replaced when
 * the table grows or shrinks. Not thread-safe: used under the shard's lock. Native byte order: a table lives
 * only in memory.
 *
 * <p><b>Header</b> (one 40-byte block):
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 slot array address (int64) ...                |
 *  +---------------------------------------------------------------+
 *  |                  ... slot array address                       |
 *  +---------------------------------------------------------------+
 *  |                   element count (int32)                       |
 *  +---------------+---------------+-------------------------------+
 *  | capacity bits |   flags (P)   |           (unused)            |
 *  +---------------+---------------+-------------------------------+
 *  |        tail slots (int32): slots after the 2^bits home slots  |
 *  +---------------------------------------------------------------+
 *  |     modification count (int32): a visitor that writes fails   |
 *  +---------------------------------------------------------------+
 *  |        element block bytes (int64): for MEMORY USAGE ...      |
 *  +---------------------------------------------------------------+
 *  |                 ... element block bytes                       |
 *  +---------------------------------------------------------------+
 *  |        hash mask (int64): all ones except in tests ...        |
 *  +---------------------------------------------------------------+
 *  |                 ... hash mask                                 |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p><b>Slot</b> (8 bytes; 0 = empty): the element block's address without its three zero low bits (blocks
 * are 8-byte aligned and user-space addresses on x86-64 and aarch64 Linux are below 2^48, which
 * {@link #encode} checks), the slot's distance from the element's home slot, and 12 low bits of the
 * element's hash as a tag:
 *
 * <pre>
 *   63          52 51       45 44                                          0
 *  +--------------+-----------+---------------------------------------------+
 *  |  tag (12 b)  | dist (7 b)|         block address &gt;&gt;&gt; 3 (45 b)          |
 *  +--------------+-----------+---------------------------------------------+
 * </pre>
 *
 * <p><b>Element block</b> (one allocator block per element, its size class recomputed from the lengths and
 * never stored): a varint (LEB128) holding the element length shifted left by one with P, "a payload
 * follows", in bit 0, so that a block describes itself; then the element; then, when P is 1, a varint
 * payload length and the payload. A set member of up to 63 bytes costs one length byte, a hash field of
 * 8 bytes with an 8-byte value 18 bytes (a 24-byte block).
 *
 * <pre>
 *  +-------------------------+---------------+--------------------------+---------------+
 *  | varint (len &lt;&lt; 1 | P)  | element bytes | varint payload len (P=1) | payload bytes |
 *  +-------------------------+---------------+--------------------------+---------------+
 * </pre>
 *
 * <p><b>Why this layout.</b> A slot of 8 bytes rather than a 16-byte (hash, address) pair keeps a 1M-field
 * hash of small fields near 40 bytes per field all-in (Redis: about 70 to 90). The table stores no full
 * hash, so the slot carries what probing needs: the tag makes a lookup compare element bytes (one cache miss
 * into the block) for only about 1 in 4096 slots of the same home that do not hold it, and the distance makes
 * this Robin Hood hashing with linear probing, for three reasons. (1) Inserting and removing move slots only
 * by their distances (shift the rest of the run right, or back) and never read another element's block to
 * learn its home. (2) A run is sorted by home slot, so an absent element is known absent as soon as a slot
 * with a smaller distance turns up. (3) Homes are the hash's top bits and the array does not wrap around
 * (elements displaced past the last home slot go into tail slots behind it), so slot order is hash order,
 * which makes the scan cursor a position in hash space that survives resizing (see {@link #scan}). A distance
 * of 127 or more is stored as 127 and recomputed from the element's hash when needed: only a hasher that
 * collides massively (tests) gets there. The tail is enlarged when a run would leave it.
 *
 * <p><b>Growth and shrinking.</b> The table doubles before an insert would take it past 85% of its home slots,
 * and shrinks to the smallest power of two at most half full after a removal leaves it less than 1/8 full.
 * Doubling needs one more home bit per element, which the slot does not hold, so it rehashes every element
 * from its block: one pass that costs about a random memory access per element (50 to 90 ms of CPU time for
 * the doubling at 891k elements of 8 bytes, as Redis would pay without its incremental rehash; a caller that
 * knows the size presizes with {@code create}). Shrinking takes homes from the slots and reads no block.
 *
 * <p><b>Memory.</b> Every block comes from the shard's allocator and is reserved in the {@link MemoryBudget}
 * first: a refused reservation throws {@link StoreMemoryException} and leaves the table exactly as it was.
 * Removing never fails (a shrink that cannot get memory is skipped). Nothing allocates on the Java heap.
 *
 * <p><b>Hashes.</b> Every method taking an {@code elementHash} expects {@link #hash} of the element bytes,
 * because growing recomputes it from the blocks. That hash is xxHash3-64 put through a bijective mixer, so that
 * it orders elements otherwise than the snapshot's element order (plain xxHash3-64): a snapshot streams a
 * collection in its order, and a growing table filled in its own hash order would crowd every element into
 * the low end of its home slots, one ever longer run (loading a 200,000-member collection took minutes).
 */
final class ElementTable {
    static final int SLOTS_OFFSET = 0;
    static final int COUNT_OFFSET = 8;
    static final int CAPACITY_BITS_OFFSET = 12;
    static final int FLAGS_OFFSET = 13;
    static final int TAIL_OFFSET = 16;
    static final int MOD_COUNT_OFFSET = 20;
    static final int ELEMENT_BYTES_OFFSET = 24;
    static final int HASH_MASK_OFFSET = 32;
    static final int HEADER_LENGTH = 40;
    /** Flag: element blocks carry a payload (a hash); clear for set members. */
    static final int FLAG_PAYLOADS = 1;

    /** The smallest table has 2^3 home slots. */
    static final int MIN_CAPACITY_BITS = 3;
    /** 2^30 home slots (8 GiB of slots) is the limit: slot indexes are ints and cursors have 32 bits. */
    static final int MAX_CAPACITY_BITS = 30;
    /** Doubles before the count exceeds this share of the home slots. */
    static final int MAX_LOAD_PERCENT = 85;
    /** Shrinks when the count drops below 1/this of the home slots. */
    static final int SHRINK_DIVISOR = 8;
    /** The longest element: its length shifted by one must stay a positive int. */
    static final int MAX_ELEMENT_LENGTH = (1 << 30) - 1;

    static final int ADDRESS_BITS = 45;
    static final long ADDRESS_MASK = (1L << ADDRESS_BITS) - 1;
    static final int DIST_SHIFT = ADDRESS_BITS;
    /** A stored distance of this value means "this or more": recompute from the hash. */
    static final int DIST_SATURATED = 127;
    static final int TAG_SHIFT = 52;
    static final int TAG_MASK = 0xFFF;
    private static final long DIST_FIELD = (long) DIST_SATURATED << DIST_SHIFT;
    private static final long DIST_ONE = 1L << DIST_SHIFT;
    private static final int MIN_TAIL = 8;
    private static final int MAX_DEFAULT_TAIL = 1024;
    private static final long HEADER_BLOCK_BYTES = SlabAllocator.blockBytesFor(HEADER_LENGTH, 0);
    private static final LongHashFunction XX3 = LongHashFunction.xx3();

    private ElementTable() {
    }

    // ------------------------------------------------------------------ creating and freeing

    /**
     * Creates an empty table with room for {@code expected} elements before it grows. Reserves its memory in
     * {@code budget} first.
     *
     * @param payloads true for a hash (each element has a payload), false for set members
     * @return the table's address, stable for its whole life
     * @throws StoreMemoryException when the budget or the operating system refuses (nothing is allocated)
     */
    static long create(SlabAllocator alloc, MemoryBudget budget, boolean payloads, int expected) {
        return create(alloc, budget, payloads, expected, -1L);
    }

    /** As {@link #create(SlabAllocator, MemoryBudget, boolean, int)}; tests mask hashes to force collisions. */
    static long create(SlabAllocator alloc, MemoryBudget budget, boolean payloads, int expected, long hashMask) {
        if (expected < 0) {
            throw new IllegalArgumentException("expected elements must be >= 0, got " + expected);
        }
        int bits = MIN_CAPACITY_BITS;
        while (maxCount(bits) < expected) {
            if (++bits > MAX_CAPACITY_BITS) {
                throw new IllegalArgumentException("a table of " + expected + " elements is not supported");
            }
        }
        int slotCount = slotCountFor(bits, defaultTail(bits));
        long arrayLength = 8L * slotCount;
        long bytes = HEADER_BLOCK_BYTES + SlabAllocator.blockBytesFor(arrayLength, 0);
        budget.reserve(bytes);
        long table = 0;
        long slots;
        try {
            table = alloc.allocate(HEADER_LENGTH, 0);
            slots = alloc.allocate(arrayLength, 0);
        } catch (RuntimeException | OutOfMemoryError e) {
            if (table != 0) {
                alloc.free(table, HEADER_LENGTH);
            }
            budget.release(bytes);
            throw e;
        }
        UnsafeApi.setMemory(slots, arrayLength, (byte) 0);
        UnsafeApi.setMemory(table, HEADER_LENGTH, (byte) 0);
        UnsafeApi.putLong(table + SLOTS_OFFSET, slots);
        UnsafeApi.putByte(table + CAPACITY_BITS_OFFSET, (byte) bits);
        UnsafeApi.putByte(table + FLAGS_OFFSET, (byte) (payloads ? FLAG_PAYLOADS : 0));
        UnsafeApi.putInt(table + TAIL_OFFSET, slotCount - (1 << bits));
        UnsafeApi.putLong(table + HASH_MASK_OFFSET, hashMask);
        return table;
    }

    /** Frees the element blocks, the slot array and the header, releasing their bytes from the budget. */
    static void free(long table, SlabAllocator alloc, MemoryBudget budget) {
        long slots = slots(table);
        int n = slotCount(table);
        long bytes = memoryBytes(table);
        for (int i = 0; i < n; i++) {
            long s = slot(slots, i);
            if (s != 0) {
                long block = blockOf(s);
                alloc.free(block, blockLength(block));
            }
        }
        alloc.free(slots, 8L * n);
        alloc.free(table, HEADER_LENGTH);
        budget.release(bytes);
    }

    /**
     * Frees only the large blocks (the slot array when large, elements of more than
     * {@link SlabAllocator#MAX_SMALL} bytes), for a shard that then gives all its slabs back with
     * {@link SlabAllocator#releaseAll()} and settles the budget itself. The table cannot be used afterwards.
     */
    static void freeLargeBlocks(long table, SlabAllocator alloc) {
        long slots = slots(table);
        int n = slotCount(table);
        for (int i = 0; i < n; i++) {
            long s = slot(slots, i);
            if (s != 0) {
                long block = blockOf(s);
                if (blockLength(block) > SlabAllocator.MAX_SMALL) {
                    alloc.freeLarge(block);
                }
            }
        }
        if (8L * n > SlabAllocator.MAX_SMALL) {
            alloc.freeLarge(slots);
        }
    }

    // ------------------------------------------------------------------ hashing

    /** The hash every lookup takes: xxHash3-64 (seed 0) of element bytes in a heap or off-heap buffer, mixed. */
    static long hash(DirectBuffer buffer, int offset, int length) {
        return mix(KeyHasher.XX3.hash(buffer, offset, length));
    }

    /** {@link #hash} of {@code length} off-heap bytes at {@code address}; agrees with the other overload. */
    static long hash(long address, int length) {
        return mix(XX3.hashMemory(address, length));
    }

    // ------------------------------------------------------------------ elements

    /** Elements in the table. */
    static long count(long table) {
        return count0(table);
    }

    /** Whether element blocks carry payloads (a hash) or not (set members). */
    static boolean hasPayloads(long table) {
        return (UnsafeApi.getByte(table + FLAGS_OFFSET) & FLAG_PAYLOADS) != 0;
    }

    /**
     * The block of an element, or 0 when it is absent.
     *
     * @param elementHash {@link #hash} of the element bytes
     */
    static long find(long table, DirectBuffer e, int eoff, int elen, long elementHash) {
        e.boundsCheck(eoff, elen);
        int i = locate(table, e, eoff, elen, elementHash & hashMask(table));
        return i >= 0 ? blockOf(slot(slots(table), i)) : 0;
    }

    /**
     * Inserts an element, or replaces its payload when it is present. A replacement whose block keeps its size
     * class is written in place. The element and payload may point into this table's blocks: they are read
     * before any block is freed.
     *
     * @param elementHash {@link #hash} of the element bytes
     * @param p           the payload; ignored (may be null) when {@code plen} is 0; must be empty for a
     *                    member-only table
     * @return true when the element is new
     * @throws StoreMemoryException when the budget or the operating system refuses (the table is unchanged)
     */
    static boolean put(long table, SlabAllocator alloc, MemoryBudget budget, DirectBuffer e, int eoff, int elen,
                       long elementHash, DirectBuffer p, int poff, int plen) {
        checkElement(table, e, eoff, elen, p, poff, plen);
        boolean payloads = hasPayloads(table);
        long h = elementHash & hashMask(table);
        int i = locate(table, e, eoff, elen, h);
        if (i >= 0) {
            if (payloads) {
                replacePayload(table, alloc, budget, i, p, poff, plen);
            }
            return false;
        }
        insert(table, alloc, budget, ~i, h, e, eoff, elen, payloads, p, poff, plen);
        return true;
    }

    /**
     * Adds an element the caller knows is absent (it looked it up) and returns its block, which stays where it
     * is until the element is removed (a sorted set's {@link ScoreIndex} refers to it).
     *
     * @throws IllegalStateException when the element is present
     * @throws StoreMemoryException  when the budget or the operating system refuses (the table is unchanged)
     */
    static long add(long table, SlabAllocator alloc, MemoryBudget budget, DirectBuffer e, int eoff, int elen,
                    long elementHash, DirectBuffer p, int poff, int plen) {
        checkElement(table, e, eoff, elen, p, poff, plen);
        long h = elementHash & hashMask(table);
        int i = locate(table, e, eoff, elen, h);
        if (i >= 0) {
            throw new IllegalStateException("the element is already in the table");
        }
        return insert(table, alloc, budget, ~i, h, e, eoff, elen, hasPayloads(table), p, poff, plen);
    }

    private static void checkElement(long table, DirectBuffer e, int eoff, int elen, DirectBuffer p, int poff,
                                     int plen) {
        if (elen > MAX_ELEMENT_LENGTH) {
            throw new IllegalArgumentException("an element is at most " + MAX_ELEMENT_LENGTH + " bytes, got " + elen);
        }
        e.boundsCheck(eoff, elen);
        if (plen < 0) {
            throw new IllegalArgumentException("negative payload length " + plen);
        }
        if (plen != 0) {
            if (!hasPayloads(table)) {
                throw new IllegalArgumentException("a member-only table stores no payload, got " + plen + " bytes");
            }
            p.boundsCheck(poff, plen);
        }
    }

    /**
     * Removes an element and frees its block; may shrink the table. Never fails for lack of memory.
     *
     * @param elementHash {@link #hash} of the element bytes
     * @return true when the element was present
     */
    static boolean remove(long table, SlabAllocator alloc, MemoryBudget budget, DirectBuffer e, int eoff, int elen,
                          long elementHash) {
        e.boundsCheck(eoff, elen);
        int i = locate(table, e, eoff, elen, elementHash & hashMask(table));
        if (i < 0) {
            return false;
        }
        long slots = slots(table);
        long block = blockOf(slot(slots, i));
        long length = blockLength(block);
        long bytes = SlabAllocator.blockBytesOf(block, length);
        shiftBack(table, slots, slotCount(table), i);
        int count = count0(table) - 1;
        UnsafeApi.putInt(table + COUNT_OFFSET, count);
        addElementBytes(table, -bytes);
        bumpModCount(table);
        alloc.free(block, length);
        budget.release(bytes);
        int bits = bits(table);
        if (bits > MIN_CAPACITY_BITS && count < (1 << bits) / SHRINK_DIVISOR) {
            int target = Math.max(MIN_CAPACITY_BITS, 32 - Integer.numberOfLeadingZeros(Math.max(1, 2 * count) - 1));
            try {
                rebuild(table, alloc, budget, target, 0, 0);
            } catch (StoreMemoryException refused) {
                // Shrinking is an optimisation: a table that cannot get the smaller array stays as it is.
            }
        }
        return true;
    }

    /**
     * Overwrites the payload of an element in place with as many bytes (a sorted-set member's new score): the
     * block stays where it is, so references to it (a {@link ScoreIndex}) stay valid. Cannot fail.
     */
    static void overwritePayload(long table, long block, DirectBuffer p, int poff, int plen) {
        if (plen != payloadLength(block)) {
            throw new IllegalArgumentException("overwritePayload needs " + payloadLength(block) + " bytes, got "
                    + plen);
        }
        EntryLayout.copyFrom(p, poff, payloadAddress(block), plen);
        bumpModCount(table);
    }

    // ------------------------------------------------------------------ element blocks

    /** Address of the element bytes in a block. */
    static long elementAddress(long block) {
        return block + varintSize(readVarint(block));
    }

    static int elementLength(long block) {
        return readVarint(block) >>> 1;
    }

    /** Address of the payload bytes; for a member-only block, just past the element. */
    static long payloadAddress(long block) {
        int header = readVarint(block);
        long after = block + varintSize(header) + (header >>> 1);
        return (header & 1) == 0 ? after : after + varintSize(readVarint(after));
    }

    /** Length of the payload, 0 for a member-only block. */
    static int payloadLength(long block) {
        int header = readVarint(block);
        return (header & 1) == 0 ? 0 : readVarint(block + varintSize(header) + (header >>> 1));
    }

    /** Bytes of an element block (its allocator size class follows from this). */
    static long blockLength(long block) {
        int header = readVarint(block);
        long length = varintSize(header) + (long) (header >>> 1);
        if ((header & 1) != 0) {
            int plen = readVarint(block + length);
            length += varintSize(plen) + (long) plen;
        }
        return length;
    }

    /** Bytes of an element block with these lengths. */
    static long blockLength(int elen, int plen, boolean payloads) {
        long length = varintSize(elen << 1) + (long) elen;
        return payloads ? length + varintSize(plen) + plen : length;
    }

    // ------------------------------------------------------------------ iteration

    /** Slots in the array: the 2^bits home slots and the tail behind them. Iterate with {@link #blockAt}. */
    static int slotCount(long table) {
        return (1 << bits(table)) + UnsafeApi.getInt(table + TAIL_OFFSET);
    }

    /** log2 of the home slots: the table has grown or shrunk when this changes. */
    static int capacityBits(long table) {
        return bits(table);
    }

    /** The element block in a slot, 0 when the slot is empty. */
    static long blockAt(long table, int slot) {
        if (slot < 0 || slot >= slotCount(table)) {
            throw new IndexOutOfBoundsException("slot " + slot + " of " + slotCount(table));
        }
        long s = slot(slots(table), slot);
        return s == 0 ? 0 : blockOf(s);
    }

    /**
     * Visits some elements and returns the cursor to continue from, 0 when the scan is done; start with 0. Each
     * call visits at least {@code count} elements unless it reaches the end, and more when it must finish a
     * run (or it gives up after examining {@code 10 * count} slots of a sparse table). As Redis' HSCAN: every
     * element present during the whole scan is visited at least once, whatever is inserted, removed, grown or
     * shrunk between calls; an element may be visited more than once. A cursor outside [0, 2^32) ends the scan.
     *
     * <p>Why: a cursor C means "every element whose hash's top 32 bits are below C has been visited". A call
     * at 2^b home slots starts at slot {@code C >>> (32 - b)}: an element at or above C has its home there or
     * later, and homes never wrap around, so it sits there or later. The call stops only before a slot that is
     * empty or holds an element in its own home slot; runs are sorted by home, so no element with a home
     * before that slot p sits at p or after, and all of those from the start slot on were visited. It returns
     * {@code p << (32 - b)}, which restates that in hash bits, independent of b: the next call may see a grown
     * table (it starts at exactly the same hash position) or a shrunk one (it starts at or before it, which
     * only repeats elements). Removal shifts elements back, never before their home; insertion shifts them
     * forward within the same order. Redis' reverse-binary cursor is not needed: it exists because a chained
     * table's buckets do not follow hash order when the table is resized.
     *
     * @param visitor called for each element; it must not modify the table ({@link IllegalStateException})
     */
    static long scan(long table, long cursor, int count, ElementVisitor visitor) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, got " + count);
        }
        if (cursor < 0 || cursor >= 1L << 32) {
            return 0;
        }
        int bits = bits(table);
        int capacity = 1 << bits;
        int n = slotCount(table);
        long slots = slots(table);
        int examineLimit = count > Integer.MAX_VALUE / 10 ? Integer.MAX_VALUE : count * 10;
        int mods = modCount(table);
        int visited = 0;
        int examined = 0;
        for (int i = (int) (cursor >>> (32 - bits)); i < n; i++) {
            long s = slot(slots, i);
            if (examined > 0 && (s & DIST_FIELD) == 0 && (visited >= count || examined >= examineLimit)) {
                // An empty slot (s == 0) or an element at home: a run boundary. Past the home slots only an
                // empty slot can be one, and only empty slots follow it.
                return i >= capacity ? 0 : (long) i << (32 - bits);
            }
            if (s != 0) {
                long block = blockOf(s);
                int header = readVarint(block);
                long element = block + varintSize(header);
                int elen = header >>> 1;
                long payload = element + elen;
                int plen = 0;
                if ((header & 1) != 0) {
                    plen = readVarint(payload);
                    payload += varintSize(plen);
                }
                visitor.visit(element, elen, payload, plen);
                if (modCount(table) != mods) {
                    throw new IllegalStateException("an ElementVisitor modified the table during a scan; "
                            + "collect the elements and modify after scan() returns");
                }
                visited++;
            }
            examined++;
        }
        return 0;
    }

    /**
     * An element block chosen from the bits of {@code random} (HRANDFIELD, SRANDMEMBER, SPOP), 0 when the table
     * is empty. Slots are drawn at random until one is occupied, which is uniform over the elements; only
     * after 32 empty draws (a table less than 1/8 full, the smallest ones) does it take the next occupied
     * slot, which favours elements after long gaps.
     */
    static long randomBlock(long table, long random) {
        if (count0(table) == 0) {
            return 0;
        }
        long slots = slots(table);
        int n = slotCount(table);
        long x = random;
        int i = 0;
        for (int draw = 0; draw < 32; draw++) {
            i = (int) (((x >>> 32) * n) >>> 32);
            long s = slot(slots, i);
            if (s != 0) {
                return blockOf(s);
            }
            x = mix(x + 0x9E3779B97F4A7C15L);
        }
        for (int k = 0; k < n; k++, i = i + 1 == n ? 0 : i + 1) {
            long s = slot(slots, i);
            if (s != 0) {
                return blockOf(s);
            }
        }
        throw new IllegalStateException("table counts " + count0(table) + " elements but its slots are empty");
    }

    // ------------------------------------------------------------------ accounting

    /** Block bytes this table holds: header, slot array and element blocks (MEMORY USAGE, stats). */
    static long memoryBytes(long table) {
        return HEADER_BLOCK_BYTES + SlabAllocator.blockBytesOf(slots(table), 8L * slotCount(table))
                + UnsafeApi.getLong(table + ELEMENT_BYTES_OFFSET);
    }

    /**
     * Recounts the table and throws {@link IllegalStateException} when it is inconsistent: an element not
     * reachable from its home slot (wrong distance, gap, order), a wrong tag, a duplicate element, a count or
     * byte total that disagrees, a table over its load limit. Adds its small block bytes to {@code into[0]}
     * and its large block bytes to {@code into[1]} for {@link SlabAllocator#verify}. Rehashes every element:
     * for tests and diagnostics.
     */
    static void verify(long table, long[] into) {
        int bits = bits(table);
        if (bits < MIN_CAPACITY_BITS || bits > MAX_CAPACITY_BITS) {
            throw new IllegalStateException("table with " + bits + " capacity bits");
        }
        int capacity = 1 << bits;
        int n = slotCount(table);
        int tail = n - capacity;
        if (tail < MIN_TAIL) {
            throw new IllegalStateException("table with a tail of " + tail + " slots");
        }
        long slots = slots(table);
        long mask = hashMask(table);
        boolean payloads = hasPayloads(table);
        long count = 0;
        long elementBytes = 0;
        long small = HEADER_BLOCK_BYTES;
        long large = 0;
        int previousHome = -1;
        int groupStart = 0;
        for (int i = 0; i < n; i++) {
            long s = slot(slots, i);
            if (s == 0) {
                previousHome = -1;
                continue;
            }
            long block = blockOf(s);
            int header = readVarint(block);
            if (((header & 1) != 0) != payloads) {
                throw new IllegalStateException("slot " + i + ": block payload flag " + (header & 1)
                        + " in a table with payloads=" + payloads);
            }
            long h = hash(elementAddress(block), elementLength(block)) & mask;
            int home = home(h, bits);
            int dist = i - home;
            if (dist < 0 || distField(s) != Math.min(dist, DIST_SATURATED) || tagField(s) != tag(h)) {
                throw new IllegalStateException("slot " + i + ": home " + home + ", stored distance "
                        + distField(s) + ", tag " + tagField(s) + " for hash tag " + tag(h));
            }
            if (dist > 0 && previousHome < 0) {
                throw new IllegalStateException("slot " + i + ": displaced by " + dist + " after an empty slot");
            }
            if (home < previousHome) {
                throw new IllegalStateException("slot " + i + ": home " + home + " after home " + previousHome);
            }
            if (home != previousHome) {
                groupStart = i;
            }
            for (int j = groupStart; j < i; j++) {
                long other = blockOf(slot(slots, j));
                if (sameElement(block, other)) {
                    throw new IllegalStateException("slots " + j + " and " + i + " hold the same element");
                }
            }
            previousHome = home;
            long length = blockLength(block);
            long bytes = SlabAllocator.blockBytesOf(block, length);
            if (length <= SlabAllocator.MAX_SMALL) {
                small += bytes;
            } else {
                large += bytes;
            }
            elementBytes += bytes;
            count++;
        }
        if (count != count0(table) || elementBytes != UnsafeApi.getLong(table + ELEMENT_BYTES_OFFSET)) {
            throw new IllegalStateException("table counts " + count0(table) + " elements in "
                    + UnsafeApi.getLong(table + ELEMENT_BYTES_OFFSET) + " block bytes, found " + count + " in "
                    + elementBytes);
        }
        if (count > maxCount(bits)) {
            throw new IllegalStateException("table of " + capacity + " home slots holds " + count + " elements");
        }
        long arrayBytes = SlabAllocator.blockBytesOf(slots, 8L * n);
        if (8L * n <= SlabAllocator.MAX_SMALL) {
            small += arrayBytes;
        } else {
            large += arrayBytes;
        }
        into[0] += small;
        into[1] += large;
    }

    // ------------------------------------------------------------------ probing

    /**
     * The slot holding the element, or {@code ~p} where p is the slot a new element with this hash goes to
     * (which may be the slot count: the run reaches the end of the array).
     */
    private static int locate(long table, DirectBuffer e, int eoff, int elen, long h) {
        long slots = slots(table);
        int bits = bits(table);
        int n = (1 << bits) + UnsafeApi.getInt(table + TAIL_OFFSET);
        long want = (long) tag(h) << (TAG_SHIFT - DIST_SHIFT);
        Object base = e.byteArray();
        long offset = e.addressOffset() + eoff;
        int i = home(h, bits);
        for (int d = 0; i < n; i++, d++) {
            long s = slot(slots, i);
            if (s == 0) {
                return ~i;
            }
            int f = distField(s);
            int capped = Math.min(d, DIST_SATURATED);
            if (f < capped) {
                return ~i;
            }
            if ((s >>> DIST_SHIFT) == (want | capped) && elementEquals(blockOf(s), base, offset, elen)) {
                return i;
            }
            if (f == DIST_SATURATED && d >= DIST_SATURATED && trueDist(table, bits, i, s) < d) {
                return ~i;
            }
        }
        return ~n;
    }

    /** Inserts a new element whose absence {@link #locate} established, with {@code at} its answer. */
    /** Inserts a new element whose place is slot {@code at}; returns its block. */
    private static long insert(long table, SlabAllocator alloc, MemoryBudget budget, int at, long h, DirectBuffer e,
                               int eoff, int elen, boolean payloads, DirectBuffer p, int poff, int plen) {
        long length = blockLength(elen, plen, payloads);
        long bytes = SlabAllocator.blockBytesFor(length, 0);
        budget.reserve(bytes);
        long block;
        try {
            block = alloc.allocate(length, 0);
        } catch (RuntimeException | OutOfMemoryError x) {
            budget.release(bytes);
            throw x;
        }
        long a = writeVarint(block, elen << 1 | (payloads ? 1 : 0));
        EntryLayout.copyFrom(e, eoff, a, elen);
        if (payloads) {
            a = writeVarint(a + elen, plen);
            EntryLayout.copyFrom(p, poff, a, plen);
        }
        // Everything that can fail (the block, a bigger array) happens before the table changes.
        try {
            int bits = bits(table);
            if (count0(table) + 1 > maxCount(bits)) {
                if (bits == MAX_CAPACITY_BITS) {
                    throw new IllegalStateException("a table of more than " + maxCount(bits)
                            + " elements is not supported");
                }
                rebuild(table, alloc, budget, bits + 1, block, h);
            } else {
                long slots = slots(table);
                int n = slotCount(table);
                int end = firstEmpty(slots, at, n);
                if (end == n) {
                    enlargeTail(table, alloc, budget);
                    slots = slots(table);
                    end = firstEmpty(slots, at, slotCount(table));
                }
                shiftForward(slots, at, end);
                setSlot(slots, at, encode(block, tag(h), at - home(h, bits)));
            }
        } catch (RuntimeException | OutOfMemoryError x) {
            alloc.free(block, length);
            budget.release(bytes);
            throw x;
        }
        UnsafeApi.putInt(table + COUNT_OFFSET, count0(table) + 1);
        addElementBytes(table, bytes);
        bumpModCount(table);
        return block;
    }

    private static void replacePayload(long table, SlabAllocator alloc, MemoryBudget budget, int i, DirectBuffer p,
                                       int poff, int plen) {
        long slots = slots(table);
        long s = slot(slots, i);
        long block = blockOf(s);
        int header = readVarint(block);
        long payloadAt = varintSize(header) + (long) (header >>> 1);
        long oldLength = blockLength(block);
        long newLength = payloadAt + varintSize(plen) + plen;
        long oldBytes = SlabAllocator.blockBytesOf(block, oldLength);
        boolean sourceInBlock = plen > 0 && p.byteArray() == null && p.addressOffset() + poff < block + oldBytes
                && block < p.addressOffset() + poff + plen;
        if (SlabAllocator.fitsInPlace(block, oldLength, newLength, false) && !sourceInBlock) {
            EntryLayout.copyFrom(p, poff, writeVarint(block + payloadAt, plen), plen);
        } else {
            long newBytes = SlabAllocator.blockBytesFor(newLength, 0);
            long delta = newBytes - oldBytes;
            if (delta > 0) {
                budget.reserve(delta);
            }
            long moved;
            try {
                moved = alloc.allocate(newLength, 0);
            } catch (RuntimeException | OutOfMemoryError x) {
                if (delta > 0) {
                    budget.release(delta);
                }
                throw x;
            }
            UnsafeApi.copyMemory(block, moved, payloadAt);
            EntryLayout.copyFrom(p, poff, writeVarint(moved + payloadAt, plen), plen);
            setSlot(slots, i, (s & ~ADDRESS_MASK) | encode(moved, 0, 0));
            alloc.free(block, oldLength);
            if (delta < 0) {
                budget.release(-delta);
            }
            addElementBytes(table, delta);
        }
        bumpModCount(table);
    }

    /** Empties slot {@code i} and moves the rest of its run one slot back (each one slot nearer its home). */
    private static void shiftBack(long table, long slots, int n, int i) {
        int j = i + 1;
        for (; j < n; j++) {
            long s = slot(slots, j);
            if ((s & DIST_FIELD) == 0) {
                break; // empty, or at home: the run ends
            }
            if (distField(s) == DIST_SATURATED) {
                s = withDist(s, trueDist(table, bits(table), j, s) - 1);
            } else {
                s -= DIST_ONE;
            }
            setSlot(slots, j - 1, s);
        }
        setSlot(slots, j - 1, 0);
    }

    /** Moves slots {@code [from, end)} one slot forward (one further from their homes); slot end is empty. */
    private static void shiftForward(long slots, int from, int end) {
        for (int k = end; k > from; k--) {
            long s = slot(slots, k - 1);
            setSlot(slots, k, distField(s) == DIST_SATURATED ? s : s + DIST_ONE);
        }
    }

    /** The first empty slot at or after {@code from}, or {@code n} when there is none. */
    private static int firstEmpty(long slots, int from, int n) {
        int i = from;
        while (i < n && slot(slots, i) != 0) {
            i++;
        }
        return i;
    }

    /**
     * Places an element in an array being built (not yet published): before the first element with a later
     * home, shifting the rest of that run forward.
     *
     * @return false when the run reaches the end of the array (nothing was changed)
     */
    private static boolean place(long slots, int n, int bits, long mask, int home, int tag, long block) {
        for (int i = home, d = 0; i < n; i++, d++) {
            long s = slot(slots, i);
            if (s == 0) {
                setSlot(slots, i, encode(block, tag, d));
                return true;
            }
            int f = distField(s);
            boolean laterHome = f < DIST_SATURATED ? f < d
                    : d > DIST_SATURATED && i - home(hash(elementAddress(blockOf(s)), elementLength(blockOf(s)))
                            & mask, bits) < d;
            if (laterHome) {
                int end = firstEmpty(slots, i, n);
                if (end == n) {
                    return false;
                }
                shiftForward(slots, i, end);
                setSlot(slots, i, encode(block, tag, d));
                return true;
            }
        }
        return false;
    }

    /**
     * Replaces the slot array with one of 2^{@code bits} home slots holding every element, plus
     * {@code extraBlock} (with hash {@code extraHash}) when it is not 0. Either completes or, on an exception,
     * frees what it allocated and leaves the table as it was. Reserves the growth of the array in the budget.
     */
    private static void rebuild(long table, SlabAllocator alloc, MemoryBudget budget, int bits, long extraBlock,
                                long extraHash) {
        int oldBits = bits(table);
        long oldSlots = slots(table);
        int oldN = slotCount(table);
        long oldBytes = SlabAllocator.blockBytesOf(oldSlots, 8L * oldN);
        long mask = hashMask(table);
        int n = slotCountFor(bits, defaultTail(bits));
        long bytes = SlabAllocator.blockBytesFor(8L * n, 0);
        long reserved = Math.max(0, bytes - oldBytes);
        budget.reserve(reserved);
        long slots = 0;
        try {
            slots = alloc.allocate(8L * n, 0);
            UnsafeApi.setMemory(slots, 8L * n, (byte) 0);
            for (int i = 0; i <= oldN; i++) {
                long block;
                int home;
                int tag;
                if (i < oldN) {
                    long s = slot(oldSlots, i);
                    if (s == 0) {
                        continue;
                    }
                    block = blockOf(s);
                    tag = tagField(s);
                    int f = distField(s);
                    if (bits < oldBits && f < DIST_SATURATED) {
                        home = (i - f) >>> (oldBits - bits);
                    } else {
                        home = home(hash(elementAddress(block), elementLength(block)) & mask, bits);
                    }
                } else if (extraBlock != 0) {
                    block = extraBlock;
                    tag = tag(extraHash);
                    home = home(extraHash, bits);
                } else {
                    break;
                }
                while (!place(slots, n, bits, mask, home, tag, block)) {
                    // A run left the tail (a colliding hasher): continue in an array with twice the tail.
                    int bigger = n + (n - (1 << bits));
                    long biggerBytes = SlabAllocator.blockBytesFor(8L * bigger, 0);
                    budget.reserve(biggerBytes - bytes);
                    reserved += biggerBytes - bytes;
                    long grown = alloc.allocate(8L * bigger, 0);
                    UnsafeApi.copyMemory(slots, grown, 8L * n);
                    UnsafeApi.setMemory(grown + 8L * n, 8L * (bigger - n), (byte) 0);
                    alloc.free(slots, 8L * n);
                    slots = grown;
                    n = bigger;
                    bytes = biggerBytes;
                }
            }
        } catch (RuntimeException | OutOfMemoryError x) {
            if (slots != 0) {
                alloc.free(slots, 8L * n);
            }
            budget.release(reserved);
            throw x;
        }
        publish(table, slots, bits, n);
        alloc.free(oldSlots, 8L * oldN);
        // Reserved max(0, growth) along the way; what the table really changed by is bytes - oldBytes.
        budget.release(reserved - (bytes - oldBytes));
    }

    /** Same homes, twice the tail: a copy of the array with empty slots added behind it. */
    private static void enlargeTail(long table, SlabAllocator alloc, MemoryBudget budget) {
        long oldSlots = slots(table);
        int oldN = slotCount(table);
        int bits = bits(table);
        int n = slotCountFor(bits, 2 * (oldN - (1 << bits)));
        long oldBytes = SlabAllocator.blockBytesOf(oldSlots, 8L * oldN);
        long delta = SlabAllocator.blockBytesFor(8L * n, 0) - oldBytes;
        budget.reserve(delta);
        long slots;
        try {
            slots = alloc.allocate(8L * n, 0);
        } catch (RuntimeException | OutOfMemoryError x) {
            budget.release(delta);
            throw x;
        }
        UnsafeApi.copyMemory(oldSlots, slots, 8L * oldN);
        UnsafeApi.setMemory(slots + 8L * oldN, 8L * (n - oldN), (byte) 0);
        publish(table, slots, bits, n);
        alloc.free(oldSlots, 8L * oldN);
    }

    private static void publish(long table, long slots, int bits, int n) {
        UnsafeApi.putLong(table + SLOTS_OFFSET, slots);
        UnsafeApi.putByte(table + CAPACITY_BITS_OFFSET, (byte) bits);
        UnsafeApi.putInt(table + TAIL_OFFSET, n - (1 << bits));
        bumpModCount(table);
    }

    // ------------------------------------------------------------------ sizes

    /** Elements 2^bits home slots may hold. */
    static int maxCount(int bits) {
        return (int) ((1L << bits) * MAX_LOAD_PERCENT / 100);
    }

    /** Tail slots a new array gets: 1/16 of the home slots, from 8 to 1024. */
    private static int defaultTail(int bits) {
        return Math.max(MIN_TAIL, Math.min(MAX_DEFAULT_TAIL, (1 << bits) >>> 4));
    }

    /**
     * Slots of an array with 2^bits home slots and at least {@code tail} more. A small array gets the whole
     * of its size class as tail: the rounding is paid for anyway.
     */
    private static int slotCountFor(int bits, int tail) {
        long n = (1L << bits) + tail;
        long bytes = SlabAllocator.blockBytesFor(8L * n, 0);
        return (int) (bytes <= SlabAllocator.MAX_SMALL ? bytes / 8 : n);
    }

    // ------------------------------------------------------------------ slots and header fields

    private static long slots(long table) {
        return UnsafeApi.getLong(table + SLOTS_OFFSET);
    }

    private static int bits(long table) {
        return UnsafeApi.getByte(table + CAPACITY_BITS_OFFSET);
    }

    private static int count0(long table) {
        return UnsafeApi.getInt(table + COUNT_OFFSET);
    }

    private static long hashMask(long table) {
        return UnsafeApi.getLong(table + HASH_MASK_OFFSET);
    }

    private static int modCount(long table) {
        return UnsafeApi.getInt(table + MOD_COUNT_OFFSET);
    }

    private static void bumpModCount(long table) {
        UnsafeApi.putInt(table + MOD_COUNT_OFFSET, modCount(table) + 1);
    }

    private static void addElementBytes(long table, long delta) {
        UnsafeApi.putLong(table + ELEMENT_BYTES_OFFSET, UnsafeApi.getLong(table + ELEMENT_BYTES_OFFSET) + delta);
    }

    private static long slot(long slots, int i) {
        return UnsafeApi.getLong(slots + ((long) i << 3));
    }

    private static void setSlot(long slots, int i, long value) {
        UnsafeApi.putLong(slots + ((long) i << 3), value);
    }

    private static int home(long h, int bits) {
        return (int) (h >>> (64 - bits));
    }

    private static int tag(long h) {
        return (int) h & TAG_MASK;
    }

    static long blockOf(long slot) {
        return (slot & ADDRESS_MASK) << 3;
    }

    private static int distField(long slot) {
        return (int) (slot >>> DIST_SHIFT) & DIST_SATURATED;
    }

    private static int tagField(long slot) {
        return (int) (slot >>> TAG_SHIFT);
    }

    private static long withDist(long slot, int dist) {
        return (slot & ~DIST_FIELD) | (long) Math.min(dist, DIST_SATURATED) << DIST_SHIFT;
    }

    /** The distance of the element in slot {@code i} from its home, recomputed from its hash. */
    private static int trueDist(long table, int bits, int i, long slot) {
        long block = blockOf(slot);
        return i - home(hash(elementAddress(block), elementLength(block)) & hashMask(table), bits);
    }

    /** A slot for {@code block}; refuses an address the 45 address bits cannot hold. */
    static long encode(long block, int tag, int dist) {
        if ((block & 7) != 0 || block >>> (ADDRESS_BITS + 3) != 0 || block == 0) {
            throw new IllegalStateException("block address 0x" + Long.toHexString(block)
                    + " is not an 8-byte aligned user-space address below 2^48");
        }
        return (long) tag << TAG_SHIFT | (long) Math.min(dist, DIST_SATURATED) << DIST_SHIFT | block >>> 3;
    }

    private static boolean elementEquals(long block, Object base, long offset, int elen) {
        int header = readVarint(block);
        return header >>> 1 == elen && EntryLayout.bytesEqual(block + varintSize(header), base, offset, elen);
    }

    private static boolean sameElement(long a, long b) {
        int length = elementLength(a);
        return length == elementLength(b) && EntryLayout.bytesEqual(elementAddress(a), null, elementAddress(b), length);
    }

    /** splitmix64's finaliser: fresh random bits for the next draw. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    // ------------------------------------------------------------------ varints

    static int varintSize(int value) {
        return value >>> 7 == 0 ? 1 : value >>> 14 == 0 ? 2 : value >>> 21 == 0 ? 3 : value >>> 28 == 0 ? 4 : 5;
    }

    /** Reads an unsigned LEB128 int (at most 5 bytes). */
    static int readVarint(long address) {
        int b = UnsafeApi.getByte(address);
        if (b >= 0) {
            return b;
        }
        int value = b & 0x7F;
        for (int shift = 7; ; shift += 7) {
            b = UnsafeApi.getByte(++address);
            value |= (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
    }

    /** Writes an unsigned LEB128 int and returns the address after it. */
    static long writeVarint(long address, int value) {
        int v = value;
        while (v >>> 7 != 0) {
            UnsafeApi.putByte(address++, (byte) (v | 0x80));
            v >>>= 7;
        }
        UnsafeApi.putByte(address++, (byte) v);
        return address;
    }
}
