package io.qrrot.engine.store;

import java.util.concurrent.locks.ReentrantLock;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.collections.MutableLong;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One shard of a {@link Keyspace}: a hash index from 64-bit key hash to off-heap entry, the entries, and the
 * memory they live in, guarded by one lock.
 *
 * <p><b>Threading.</b> Every method except {@link #lock()}, {@link #unlock()}, {@link #tryLock()},
 * {@link #isHeldByCurrentThread()} and {@link #index()} requires the caller to hold this shard's lock, and
 * views filled by the shard stay valid only while it is held and the shard is not modified. A caller that
 * needs several shards locks them in ascending {@link #index()} order. There is no other lock: shards never
 * wait for each other, and a reader under the lock never sees a half-written entry.
 *
 * <p><b>Keys.</b> Every key-addressed method takes the key bytes and the key's hash as computed by
 * {@link Keyspace#hash}; passing a different hash for the same key makes the entry unreachable. Two keys
 * with the same hash are told apart by their bytes.
 *
 * <p><b>Expiry.</b> The shard stores an absolute expiry (epoch ms, 0 = none) but never checks it: the
 * command layer decides what an expired entry means.
 *
 * <p><b>Memory.</b> A write that would take the keyspace past its {@code maxmemory} throws
 * {@link StoreMemoryException} and leaves the shard unchanged. Nothing allocates on the Java heap per
 * operation (except when the index grows).
 */
public final class Shard {
    /** Bit 0 of an index value: set when it points to a {@link CollisionList} rather than an entry. */
    private static final long LIST_TAG = CollisionList.TAG;
    /** Index bytes per slot: a long key and a long value. */
    private static final int SLOT_BYTES = 16;
    /** Growing large values get up to this much headroom, so repeated appends copy rarely. */
    private static final long MAX_HEADROOM = 1L << 20;

    private final ReentrantLock lock = new ReentrantLock();
    private final int index;
    private final MemoryBudget budget;
    private final float loadFactor;
    /** log2 of the shard count: the hash's top bits, the same for every key of this shard. */
    private final int shardBits;
    private final int initialCapacity;
    private final SlabAllocator allocator = new SlabAllocator();
    private final EntryView scanView = new EntryView();
    private final UnsafeBuffer valueBuffer = new UnsafeBuffer(0, 0);
    private final Collection.Cursor cursor = new Collection.Cursor();
    private final ListNodes.Place listPlace = ListNodes.newPlace();
    private final UnsafeBuffer elementView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer payloadView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer digits = new UnsafeBuffer(new byte[CanonicalInteger.MAX_TEXT]);
    private final MutableLong number = new MutableLong();
    private final long[] typeCounts = new long[EntryType.COUNT];
    private HashIndex table;
    private long indexBytes;
    private int entries;
    private long liveBytes;
    /** Changes on every modification; lets a scan detect a visitor that modifies the shard. */
    private int modCount;
    private int lastScanVisited;
    private boolean closed;

    // Where the last locate() found (or did not find) the key.
    private long foundRaw;
    /** The expiry of the entry the last put replaced; 0 when it created one or replaced one without a TTL. */
    private long replacedExpiry;
    private long foundList;
    private int foundListSlot;
    // What the last elementRemove did to its key.
    private boolean removedKey;
    private long removedKeyExpiry;

    Shard(int index, int shardBits, MemoryBudget budget, int initialCapacity, float loadFactor) {
        this.index = index;
        this.shardBits = shardBits;
        this.budget = budget;
        this.loadFactor = loadFactor;
        this.initialCapacity = initialCapacity;
        this.table = newTable();
        this.indexBytes = tableBytes();
        budget.force(indexBytes);
    }

    /** This shard's position in {@link Keyspace#shard(int)}: the order in which to lock several shards. */
    public int index() {
        return index;
    }

    public void lock() {
        lock.lock();
    }

    public boolean tryLock() {
        return lock.tryLock();
    }

    public void unlock() {
        lock.unlock();
    }

    public boolean isHeldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    /**
     * Looks a key up and points {@code view} at its entry. Does not check expiry.
     *
     * @return true when the key exists (the view is then valid), false otherwise (the view is untouched)
     */
    public boolean find(DirectBuffer key, int keyOffset, int keyLength, long hash, EntryView view) {
        checkAccess();
        long address = locate(key, keyOffset, keyLength, hash);
        if (address == 0) {
            return false;
        }
        view.wrap(address);
        return true;
    }

    /**
     * Bytes the key's entry takes (MEMORY USAGE): its block as the allocator hands it out (size class or large
     * block), its share of the index (the index's bytes over the entries), and for a collection beyond its
     * entry its element table, list nodes or score index. Points {@code view} at the entry (the caller checks
     * its expiry). The caller holds the lock.
     *
     * @return the bytes, or -1 when the key is absent
     */
    public long memoryUsage(DirectBuffer key, int keyOffset, int keyLength, long hash, EntryView view,
                            CollectionView collection) {
        checkAccess();
        long address = locate(key, keyOffset, keyLength, hash);
        if (address == 0) {
            return -1;
        }
        view.wrap(address);
        long bytes = SlabAllocator.blockBytesOf(address, EntryLayout.length(address)) + indexBytes / Math.max(1, entries);
        if (EntryType.isCollection(view.type())) {
            bytes += collection.wrap(view).tableBytes();
        }
        return bytes;
    }

    /**
     * Inserts or replaces an entry with a copy of the value bytes. The key and value may point into an entry
     * of this keyspace (for example a view of the old value): they are read before any memory is freed.
     *
     * @param type   {@link EntryType#STRING}, {@link EntryType#INT} (value must then be 8 bytes) or
     *               {@link EntryType#JSON}
     * @param expiry absolute expiry in epoch ms, 0 = none
     * @return true when an entry with this key was replaced, false when a new one was created
     * @throws StoreMemoryException when {@code maxmemory} would be exceeded (nothing changes)
     */
    public boolean put(DirectBuffer key, int keyOffset, int keyLength, long hash, byte type, long expiry,
                       DirectBuffer value, int valueOffset, int valueLength) {
        checkAccess();
        checkType(type);
        if (type == EntryType.INT && valueLength != 8) {
            throw new IllegalArgumentException("an INT value is 8 bytes, got " + valueLength);
        }
        if (EntryType.isCollection(type)) {
            throw new IllegalArgumentException("put writes bytes; a " + EntryType.name(type)
                    + " is built with elementPut");
        }
        key.boundsCheck(keyOffset, keyLength);
        value.boundsCheck(valueOffset, valueLength);
        long previous = locate(key, keyOffset, keyLength, hash);
        long oldTable = tableOf(previous);
        long oldIndex = indexOf(previous);
        long oldList = listOf(previous);
        long address = writeEntry(previous, key, keyOffset, keyLength, hash, type, expiry, valueLength,
                value.byteArray(), value.addressOffset() + valueOffset);
        EntryLayout.copyFrom(value, valueOffset, EntryLayout.valueAddress(address), valueLength);
        finishWrite(previous, address);
        freeTable(oldTable, oldIndex, true);
        freeList(oldList, true);
        return previous != 0;
    }

    /**
     * The expiry the entry replaced by the last {@link #put} or {@link #putLong} had: 0 when that call created
     * the entry or the replaced one had no TTL. Saves a lookup for a caller that counts TTLs.
     */
    public long replacedExpiry() {
        checkAccess();
        return replacedExpiry;
    }

    /**
     * Inserts or replaces an {@link EntryType#INT} entry holding {@code value}. Replacing an INT in place
     * (INCR) allocates nothing.
     *
     * @return true when an entry with this key was replaced
     * @throws StoreMemoryException when {@code maxmemory} would be exceeded (nothing changes)
     */
    public boolean putLong(DirectBuffer key, int keyOffset, int keyLength, long hash, long expiry, long value) {
        checkAccess();
        key.boundsCheck(keyOffset, keyLength);
        long previous = locate(key, keyOffset, keyLength, hash);
        long oldTable = tableOf(previous);
        long oldIndex = indexOf(previous);
        long oldList = listOf(previous);
        long address = writeEntry(previous, key, keyOffset, keyLength, hash, EntryType.INT, expiry, 8, null, 0);
        EntryLayout.putLongLittleEndian(EntryLayout.valueAddress(address), value);
        finishWrite(previous, address);
        freeTable(oldTable, oldIndex, true);
        freeList(oldList, true);
        return previous != 0;
    }

    /**
     * Gives the entry of a key a value of {@code newLength} bytes whose first {@code keepPrefixOfOld} bytes
     * are those of the old value, and returns a buffer over the whole new value for the caller to fill the
     * rest while still holding the lock (APPEND, SETRANGE, building JSON in place). Bytes from
     * {@code keepPrefixOfOld} to {@code newLength} are zero on return. Creates the entry when the key is
     * missing ({@code keepPrefixOfOld} must then be 0). The entry is resized in place when its block still
     * fits; large values grow with headroom so repeated appends do not copy the whole value every time.
     *
     * @param type   type of the new value
     * @param expiry absolute expiry of the entry, 0 = none
     * @return a buffer of exactly {@code newLength} bytes at offset 0, valid until the shard is next modified
     *         or unlocked
     * @throws IllegalArgumentException when {@code keepPrefixOfOld} exceeds the old value's length or
     *                                  {@code newLength}
     * @throws StoreMemoryException     when {@code maxmemory} would be exceeded (nothing changes)
     */
    public MutableDirectBuffer replaceValue(DirectBuffer key, int keyOffset, int keyLength, long hash, byte type,
                                            long expiry, int newLength, int keepPrefixOfOld) {
        checkAccess();
        checkType(type);
        if (newLength < 0 || keepPrefixOfOld < 0 || keepPrefixOfOld > newLength) {
            throw new IllegalArgumentException("need 0 <= keepPrefixOfOld <= newLength, got keepPrefixOfOld="
                    + keepPrefixOfOld + ", newLength=" + newLength);
        }
        if (type == EntryType.INT && newLength != 8) {
            throw new IllegalArgumentException("an INT value is 8 bytes, got " + newLength);
        }
        if (EntryType.isCollection(type)) {
            throw new IllegalArgumentException("replaceValue writes bytes; a " + EntryType.name(type)
                    + " changes through elementPut and elementRemove");
        }
        key.boundsCheck(keyOffset, keyLength);
        long previous = locate(key, keyOffset, keyLength, hash);
        if (previous != 0 && EntryType.isCollection(EntryLayout.type(previous))) {
            throw new IllegalArgumentException("replaceValue cannot rewrite the bytes of a "
                    + EntryType.name(EntryLayout.type(previous)));
        }
        long address;
        if (previous == 0) {
            if (keepPrefixOfOld != 0) {
                throw new IllegalArgumentException("keepPrefixOfOld must be 0 for a missing key, got " + keepPrefixOfOld);
            }
            address = writeEntry(0, key, keyOffset, keyLength, hash, type, expiry, newLength, null, 0);
            UnsafeApi.setMemory(EntryLayout.valueAddress(address), newLength, (byte) 0);
            finishWrite(0, address);
        } else {
            int oldLength = EntryLayout.valueLength(previous);
            if (keepPrefixOfOld > oldLength) {
                throw new IllegalArgumentException("keepPrefixOfOld " + keepPrefixOfOld
                        + " exceeds the old value's length " + oldLength);
            }
            address = resize(previous, hash, type, expiry, newLength, keepPrefixOfOld);
        }
        valueBuffer.wrap(EntryLayout.valueAddress(address), newLength);
        return valueBuffer;
    }

    /**
     * Sets the absolute expiry of an existing entry (0 removes the TTL), in place when the entry already
     * stores one.
     *
     * @return false when the key does not exist
     * @throws StoreMemoryException when adding the 8 expiry bytes would exceed {@code maxmemory}
     */
    public boolean setExpiry(DirectBuffer key, int keyOffset, int keyLength, long hash, long expiry) {
        checkAccess();
        long address = locate(key, keyOffset, keyLength, hash);
        if (address == 0) {
            return false;
        }
        boolean had = EntryLayout.hasExpiry(address);
        if (had && expiry != 0) {
            EntryLayout.putExpiry(address, expiry);
            modCount++;
        } else if (had || expiry != 0) {
            int length = EntryLayout.valueLength(address);
            resize(address, hash, EntryLayout.type(address), expiry, length, length);
        }
        return true;
    }

    /**
     * Removes a key and frees its entry.
     *
     * @return true when the key existed
     */
    public boolean remove(DirectBuffer key, int keyOffset, int keyLength, long hash) {
        checkAccess();
        long address = locate(key, keyOffset, keyLength, hash);
        if (address == 0) {
            return false;
        }
        freeTable(tableOf(address), indexOf(address), true);
        freeList(listOf(address), true);
        long before = allocator.blockBytes();
        unlink(hash);
        entries--;
        typeCounts[EntryLayout.type(address)]--;
        liveBytes -= EntryLayout.length(address);
        freeEntry(address);
        budget.release(before - allocator.blockBytes());
        modCount++;
        return true;
    }

    // ------------------------------------------------------------------ collections

    /**
     * Sets an element of the collection at a key to a payload (a hash field to its value), creating the key as
     * an empty collection of {@code type} without expiry when it is missing. A packed collection becomes a
     * table when it would hold more than {@code maxPackedEntries} elements or an element or payload longer
     * than {@code maxPackedLength} bytes (Redis's {@code hash-max-listpack-entries} and
     * {@code hash-max-listpack-value}); see {@link Collection}.
     *
     * @return true when the element is new
     * @throws IllegalArgumentException when the key holds another type
     * @throws StoreMemoryException     when {@code maxmemory} would be exceeded (nothing changes)
     */
    public boolean elementPut(DirectBuffer key, int keyOffset, int keyLength, long hash, byte type,
                              DirectBuffer element, int elementOffset, int elementLength,
                              DirectBuffer payload, int payloadOffset, int payloadLength,
                              int maxPackedEntries, int maxPackedLength) {
        checkAccess();
        if (!EntryType.isCollection(type)) {
            throw new IllegalArgumentException("elementPut needs a collection type, got " + EntryType.name(type));
        }
        key.boundsCheck(keyOffset, keyLength);
        element.boundsCheck(elementOffset, elementLength);
        boolean payloads = EntryType.hasPayload(type);
        if (!payloads) {
            payloadLength = 0;
        } else {
            payload.boundsCheck(payloadOffset, payloadLength);
        }
        if (type == EntryType.LIST) {
            return listPut(key, keyOffset, keyLength, hash, element, elementOffset, elementLength, payload,
                    payloadOffset, payloadLength);
        }
        boolean sorted = type == EntryType.ZSET;
        if (sorted && payloadLength != EntryType.SCORE_BYTES) {
            throw new IllegalArgumentException("a sorted-set member's payload is its " + EntryType.SCORE_BYTES
                    + "-byte score, got " + payloadLength + " bytes");
        }
        long address = locate(key, keyOffset, keyLength, hash);
        boolean created = address == 0;
        boolean set = type == EntryType.SET;
        if (created) {
            // A hash starts packed, a set as an intset (it becomes a table below when its member is no integer).
            address = writeEntry(0, key, keyOffset, keyLength, hash, type, 0,
                    set ? Collection.INTSET_HEADER : Collection.PACKED_HEADER, null, 0);
            if (set) {
                Collection.initIntset(EntryLayout.valueAddress(address), 2);
            } else {
                Collection.initPacked(EntryLayout.valueAddress(address));
            }
            finishWrite(0, address);
            locate(key, keyOffset, keyLength, hash); // relinking below needs where the new entry sits
        } else if (EntryLayout.type(address) != type) {
            throw new IllegalArgumentException("the key holds a " + EntryType.name(EntryLayout.type(address))
                    + ", not a " + EntryType.name(type));
        }
        try {
            long value = EntryLayout.valueAddress(address);
            byte encoding = Collection.encoding(value);
            if (sorted) {
                return sortedPut(address, hash, element, elementOffset, elementLength, payload, payloadOffset,
                        maxPackedEntries, maxPackedLength);
            }
            if (encoding == EntryType.ENCODING_PACKED) {
                boolean fits = elementLength <= maxPackedLength && payloadLength <= maxPackedLength
                        && EntryLayout.valueLength(address)
                        + Collection.recordLength(payloads, elementLength, payloadLength) <= MAX_PACKED;
                if (fits && Collection.findPacked(value, payloads, element, elementOffset, elementLength, cursor)) {
                    replacePacked(address, hash, payloads, element, elementOffset, elementLength,
                            payload, payloadOffset, payloadLength);
                    return false;
                }
                if (fits && Collection.packedCount(value) < maxPackedEntries) {
                    appendPacked(address, hash, payloads, element, elementOffset, elementLength,
                            payload, payloadOffset, payloadLength);
                    return true;
                }
                address = convertToTable(address, hash, payloads);
                value = EntryLayout.valueAddress(address);
            } else if (encoding == EntryType.ENCODING_INTSET) {
                if (CanonicalInteger.parse(element, elementOffset, elementLength, number)) {
                    int at = Collection.intsetSearch(value, number.get());
                    if (at >= 0) {
                        return false;
                    }
                    if (Collection.intsetCount(value) < maxPackedEntries && Collection.intsetLength(8,
                            Collection.intsetCount(value) + 1) <= MAX_PACKED) {
                        insertIntset(address, hash, -at - 1, number.get());
                        return true;
                    }
                }
                address = convertToTable(address, hash, payloads);
                value = EntryLayout.valueAddress(address);
            }
            long table = Collection.table(value);
            long before = ElementTable.memoryBytes(table);
            boolean added = ElementTable.put(table, allocator, budget, element, elementOffset, elementLength,
                    ElementTable.hash(element, elementOffset, elementLength), payload, payloadOffset, payloadLength);
            liveBytes += ElementTable.memoryBytes(table) - before;
            modCount++;
            return added;
        } catch (RuntimeException | Error e) {
            if (created) {
                remove(key, keyOffset, keyLength, hash); // the refused element was to be its first
            }
            throw e;
        }
    }

    /**
     * Creates a missing key as an empty collection of {@code type} in the table encoding, for elements that are
     * put right after (an ELEMENTS_PUT op flagged AS_TABLE: Redis keeps a collection's encoding through RENAME
     * and COPY). Does nothing when the key exists.
     *
     * @throws StoreMemoryException when {@code maxmemory} would be exceeded (nothing changes)
     */
    public void createTable(DirectBuffer key, int keyOffset, int keyLength, long hash, byte type) {
        checkAccess();
        if (!EntryType.isCollection(type)) {
            throw new IllegalArgumentException("createTable needs a collection type, got " + EntryType.name(type));
        }
        key.boundsCheck(keyOffset, keyLength);
        if (locate(key, keyOffset, keyLength, hash) != 0) {
            return;
        }
        if (type == EntryType.LIST) {
            createList(key, keyOffset, keyLength, hash);
            return;
        }
        long table = ElementTable.create(allocator, budget, EntryType.hasPayload(type), 1);
        long index = 0;
        long address;
        try {
            if (type == EntryType.ZSET) {
                index = ScoreIndex.create(allocator, budget);
            }
            address = writeEntry(0, key, keyOffset, keyLength, hash, type, 0, Collection.tableValueLength(type),
                    null, 0);
        } catch (RuntimeException | Error e) {
            freeTable(table, index, false);
            throw e;
        }
        if (index != 0) {
            Collection.initSortedTable(EntryLayout.valueAddress(address), table, index);
        } else {
            Collection.initTable(EntryLayout.valueAddress(address), table);
        }
        finishWrite(0, address);
        liveBytes += ElementTable.memoryBytes(table) + (index != 0 ? ScoreIndex.memoryBytes(index) : 0);
    }

    /**
     * Removes an element from the collection at a key; removing its last element removes the key.
     *
     * @return true when the element was there
     * @throws IllegalArgumentException when the key holds a value that is not a collection
     */
    public boolean elementRemove(DirectBuffer key, int keyOffset, int keyLength, long hash,
                                 DirectBuffer element, int elementOffset, int elementLength) {
        checkAccess();
        removedKey = false;
        key.boundsCheck(keyOffset, keyLength);
        element.boundsCheck(elementOffset, elementLength);
        long address = locate(key, keyOffset, keyLength, hash);
        if (address == 0) {
            return false;
        }
        byte type = EntryLayout.type(address);
        if (!EntryType.isCollection(type)) {
            throw new IllegalArgumentException("elementRemove on a " + EntryType.name(type));
        }
        long value = EntryLayout.valueAddress(address);
        long left;
        if (type == EntryType.LIST) {
            if (elementLength != ListNodes.LABEL_BYTES) {
                return false;
            }
            long list = Collection.table(value);
            long before = ListNodes.memoryBytes(list);
            boolean removed = ListNodes.remove(list, allocator, budget, ListNodes.label(element, elementOffset),
                    listPlace);
            liveBytes += ListNodes.memoryBytes(list) - before;
            if (!removed) {
                return false;
            }
            modCount++;
            left = ListNodes.count(list);
        } else if (Collection.isTable(value)) {
            long table = Collection.table(value);
            long elementHash = ElementTable.hash(element, elementOffset, elementLength);
            long before = ElementTable.memoryBytes(table);
            if (type == EntryType.ZSET) {
                long block = ElementTable.find(table, element, elementOffset, elementLength, elementHash);
                if (block == 0) {
                    return false;
                }
                long index = Collection.index(value);
                long indexBefore = ScoreIndex.memoryBytes(index);
                if (!ScoreIndex.remove(index, allocator, budget,
                        Collection.score(ElementTable.payloadAddress(block)), block)) {
                    throw new IllegalStateException("a sorted-set member is missing from its index");
                }
                liveBytes += ScoreIndex.memoryBytes(index) - indexBefore;
            }
            if (!ElementTable.remove(table, allocator, budget, element, elementOffset, elementLength, elementHash)) {
                return false;
            }
            liveBytes += ElementTable.memoryBytes(table) - before;
            modCount++;
            left = ElementTable.count(table);
        } else if (Collection.encoding(value) == EntryType.ENCODING_INTSET) {
            if (!CanonicalInteger.parse(element, elementOffset, elementLength, number)) {
                return false;
            }
            int at = Collection.intsetSearch(value, number.get());
            if (at < 0) {
                return false;
            }
            int width = Collection.intsetWidth(value);
            int count = Collection.intsetCount(value) - 1;
            left = count;
            if (count > 0) {
                long from = value + Collection.INTSET_HEADER + (long) (at + 1) * width;
                UnsafeApi.copyMemory(from, from - width, (long) (count - at) * width);
                int newLength = (int) Collection.intsetLength(width, count);
                address = resize(address, hash, type, EntryLayout.expiry(address), newLength, newLength);
                Collection.setIntsetCount(EntryLayout.valueAddress(address), count);
            }
        } else {
            boolean payloads = EntryType.hasPayload(type);
            if (!Collection.findPacked(value, payloads, element, elementOffset, elementLength, cursor)) {
                return false;
            }
            int oldLength = EntryLayout.valueLength(address);
            int start = (int) (cursor.record - value);
            int end = (int) (cursor.end - value);
            int count = Collection.packedCount(value) - 1;
            left = count;
            if (count > 0) {
                UnsafeApi.copyMemory(value + end, value + start, oldLength - end);
                int newLength = oldLength - (end - start);
                address = resize(address, hash, type, EntryLayout.expiry(address), newLength, newLength);
                Collection.setPackedCount(EntryLayout.valueAddress(address), count);
            }
        }
        if (left == 0) {
            removedKeyExpiry = EntryLayout.expiry(address);
            remove(key, keyOffset, keyLength, hash);
            removedKey = true;
        }
        return true;
    }

    /**
     * {@link #elementPut} for a list: the element is a label (8 bytes, {@link ListNodes#putLabel}), the payload
     * the value; the label's element is replaced, or a new one inserted at the label's place.
     */
    private boolean listPut(DirectBuffer key, int keyOffset, int keyLength, long hash, DirectBuffer element,
                            int elementOffset, int elementLength, DirectBuffer payload, int payloadOffset,
                            int payloadLength) {
        if (elementLength != ListNodes.LABEL_BYTES) {
            throw new IllegalArgumentException("a list element's label is " + ListNodes.LABEL_BYTES + " bytes, got "
                    + elementLength);
        }
        long label = ListNodes.label(element, elementOffset);
        if (!ListNodes.labelInRange(label)) {
            throw new IllegalArgumentException("list label " + label + " is out of range");
        }
        long address = locate(key, keyOffset, keyLength, hash);
        boolean created = address == 0;
        if (created) {
            createList(key, keyOffset, keyLength, hash);
            address = locate(key, keyOffset, keyLength, hash);
        } else if (EntryLayout.type(address) != EntryType.LIST) {
            throw new IllegalArgumentException("the key holds a " + EntryType.name(EntryLayout.type(address))
                    + ", not a list");
        }
        long list = Collection.table(EntryLayout.valueAddress(address));
        long before = ListNodes.memoryBytes(list);
        boolean added;
        try {
            added = ListNodes.put(list, allocator, budget, label, payload, payloadOffset, payloadLength, listPlace);
        } catch (RuntimeException | Error e) {
            liveBytes += ListNodes.memoryBytes(list) - before;
            if (created || ListNodes.count(list) == 0) {
                remove(key, keyOffset, keyLength, hash); // the refused element was to be its first
            }
            throw e;
        }
        liveBytes += ListNodes.memoryBytes(list) - before;
        modCount++;
        return added;
    }

    /** Creates a missing key as an empty list (its first element comes right after). */
    private void createList(DirectBuffer key, int keyOffset, int keyLength, long hash) {
        long list = ListNodes.create(allocator, budget);
        long address;
        try {
            address = writeEntry(0, key, keyOffset, keyLength, hash, EntryType.LIST, 0,
                    Collection.TABLE_VALUE_LENGTH, null, 0);
        } catch (RuntimeException | Error e) {
            ListNodes.free(list, allocator, budget);
            throw e;
        }
        Collection.initTable(EntryLayout.valueAddress(address), list);
        finishWrite(0, address);
        liveBytes += ListNodes.memoryBytes(list);
    }

    /**
     * {@link #elementPut} for a sorted set (the key exists, holding one): a packed set keeps its records in
     * (score, member) order; a table updates its ScoreIndex with the element. Changes nothing when it throws.
     */
    private boolean sortedPut(long address, long hash, DirectBuffer element, int eoff, int elen,
                              DirectBuffer payload, int poff, int maxPackedEntries, int maxPackedLength) {
        long value = EntryLayout.valueAddress(address);
        double score = Collection.score(payload, poff);
        if (Collection.encoding(value) == EntryType.ENCODING_PACKED) {
            int record = (int) Collection.recordLength(true, elen, EntryType.SCORE_BYTES);
            boolean fits = elen <= maxPackedLength
                    && EntryLayout.valueLength(address) + (long) record <= MAX_PACKED;
            if (fits && Collection.findPacked(value, true, element, eoff, elen, cursor)) {
                moveSortedPacked(address, element, eoff, elen, payload, poff, score, record);
                return false;
            }
            if (fits && Collection.packedCount(value) < maxPackedEntries) {
                insertSortedPacked(address, hash, element, eoff, elen, payload, poff, score, record);
                return true;
            }
            address = convertToTable(address, hash, true);
            value = EntryLayout.valueAddress(address);
        }
        long table = Collection.table(value);
        long index = Collection.index(value);
        long before = ElementTable.memoryBytes(table) + ScoreIndex.memoryBytes(index);
        long elementHash = ElementTable.hash(element, eoff, elen);
        long block = ElementTable.find(table, element, eoff, elen, elementHash);
        boolean added = block == 0;
        if (added) {
            block = ElementTable.add(table, allocator, budget, element, eoff, elen, elementHash, payload, poff,
                    EntryType.SCORE_BYTES);
            try {
                ScoreIndex.insert(index, allocator, budget, score, block);
            } catch (RuntimeException | Error e) {
                ElementTable.remove(table, allocator, budget, element, eoff, elen, elementHash);
                throw e;
            }
        } else {
            double old = Collection.score(ElementTable.payloadAddress(block));
            if (old != score) {
                // Out of the order at its old place, into it at the new one. The index holds a member (block)
                // once, so the insert comes second; should it be refused for memory, the member goes back where
                // it was (its leaf has just had room), and only if that fails too is the index short of it.
                ScoreIndex.remove(index, allocator, budget, old, block);
                try {
                    ScoreIndex.insert(index, allocator, budget, score, block);
                } catch (StoreMemoryException refused) {
                    try {
                        ScoreIndex.insert(index, allocator, budget, old, block);
                    } catch (StoreMemoryException again) {
                        throw new IllegalStateException("a sorted-set member could not be put back into its index",
                                again);
                    }
                    throw refused;
                }
            } else if (Double.doubleToRawLongBits(old) != Double.doubleToRawLongBits(score)
                    && !ScoreIndex.rescore(index, old, block, score)) { // -0 for 0 or back: same place
                throw new IllegalStateException("a sorted-set member is missing from its index");
            }
            ElementTable.overwritePayload(table, block, payload, poff, EntryType.SCORE_BYTES);
        }
        liveBytes += ElementTable.memoryBytes(table) + ScoreIndex.memoryBytes(index) - before;
        modCount++;
        return added;
    }

    /** Inserts a new record into a packed sorted set at its place in (score, member) order. */
    private void insertSortedPacked(long address, long hash, DirectBuffer element, int eoff, int elen,
                                    DirectBuffer payload, int poff, double score, int record) {
        int oldLength = EntryLayout.valueLength(address);
        checkPackedLength(oldLength, record);
        address = resize(address, hash, EntryType.ZSET, EntryLayout.expiry(address), oldLength + record, oldLength);
        long value = EntryLayout.valueAddress(address);
        int count = Collection.packedCount(value);
        int at = Collection.sortedInsertionPoint(value, count, score, element, eoff, elen, cursor);
        UnsafeApi.copyMemory(value + at, value + at + record, oldLength - at);
        Collection.putRecord(value + at, true, element, eoff, elen, payload, poff, EntryType.SCORE_BYTES);
        Collection.setPackedCount(value, count + 1);
    }

    /**
     * Gives the packed record {@link #cursor} found a new score and moves it to its new place: same length, so
     * the entry keeps its block.
     */
    private void moveSortedPacked(long address, DirectBuffer element, int eoff, int elen, DirectBuffer payload,
                                  int poff, double score, int record) {
        long value = EntryLayout.valueAddress(address);
        int length = EntryLayout.valueLength(address);
        int start = (int) (cursor.record - value);
        UnsafeApi.copyMemory(value + start + record, value + start, length - start - record);
        int count = Collection.packedCount(value) - 1;
        int at = Collection.sortedInsertionPoint(value, count, score, element, eoff, elen, cursor);
        UnsafeApi.copyMemory(value + at, value + at + record, length - record - at);
        Collection.putRecord(value + at, true, element, eoff, elen, payload, poff, EntryType.SCORE_BYTES);
        modCount++;
    }

    /** Whether the last {@link #elementRemove} that found its element removed the key (its last element). */
    public boolean removedKey() {
        checkAccess();
        return removedKey;
    }

    /** The expiry (0: none) of the key the last {@link #elementRemove} removed; meaningful when {@link #removedKey}. */
    public long removedKeyExpiry() {
        checkAccess();
        return removedKeyExpiry;
    }

    /**
     * Inserts {@code v} at index {@code at} of an intset, widening every member first when {@code v} needs more
     * bytes (members move from the last down, so none is overwritten before it is read).
     */
    private void insertIntset(long address, long hash, int at, long v) {
        long value = EntryLayout.valueAddress(address);
        int width = Collection.intsetWidth(value);
        int count = Collection.intsetCount(value);
        int newWidth = Math.max(width, Collection.widthFor(v));
        long newLength = Collection.intsetLength(newWidth, count + 1);
        checkPackedLength(EntryLayout.valueLength(address), (int) (newLength - EntryLayout.valueLength(address)));
        address = resize(address, hash, EntryType.SET, EntryLayout.expiry(address), (int) newLength,
                EntryLayout.valueLength(address));
        value = EntryLayout.valueAddress(address);
        for (int i = count - 1; i >= at; i--) {
            Collection.intsetPut(value, newWidth, i + 1, Collection.intsetGet(value, width, i));
        }
        if (newWidth != width) {
            for (int i = at - 1; i >= 0; i--) {
                Collection.intsetPut(value, newWidth, i, Collection.intsetGet(value, width, i));
            }
            UnsafeApi.putByte(value + Collection.INTSET_WIDTH_OFFSET, (byte) newWidth);
        }
        Collection.intsetPut(value, newWidth, at, v);
        Collection.setIntsetCount(value, count + 1);
    }

    /** Makes room for one more record at the end of a packed collection and writes it there. */
    private void appendPacked(long address, long hash, boolean payloads, DirectBuffer element, int eoff, int elen,
                              DirectBuffer payload, int poff, int plen) {
        int oldLength = EntryLayout.valueLength(address);
        int record = (int) Collection.recordLength(payloads, elen, plen); // under MAX_PACKED: checked
        checkPackedLength(oldLength, record);
        address = resize(address, hash, EntryLayout.type(address), EntryLayout.expiry(address), oldLength + record,
                oldLength);
        long value = EntryLayout.valueAddress(address);
        Collection.putRecord(value + oldLength, payloads, element, eoff, elen, payload, poff, plen);
        Collection.setPackedCount(value, Collection.packedCount(value) + 1);
    }

    /** Rewrites the record {@link #cursor} points at with a new payload, moving the records after it. */
    private void replacePacked(long address, long hash, boolean payloads, DirectBuffer element, int eoff, int elen,
                               DirectBuffer payload, int poff, int plen) {
        long value = EntryLayout.valueAddress(address);
        int oldLength = EntryLayout.valueLength(address);
        int start = (int) (cursor.record - value);
        int end = (int) (cursor.end - value);
        int record = (int) Collection.recordLength(payloads, elen, plen); // under MAX_PACKED: checked
        int grow = record - (end - start);
        if (grow > 0) {
            checkPackedLength(oldLength, grow);
            address = resize(address, hash, EntryLayout.type(address), EntryLayout.expiry(address),
                    oldLength + grow, oldLength);
            value = EntryLayout.valueAddress(address);
            UnsafeApi.copyMemory(value + end, value + end + grow, oldLength - end);
        } else if (grow < 0) {
            UnsafeApi.copyMemory(value + end, value + end + grow, oldLength - end);
            address = resize(address, hash, EntryLayout.type(address), EntryLayout.expiry(address),
                    oldLength + grow, oldLength + grow);
            value = EntryLayout.valueAddress(address);
        } else {
            modCount++;
        }
        Collection.putRecord(value + start, payloads, element, eoff, elen, payload, poff, plen);
    }

    /**
     * Largest packed collection or intset, whatever the thresholds say (CONFIG SET accepts any): past it a
     * collection becomes a table, as Redis converts a listpack near 1 GiB.
     */
    static final long MAX_PACKED = 1L << 30;

    private static void checkPackedLength(int length, int more) {
        if ((long) length + more > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("a packed collection cannot grow past 2 GiB");
        }
    }

    /**
     * Moves the elements of the packed collection at {@code address} into a new table and points the entry at
     * it; returns the entry's (possibly new) address. On an exception nothing has changed.
     */
    private long convertToTable(long address, long hash, boolean payloads) {
        long value = EntryLayout.valueAddress(address);
        byte type = EntryLayout.type(address);
        boolean intset = Collection.encoding(value) == EntryType.ENCODING_INTSET;
        int count = intset ? Collection.intsetCount(value) : Collection.packedCount(value);
        long table = ElementTable.create(allocator, budget, payloads, count + 1);
        long index = 0;
        try {
            if (type == EntryType.ZSET) {
                index = ScoreIndex.create(allocator, budget);
            }
            long at = value + Collection.PACKED_HEADER;
            int width = intset ? Collection.intsetWidth(value) : 0;
            for (int i = 0; i < count; i++) {
                int elen;
                if (intset) {
                    elen = digits.putLongAscii(0, Collection.intsetGet(value, width, i));
                    elementView.wrap(digits, 0, elen);
                    payloadView.wrap(digits, 0, 0);
                } else {
                    at = cursor.next(at, payloads);
                    elen = cursor.elementLength;
                    elementView.wrap(cursor.element, elen);
                    payloadView.wrap(cursor.payload, cursor.payloadLength);
                }
                long elementHash = ElementTable.hash(elementView, 0, elen);
                if (index != 0) {
                    // Packed records are distinct and in order already: the index fills from its end.
                    long block = ElementTable.add(table, allocator, budget, elementView, 0, elen, elementHash,
                            payloadView, 0, payloadView.capacity());
                    ScoreIndex.insert(index, allocator, budget, Collection.score(cursor.payload), block);
                } else {
                    ElementTable.put(table, allocator, budget, elementView, 0, elen, elementHash, payloadView, 0,
                            payloadView.capacity());
                }
            }
            address = resize(address, hash, type, EntryLayout.expiry(address), Collection.tableValueLength(type), 0);
        } catch (RuntimeException | Error e) {
            freeTable(table, index, false);
            throw e;
        }
        if (index != 0) {
            Collection.initSortedTable(EntryLayout.valueAddress(address), table, index);
        } else {
            Collection.initTable(EntryLayout.valueAddress(address), table);
        }
        liveBytes += ElementTable.memoryBytes(table) + (index != 0 ? ScoreIndex.memoryBytes(index) : 0);
        return address;
    }

    /** The table of an entry that is a table-encoded collection; 0 for any other entry (or none). */
    private static long tableOf(long address) {
        if (address == 0 || !EntryType.isCollection(EntryLayout.type(address))
                || EntryLayout.type(address) == EntryType.LIST) {
            return 0;
        }
        long value = EntryLayout.valueAddress(address);
        return Collection.isTable(value) ? Collection.table(value) : 0;
    }

    /** The {@link ListNodes} of an entry that is a list; 0 for any other entry (or none). */
    private static long listOf(long address) {
        if (address == 0 || EntryLayout.type(address) != EntryType.LIST) {
            return 0;
        }
        return Collection.table(EntryLayout.valueAddress(address));
    }

    /** Frees a list whose entry is gone or no longer points at it; {@code counted} as for {@link #freeTable}. */
    private void freeList(long list, boolean counted) {
        if (list != 0) {
            if (counted) {
                liveBytes -= ListNodes.memoryBytes(list);
            }
            ListNodes.free(list, allocator, budget);
        }
    }

    /** The ScoreIndex of an entry that is a table-encoded sorted set; 0 for any other entry (or none). */
    private static long indexOf(long address) {
        long table = tableOf(address);
        return table != 0 && EntryLayout.type(address) == EntryType.ZSET
                ? Collection.index(EntryLayout.valueAddress(address)) : 0;
    }

    /**
     * Frees a table and its index (0: none) whose entry is gone or no longer points at them; {@code counted}
     * when they were counted in {@link #liveBytes}.
     */
    private void freeTable(long table, long index, boolean counted) {
        if (table != 0) {
            if (counted) {
                liveBytes -= ElementTable.memoryBytes(table);
            }
            ElementTable.free(table, allocator, budget);
        }
        if (index != 0) {
            if (counted) {
                liveBytes -= ScoreIndex.memoryBytes(index);
            }
            ScoreIndex.free(index, allocator, budget);
        }
    }

    /**
     * Grows the index now to at least {@code slots} slots, so that a bulk load that knows its size never
     * rehashes while it fills the shard; does nothing when the index is already that large. The new size is
     * counted as used memory whatever the limit, as a presized keyspace's initial tables are.
     */
    public void reserveIndex(int slots) {
        checkAccess();
        if (table.capacity() >= slots) {
            return;
        }
        HashIndex bigger = new HashIndex(slots, loadFactor, shardBits);
        HashIndex old = table;
        for (int slot = 0; slot < old.capacity(); slot++) {
            long value = old.valueAt(slot);
            if (value != 0) {
                bigger.put(old.hashAt(slot), value);
            }
        }
        old.free();
        table = bigger;
        long before = indexBytes;
        indexBytes = tableBytes();
        budget.force(indexBytes - before);
        modCount++;
    }

    /** Number of entries in this shard (expired ones included until removed). */
    public int size() {
        checkAccess();
        return entries;
    }

    /** Removes every entry and gives all of this shard's off-heap memory back to the operating system. */
    public void clear() {
        checkAccess();
        releaseEverything();
        table.free();
        table = newTable();
        indexBytes = tableBytes();
        budget.force(indexBytes);
    }

    /**
     * Visits some entries and returns the cursor to continue from; 0 means the scan of this shard is done.
     * Start with cursor 0. Every entry present from the start to the end of a full scan is visited at least
     * once, whatever is inserted, removed or resized in between (the lock may be released between calls);
     * an entry may be visited more than once. Each call visits about {@code count} entries (more when it
     * must finish a run of occupied index slots, fewer when it reaches the end).
     *
     * @param visitor called under the lock for each entry; it must not modify the shard
     */
    public long scan(long cursor, int count, EntryVisitor visitor) {
        checkAccess();
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, got " + count);
        }
        // Why this is complete: linear probing keeps every slot from an entry's home slot to its slot
        // occupied, and removal only moves entries back towards their home slot. A call stops only at an
        // empty slot, so no entry beyond the cursor has its home before it; such an entry can never move
        // behind the cursor. A resized table has new slots: the shard is then scanned again from slot 0.
        HashIndex slots = table;
        int capacity = slots.capacity();
        int capacityBits = Integer.numberOfTrailingZeros(capacity);
        int slot = 0;
        if (cursor != 0 && (int) (cursor >>> 32) == capacityBits) {
            slot = (int) cursor;
            if (slot < 0 || slot >= capacity) {
                throw new IllegalArgumentException("invalid shard scan cursor " + cursor);
            }
        }
        int visited = 0;
        int examined = 0;
        int examineLimit = count > Integer.MAX_VALUE / 10 ? Integer.MAX_VALUE : count * 10;
        int expectedMods = modCount;
        for (; slot < capacity; slot++) {
            long value = slots.valueAt(slot);
            if (value == 0) {
                if (visited >= count || examined >= examineLimit) {
                    lastScanVisited = visited;
                    return ((long) capacityBits << 32) | slot;
                }
            } else if ((value & LIST_TAG) == 0) {
                visited++;
                visit(visitor, value, expectedMods);
            } else {
                long list = value & ~LIST_TAG;
                int n = CollisionList.count(list);
                for (int i = 0; i < n; i++) {
                    visit(visitor, CollisionList.entry(list, i), expectedMods);
                }
                visited += n;
            }
            examined++;
        }
        lastScanVisited = visited;
        return 0;
    }

    /**
     * Points {@code view} at an entry chosen from the bits of {@code random} (RANDOMKEY, eviction sampling).
     * Roughly uniform, not exactly: an entry after a long run of empty index slots is a little likelier.
     *
     * @return false when the shard is empty
     */
    public boolean randomEntry(long random, EntryView view) {
        checkAccess();
        if (entries == 0) {
            return false;
        }
        HashIndex slots = table;
        int mask = slots.capacity() - 1;
        int start = (int) random & mask;
        for (int i = 0; i <= mask; i++) {
            long value = slots.valueAt((start + i) & mask);
            if (value != 0) {
                if ((value & LIST_TAG) == 0) {
                    view.wrap(value);
                } else {
                    long list = value & ~LIST_TAG;
                    view.wrap(CollisionList.entry(list, (int) ((random >>> 33) % CollisionList.count(list))));
                }
                return true;
            }
        }
        throw new IllegalStateException("shard " + index + " counts " + entries + " entries but its index is empty");
    }

    /** Adds this shard's counters to {@code into} (does not reset it). */
    public void addStatsTo(StoreStats into) {
        checkAccess();
        into.entries += entries;
        for (int t = 0; t < EntryType.COUNT; t++) {
            into.typeCounts[t] += typeCounts[t];
        }
        into.liveBytes += liveBytes;
        into.blockBytes += allocator.blockBytes();
        into.allocatedBytes += allocator.allocatedBytes();
        into.indexBytes += indexBytes;
    }

    /**
     * Recounts everything from the index and the entries and throws {@link IllegalStateException} when a
     * counter disagrees (entries, per-type counts, live bytes, block bytes, index bytes, the allocator's
     * slabs). Walks the whole shard: for tests and diagnostics. The caller holds the lock.
     */
    void verify() {
        checkAccess();
        HashIndex slots = table;
        long count = 0;
        long live = 0;
        long small = 0;
        long large = 0;
        long[] types = new long[EntryType.COUNT];
        for (int slot = 0; slot < slots.capacity(); slot++) {
            long value = slots.valueAt(slot);
            if (value == 0) {
                continue;
            }
            int n = 1;
            long list = 0;
            if ((value & LIST_TAG) != 0) {
                list = value & ~LIST_TAG;
                n = CollisionList.count(list);
                if (n < 2 || n > CollisionList.capacity(list)) {
                    throw new IllegalStateException("shard " + index + ": collision list with " + n + " of "
                            + CollisionList.capacity(list) + " entries");
                }
                long bytes = SlabAllocator.blockBytesOf(list, CollisionList.length(CollisionList.capacity(list)));
                if (CollisionList.length(CollisionList.capacity(list)) <= SlabAllocator.MAX_SMALL) {
                    small += bytes;
                } else {
                    large += bytes;
                }
            }
            for (int i = 0; i < n; i++) {
                long address = list == 0 ? value : CollisionList.entry(list, i);
                long length = EntryLayout.length(address);
                byte type = EntryLayout.type(address);
                if (!EntryType.isValid(type)) {
                    throw new IllegalStateException("shard " + index + ": entry with type " + type);
                }
                count++;
                types[type]++;
                live += length;
                long t = tableOf(address);
                if (t != 0) {
                    long[] blocks = new long[2];
                    ElementTable.verify(t, blocks);
                    small += blocks[0];
                    large += blocks[1];
                    live += ElementTable.memoryBytes(t);
                    long sortedIndex = indexOf(address);
                    if (sortedIndex != 0) {
                        ScoreIndex.verify(sortedIndex);
                        if (ScoreIndex.count(sortedIndex) != ElementTable.count(t)) {
                            throw new IllegalStateException("shard " + index + ": a sorted set's index holds "
                                    + ScoreIndex.count(sortedIndex) + " members, its table " + ElementTable.count(t));
                        }
                        small += ScoreIndex.memoryBytes(sortedIndex); // its nodes are all small blocks
                        live += ScoreIndex.memoryBytes(sortedIndex);
                    }
                }
                long listNodes = listOf(address);
                if (listNodes != 0) {
                    ListNodes.verify(listNodes);
                    long[] blocks = ListNodes.blockBytes(listNodes);
                    small += blocks[0];
                    large += blocks[1];
                    live += ListNodes.memoryBytes(listNodes);
                }
                if (length <= SlabAllocator.MAX_SMALL) {
                    small += SlabAllocator.blockBytesOf(address, length);
                } else {
                    large += SlabAllocator.blockBytesOf(address, length);
                }
            }
        }
        if (count != entries || live != liveBytes || !java.util.Arrays.equals(types, typeCounts)
                || indexBytes != tableBytes()) {
            throw new IllegalStateException("shard " + index + " counters are off: counted " + count + " entries, "
                    + live + " live bytes, types " + java.util.Arrays.toString(types) + "; recorded " + entries + ", "
                    + liveBytes + ", " + java.util.Arrays.toString(typeCounts) + "; index bytes " + indexBytes
                    + " vs table " + tableBytes());
        }
        allocator.verify(small, large);
    }

    /** Entries visited by the last {@link #scan} call. */
    int lastScanVisited() {
        return lastScanVisited;
    }

    /** Frees all memory; the shard cannot be used afterwards. The caller holds the lock. */
    void close() {
        if (!closed) {
            releaseEverything();
            table.free();
            indexBytes = 0;
            closed = true;
        }
    }

    // ------------------------------------------------------------------ lookup and linking

    /** Returns the entry address of the key or 0, and remembers where it was found for linking. */
    private long locate(DirectBuffer key, int keyOffset, int keyLength, long hash) {
        long value = table.get(hash);
        foundRaw = value;
        foundList = 0;
        if (value == 0) {
            return 0;
        }
        if ((value & LIST_TAG) == 0) {
            return EntryLayout.keyEquals(value, key, keyOffset, keyLength) ? value : 0;
        }
        long list = value & ~LIST_TAG;
        foundList = list;
        int n = CollisionList.count(list);
        for (int i = 0; i < n; i++) {
            long address = CollisionList.entry(list, i);
            if (EntryLayout.keyEquals(address, key, keyOffset, keyLength)) {
                foundListSlot = i;
                return address;
            }
        }
        return 0;
    }

    /** Extra used memory that linking a new key under the hash of the last locate() will take. */
    private long linkCost() {
        long value = foundRaw;
        if (value == 0) {
            return table.size() + 1 > table.resizeThreshold() ? (long) table.capacity() * SLOT_BYTES : 0;
        }
        if ((value & LIST_TAG) == 0) {
            return SlabAllocator.blockBytesFor(CollisionList.length(CollisionList.INITIAL_CAPACITY), 0);
        }
        long list = value & ~LIST_TAG;
        int capacity = CollisionList.capacity(list);
        return CollisionList.count(list) < capacity ? 0
                : SlabAllocator.blockBytesFor(CollisionList.length(2 * capacity), 0)
                - SlabAllocator.blockBytesFor(CollisionList.length(capacity), 0);
    }

    /** Links a new entry under {@code hash}, given the last locate() did not find its key. */
    private void link(long hash, long address) {
        long value = foundRaw;
        if (value == 0) {
            table.put(hash, address);
            indexBytes = tableBytes();
        } else if ((value & LIST_TAG) == 0) {
            long list = allocateList(CollisionList.INITIAL_CAPACITY);
            CollisionList.add(list, value);
            CollisionList.add(list, address);
            table.put(hash, list | LIST_TAG);
        } else {
            long list = value & ~LIST_TAG;
            int capacity = CollisionList.capacity(list);
            if (CollisionList.count(list) == capacity) {
                long grown = allocateList(2 * capacity);
                CollisionList.copyEntries(list, grown);
                freeList(list);
                list = grown;
                table.put(hash, list | LIST_TAG);
            }
            CollisionList.add(list, address);
        }
    }

    /** Points the index at {@code address} instead of the entry the last locate() found. */
    private void relink(long hash, long address) {
        if (foundList == 0) {
            table.put(hash, address);
        } else {
            CollisionList.set(foundList, foundListSlot, address);
        }
    }

    /** Removes the entry the last locate() found from the index. */
    private void unlink(long hash) {
        if (foundList == 0) {
            table.remove(hash);
            return;
        }
        long list = foundList;
        if (CollisionList.count(list) == 2) {
            table.put(hash, CollisionList.entry(list, 1 - foundListSlot));
            freeList(list);
        } else {
            CollisionList.removeAt(list, foundListSlot);
        }
    }

    private long allocateList(int capacity) {
        long list = allocator.allocate(CollisionList.length(capacity), 0);
        CollisionList.init(list, capacity);
        return list;
    }

    private void freeList(long list) {
        allocator.free(list, CollisionList.length(CollisionList.capacity(list)));
    }

    // ------------------------------------------------------------------ writing entries

    /**
     * Makes room for an entry with this key and header (reusing {@code previous} in place when its block
     * fits and the source bytes do not live in it), writes header and key, links it, and returns its address.
     * The caller then writes the value and calls {@link #finishWrite}. On an exception nothing has changed.
     */
    private long writeEntry(long previous, DirectBuffer key, int keyOffset, int keyLength, long hash, byte type,
                            long expiry, int valueLength, Object valueBase, long valueSourceOffset) {
        long length = EntryLayout.length(keyLength, valueLength, expiry != 0);
        replacedExpiry = previous != 0 ? EntryLayout.expiry(previous) : 0;
        if (previous != 0) {
            long oldLength = EntryLayout.length(previous);
            long oldBlock = SlabAllocator.blockBytesOf(previous, oldLength);
            if (SlabAllocator.fitsInPlace(previous, oldLength, length, false)
                    && !overlaps(key.byteArray(), key.addressOffset() + keyOffset, keyLength, previous, oldBlock)
                    && !overlaps(valueBase, valueSourceOffset, valueLength, previous, oldBlock)) {
                typeCounts[EntryLayout.type(previous)]--;
                typeCounts[type]++;
                liveBytes += length - oldLength;
                EntryLayout.writeHeader(previous, type, keyLength, valueLength, expiry);
                EntryLayout.copyFrom(key, keyOffset, EntryLayout.keyAddress(previous), keyLength);
                return previous;
            }
            long newBlock = SlabAllocator.blockBytesFor(length, 0);
            reserve(newBlock - oldBlock);
            long address = allocateOrUnreserve(length, 0, newBlock - oldBlock);
            EntryLayout.writeHeader(address, type, keyLength, valueLength, expiry);
            EntryLayout.copyFrom(key, keyOffset, EntryLayout.keyAddress(address), keyLength);
            relink(hash, address);
            typeCounts[EntryLayout.type(previous)]--;
            typeCounts[type]++;
            liveBytes += length - oldLength;
            return address;
        }
        long linkCost = linkCost();
        long newBlock = SlabAllocator.blockBytesFor(length, 0);
        reserve(newBlock + linkCost);
        long address = allocateOrUnreserve(length, 0, newBlock + linkCost);
        EntryLayout.writeHeader(address, type, keyLength, valueLength, expiry);
        EntryLayout.copyFrom(key, keyOffset, EntryLayout.keyAddress(address), keyLength);
        try {
            link(hash, address);
        } catch (StoreMemoryException e) {
            // Only an allocation can fail here (a collision list, or the index growing), before the index
            // changed.
            allocator.free(address, length);
            budget.release(newBlock + linkCost);
            throw e;
        }
        entries++;
        typeCounts[type]++;
        liveBytes += length;
        return address;
    }

    /** Frees the replaced entry after its bytes were copied (its block was already counted off). */
    private void finishWrite(long previous, long address) {
        if (previous != 0 && previous != address) {
            freeEntry(previous);
        }
        modCount++;
    }

    /**
     * Gives an existing entry a new type, expiry and value length, keeping its key and the first
     * {@code keep} value bytes and zeroing the rest; in place when the block fits.
     */
    private long resize(long previous, long hash, byte type, long expiry, int valueLength, int keep) {
        int keyLength = EntryLayout.keyLength(previous);
        int oldValueLength = EntryLayout.valueLength(previous);
        long oldLength = EntryLayout.length(previous);
        long length = EntryLayout.length(keyLength, valueLength, expiry != 0);
        long oldKey = EntryLayout.keyAddress(previous);
        byte oldType = EntryLayout.type(previous);
        long address;
        if (SlabAllocator.fitsInPlace(previous, oldLength, length, valueLength >= oldValueLength)) {
            address = previous;
            long newKey = previous + EntryLayout.HEADER_LENGTH + (expiry != 0 ? EntryLayout.EXPIRY_LENGTH : 0);
            if (newKey != oldKey) {
                // Key and kept prefix are contiguous; the copy handles the 8-byte overlap.
                UnsafeApi.copyMemory(oldKey, newKey, (long) keyLength + keep);
            }
            EntryLayout.writeHeader(previous, type, keyLength, valueLength, expiry);
        } else {
            long oldBlock = SlabAllocator.blockBytesOf(previous, oldLength);
            long headroom = 0;
            if (valueLength > oldValueLength && length > SlabAllocator.MAX_SMALL) {
                headroom = Math.min(length, MAX_HEADROOM);
            }
            long newBlock = SlabAllocator.blockBytesFor(length, headroom);
            reserve(newBlock - oldBlock);
            address = allocateOrUnreserve(length, headroom, newBlock - oldBlock);
            EntryLayout.writeHeader(address, type, keyLength, valueLength, expiry);
            UnsafeApi.copyMemory(oldKey, EntryLayout.keyAddress(address), (long) keyLength + keep);
            relink(hash, address);
            allocator.free(previous, oldLength);
        }
        if (valueLength > keep) {
            UnsafeApi.setMemory(EntryLayout.valueAddress(address) + keep, valueLength - keep, (byte) 0);
        }
        typeCounts[oldType]--;
        typeCounts[type]++;
        liveBytes += length - oldLength;
        modCount++;
        return address;
    }

    /** Whether {@code length} source bytes at ({@code base}, {@code offset}) lie inside an off-heap block. */
    private static boolean overlaps(Object base, long offset, long length, long block, long blockBytes) {
        return base == null && length > 0 && offset < block + blockBytes && block < offset + length;
    }

    // ------------------------------------------------------------------ blocks

    private long allocateOrUnreserve(long length, long headroom, long reserved) {
        try {
            return allocator.allocate(length, headroom);
        } catch (RuntimeException | OutOfMemoryError e) {
            budget.release(reserved);
            throw e;
        }
    }

    private void freeEntry(long address) {
        allocator.free(address, EntryLayout.length(address));
    }

    /** Counts a change of used memory; growth is checked against {@code maxmemory} first. */
    private void reserve(long bytes) {
        if (bytes > 0) {
            budget.reserve(bytes);
        } else if (bytes < 0) {
            budget.release(-bytes);
        }
    }

    // ------------------------------------------------------------------ whole shard

    /** Frees every block and zeroes the counters; the caller replaces the (now dangling) table. */
    private void releaseEverything() {
        long used = allocator.blockBytes() + indexBytes;
        HashIndex slots = table;
        for (int slot = 0; slot < slots.capacity(); slot++) {
            long value = slots.valueAt(slot);
            if (value == 0) {
                continue;
            }
            if ((value & LIST_TAG) == 0) {
                freeLargeTableBlocks(value);
                freeIfLarge(value, EntryLayout.length(value));
            } else {
                long list = value & ~LIST_TAG;
                for (int i = 0, n = CollisionList.count(list); i < n; i++) {
                    long address = CollisionList.entry(list, i);
                    freeLargeTableBlocks(address);
                    freeIfLarge(address, EntryLayout.length(address));
                }
                freeIfLarge(list, CollisionList.length(CollisionList.capacity(list)));
            }
        }
        allocator.releaseAll();
        budget.release(used);
        indexBytes = 0;
        entries = 0;
        liveBytes = 0;
        java.util.Arrays.fill(typeCounts, 0);
        modCount++;
    }

    private void freeLargeTableBlocks(long address) {
        long t = tableOf(address);
        if (t != 0) {
            ElementTable.freeLargeBlocks(t, allocator);
        }
        long list = listOf(address);
        if (list != 0) {
            ListNodes.freeLargeBlocks(list, allocator);
        }
    }

    private void freeIfLarge(long address, long length) {
        if (length > SlabAllocator.MAX_SMALL) {
            allocator.freeLarge(address);
        }
    }

    private HashIndex newTable() {
        return new HashIndex(initialCapacity, loadFactor, shardBits);
    }

    private long tableBytes() {
        return (long) table.capacity() * SLOT_BYTES;
    }

    private void visit(EntryVisitor visitor, long address, int expectedMods) {
        scanView.wrap(address);
        visitor.visit(scanView);
        if (modCount != expectedMods) {
            throw new IllegalStateException("an EntryVisitor modified shard " + index
                    + " during a scan; collect the keys and modify after scan() returns");
        }
    }

    private void checkAccess() {
        assert lock.isHeldByCurrentThread() : "shard " + index + " used without holding its lock";
        if (closed) {
            throw new IllegalStateException("the keyspace is closed");
        }
    }

    private static void checkType(byte type) {
        if (!EntryType.isValid(type)) {
            throw new IllegalArgumentException("unknown entry type " + type + "; expected 1 (STRING), 2 (INT), 3 (JSON),"
                    + " 4 (HASH), 5 (LIST), 6 (SET), 7 (ZSET) or 8 (ITEM)");
        }
    }
}
