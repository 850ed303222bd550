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
    // Sorted sets: the block find() last found (table), the order cursor, a packed set's records in order.
    private long foundBlock;
    private final ScoreIndex.Cursor order = new ScoreIndex.Cursor();
    private long[] records = new long[16];
    private int recordCount;
    private int recordAt;
    // Lists: the ListNodes (0 for other types), a cursor, the current label as its 8 log bytes.
    private long list;
    private boolean listStarted;
    private final ListNodes.Cursor listCursor = new ListNodes.Cursor();
    private final UnsafeBuffer labelBytes = new UnsafeBuffer(new byte[ListNodes.LABEL_BYTES]);

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
        list = type == EntryType.LIST ? Collection.table(value) : 0;
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
        return list != 0 ? ListNodes.count(list) : Collection.count(value);
    }

    /**
     * Bytes this collection takes beyond its entry: a table's header, slots and element blocks (and a sorted
     * set's index); 0 when packed.
     */
    public long tableBytes() {
        if (!table) {
            return 0;
        }
        if (list != 0) {
            return ListNodes.memoryBytes(list);
        }
        long bytes = ElementTable.memoryBytes(Collection.table(value));
        return type == EntryType.ZSET ? bytes + ScoreIndex.memoryBytes(Collection.index(value)) : bytes;
    }

    /** Looks an element up; true with {@link #element()} and {@link #payload()} on it. */
    public boolean find(DirectBuffer e, int off, int len) {
        if (list != 0) {
            throw new UnsupportedOperationException("a list's elements are found by index (seekRank)");
        }
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
            foundBlock = block;
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
        listStarted = false;
        at = value + Collection.PACKED_HEADER;
        left = table ? 0 : intset ? Collection.intsetCount(value) : Collection.packedCount(value);
        slot = 0;
    }

    /** Moves to the next element; false at the end. */
    public boolean next() {
        if (list != 0) {
            boolean more = listStarted ? listCursor.next() : listCursor.seek(list, 0);
            listStarted = true;
            if (more) {
                pointList();
            }
            return more;
        }
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
        if (list != 0) {
            seekRank(Long.remainderUnsigned(random, ListNodes.count(list)));
            return;
        }
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

    // ---------------------------------------------------------------- sorted sets, in (score, member) order

    /** The score of the current element of a sorted set (its payload). */
    public double score() {
        return Collection.score(payload.addressOffset());
    }

    /** The rank (0-based, in ascending order) of the element {@link #find} found last in a sorted set. */
    public long rank() {
        if (list != 0) {
            return listCursor.index();
        }
        if (table) {
            return ScoreIndex.rank(Collection.index(value), score(), foundBlock);
        }
        long target = cursor.record;
        long at = value + Collection.PACKED_HEADER;
        long rank = 0;
        while (at != target) {
            at = cursor.next(at, true);
            rank++;
        }
        cursor.next(target, true);
        return rank;
    }

    /**
     * Moves to the element of rank {@code rank} of a sorted set (0-based, ascending); false when out of range.
     * {@link #nextInOrder} and {@link #prevInOrder} go on from there.
     */
    public boolean seekRank(long rank) {
        if (rank < 0 || rank >= count()) {
            return false;
        }
        if (list != 0) {
            listCursor.seek(list, rank);
            listStarted = true;
            pointList();
            return true;
        }
        if (table) {
            if (!order.seek(Collection.index(value), rank)) {
                return false;
            }
            point(order.block());
            return true;
        }
        int n = Collection.packedCount(value);
        if (records.length < n) {
            records = new long[Math.max(n, records.length * 2)];
        }
        long at = value + Collection.PACKED_HEADER;
        for (int i = 0; i < n; i++) {
            records[i] = at;
            at = cursor.next(at, true);
        }
        recordCount = n;
        recordAt = (int) rank;
        pointRecord();
        return true;
    }

    /** Moves to the next element in order after {@link #seekRank}; false at the end. */
    public boolean nextInOrder() {
        if (list != 0) {
            return listCursor.next() && pointList();
        }
        if (table) {
            if (!order.next()) {
                return false;
            }
            point(order.block());
            return true;
        }
        if (recordAt + 1 >= recordCount) {
            return false;
        }
        recordAt++;
        pointRecord();
        return true;
    }

    /** Moves to the previous element in order after {@link #seekRank}; false at the start. */
    public boolean prevInOrder() {
        if (list != 0) {
            return listCursor.prev() && pointList();
        }
        if (table) {
            if (!order.prev()) {
                return false;
            }
            point(order.block());
            return true;
        }
        if (recordAt == 0) {
            return false;
        }
        recordAt--;
        pointRecord();
        return true;
    }

    // ---------------------------------------------------------------- lists, by index (seekRank, nextInOrder, ...)

    /**
     * The label of a list's current element: its identity in the log, increasing from head to tail
     * ({@link #element()} holds it as its 8 log bytes, {@link #payload()} the element's value).
     */
    public long label() {
        return listCursor.label();
    }

    /** Whether the current element's payload (a list element's value) is these bytes. */
    public boolean payloadEquals(DirectBuffer b, int off, int len) {
        if (payload.capacity() != len) {
            return false;
        }
        b.boundsCheck(off, len);
        return EntryLayout.bytesEqual(payload.addressOffset(), b.byteArray(), b.addressOffset() + off, len);
    }

    /** Labels a push takes: the head's label minus this, the tail's plus this. */
    public static final long LABEL_STRIDE = ListNodes.STRIDE;
    /** The smallest label a list element may have. */
    public static final long LABEL_MIN = ListNodes.LABEL_MIN;
    /** The largest label a list element may have. */
    public static final long LABEL_MAX = ListNodes.LABEL_MAX;

    /** Writes a list label as its 8 log bytes. */
    public static void putLabel(org.agrona.MutableDirectBuffer b, int off, long label) {
        ListNodes.putLabel(b, off, label);
    }

    /** A list's first label (the list is not empty). */
    public long firstLabel() {
        return ListNodes.firstLabel(list);
    }

    /** A list's last label. */
    public long lastLabel() {
        return ListNodes.lastLabel(list);
    }

    private boolean pointList() {
        ListNodes.putLabel(labelBytes, 0, listCursor.label());
        element.wrap(labelBytes, 0, ListNodes.LABEL_BYTES);
        payload.wrap(listCursor.value, listCursor.valueLength);
        return true;
    }

    private void pointRecord() {
        cursor.next(records[recordAt], true);
        element.wrap(cursor.element, cursor.elementLength);
        payload.wrap(cursor.payload, cursor.payloadLength);
    }

    /** How many members of a sorted set score below {@code score} ({@code orEqual}: at most {@code score}). */
    public long countBelow(double score, boolean orEqual) {
        if (table) {
            return ScoreIndex.countBelow(Collection.index(value), score, orEqual);
        }
        int n = Collection.packedCount(value);
        long at = value + Collection.PACKED_HEADER;
        for (int i = 0; i < n; i++) {
            at = cursor.next(at, true);
            double s = Collection.score(cursor.payload);
            if (orEqual ? s > score : s >= score) {
                return i;
            }
        }
        return n;
    }

    /**
     * How many members of a sorted set sort before the member bytes {@code m} ({@code orEqual}: before or
     * equal), comparing members only: Redis's lexicographic ranges, meaningful when all scores are equal.
     */
    public long countBelowLex(DirectBuffer m, int off, int len, boolean orEqual) {
        if (table) {
            return ScoreIndex.countBelowLex(Collection.index(value), m, off, len, orEqual);
        }
        int n = Collection.packedCount(value);
        long at = value + Collection.PACKED_HEADER;
        for (int i = 0; i < n; i++) {
            at = cursor.next(at, true);
            int c = Collection.compareMembers(cursor.element, cursor.elementLength, m, off, len);
            if (orEqual ? c > 0 : c >= 0) {
                return i;
            }
        }
        return n;
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
