package io.qrrot.engine.store;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A reusable, read-only flyweight over the elements of one collection entry, in any of its encodings (see
 * {@link Collection}): count, lookup, iteration and random choice. Valid under the same rules as the
 * {@link EntryView} it wraps: while the shard's lock is held and until the shard is next modified. Not
 * thread-safe.
 *
 * <p>{@link #element()} and {@link #payload()} are re-pointed by every {@link #find}, {@link #next} and
 * {@link #random}; never write through them.
 */
public final class CollectionView {
    private final Collection.Cursor cursor = new Collection.Cursor();
    private final UnsafeBuffer element = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer payload = new UnsafeBuffer(0, 0);
    private long value;
    private byte type;
    private boolean payloads;
    private boolean table;
    private boolean intset;
    private final UnsafeBuffer digits = new UnsafeBuffer(new byte[CanonicalInteger.MAX_TEXT]);
    private final org.agrona.collections.MutableLong number = new org.agrona.collections.MutableLong();
    // Iteration: the next record's address (packed) or the next slot (table), and elements left (packed).
    private long at;
    private int left;
    private int slot;

    /** Points the view at the collection in {@code entry} (whose type is a collection type). */
    public CollectionView wrap(EntryView entry) {
        type = entry.type();
        if (!EntryType.isCollection(type)) {
            throw new IllegalArgumentException("a " + EntryType.name(type) + " is not a collection");
        }
        value = EntryLayout.valueAddress(entry.address());
        payloads = EntryType.hasPayload(type);
        table = Collection.isTable(value);
        intset = Collection.encoding(value) == EntryType.ENCODING_INTSET;
        rewind();
        return this;
    }

    public byte type() {
        return type;
    }

    /** {@link EntryType#ENCODING_PACKED}, {@link EntryType#ENCODING_INTSET} or {@link EntryType#ENCODING_TABLE}. */
    public byte encoding() {
        return Collection.encoding(value);
    }

    /** Number of elements (at least 1: the store keeps no empty collection). */
    public long count() {
        return Collection.count(value);
    }

    /** Bytes this collection takes beyond its entry: a table's header, slots and element blocks; 0 when packed. */
    public long tableBytes() {
        return table ? ElementTable.memoryBytes(Collection.table(value)) : 0;
    }

    /** Looks an element up; true with {@link #element()} and {@link #payload()} on it. */
    public boolean find(DirectBuffer e, int off, int len) {
        if (intset) {
            if (!CanonicalInteger.parse(e, off, len, number)) {
                return false;
            }
            int at = Collection.intsetSearch(value, number.get());
            if (at < 0) {
                return false;
            }
            pointInt(number.get());
            return true;
        }
        if (table) {
            long block = ElementTable.find(Collection.table(value), e, off, len, ElementTable.hash(e, off, len));
            if (block == 0) {
                return false;
            }
            point(block);
            return true;
        }
        if (!Collection.findPacked(value, payloads, e, off, len, cursor)) {
            return false;
        }
        element.wrap(cursor.element, cursor.elementLength);
        payload.wrap(cursor.payload, cursor.payloadLength);
        return true;
    }

    /** The element found or iterated last. */
    public DirectBuffer element() {
        return element;
    }

    /** Its payload (a hash field's value); empty for a type without payloads. */
    public DirectBuffer payload() {
        return payload;
    }

    /**
     * Starts the iteration over again: packed collections in insertion order, intsets in ascending order, tables
     * in slot order.
     */
    public void rewind() {
        at = value + Collection.PACKED_HEADER;
        left = table ? 0 : intset ? Collection.intsetCount(value) : Collection.packedCount(value);
        slot = 0;
    }

    /** Moves to the next element; false at the end. */
    public boolean next() {
        if (table) {
            long t = Collection.table(value);
            int capacity = ElementTable.slotCount(t);
            while (slot < capacity) {
                long block = ElementTable.blockAt(t, slot++);
                if (block != 0) {
                    point(block);
                    return true;
                }
            }
            return false;
        }
        if (left == 0) {
            return false;
        }
        left--;
        if (intset) {
            pointInt(Collection.intsetGet(value, Collection.intsetWidth(value), slot++));
            return true;
        }
        at = cursor.next(at, payloads);
        element.wrap(cursor.element, cursor.elementLength);
        payload.wrap(cursor.payload, cursor.payloadLength);
        return true;
    }

    /** Points at an element chosen from the bits of {@code random} (roughly uniform). */
    public void random(long random) {
        if (table) {
            point(ElementTable.randomBlock(Collection.table(value), random));
            return;
        }
        if (intset) {
            int i = (int) Long.remainderUnsigned(random, Collection.intsetCount(value));
            pointInt(Collection.intsetGet(value, Collection.intsetWidth(value), i));
            return;
        }
        int n = Collection.packedCount(value);
        int skip = (int) Long.remainderUnsigned(random, n);
        rewind();
        for (int i = 0; i <= skip; i++) {
            next();
        }
    }

    private void pointInt(long v) {
        element.wrap(digits, 0, digits.putLongAscii(0, v));
        payload.wrap(digits, 0, 0);
    }


    private final ElementVisitor collector = this::addScanned;
    /** What {@link #scan} collected: element address, element length, payload address, payload length. */
    private long[] scanned = new long[64];
    private int scannedCount;
    private int scannedNext;

    /**
     * Collects about {@code count} elements of a table from {@code cursor} (0 to start) for {@link #nextScanned}
     * and returns the cursor to continue from, 0 when done: every element present for a whole scan is returned
     * at least once, even when the table grows or shrinks between calls. A packed collection or an intset has no
     * cursor: read it whole with {@link #next}.
     */
    public long scan(long cursor, int count) {
        if (!table) {
            throw new IllegalStateException("a packed collection is read whole");
        }
        scannedCount = 0;
        scannedNext = 0;
        return ElementTable.scan(Collection.table(value), cursor, count, collector);
    }

    private void addScanned(long elementAddress, int elementLength, long payloadAddress, int payloadLength) {
        if (scannedCount + 4 > scanned.length) {
            scanned = java.util.Arrays.copyOf(scanned, scanned.length * 2);
        }
        scanned[scannedCount++] = elementAddress;
        scanned[scannedCount++] = elementLength;
        scanned[scannedCount++] = payloadAddress;
        scanned[scannedCount++] = payloadLength;
    }

    /** Moves to the next element {@link #scan} collected; false when there is none left. */
    public boolean nextScanned() {
        if (scannedNext == scannedCount) {
            return false;
        }
        element.wrap(scanned[scannedNext], (int) scanned[scannedNext + 1]);
        payload.wrap(scanned[scannedNext + 2], (int) scanned[scannedNext + 3]);
        scannedNext += 4;
        return true;
    }

    private void point(long block) {
        element.wrap(ElementTable.elementAddress(block), ElementTable.elementLength(block));
        payload.wrap(ElementTable.payloadAddress(block), ElementTable.payloadLength(block));
    }
}
