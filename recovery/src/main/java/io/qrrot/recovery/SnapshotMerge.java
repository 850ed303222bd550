package io.qrrot.recovery;

import io.qrrot.recovery.fold.Change;
import io.qrrot.recovery.fold.ChangeCursor;
import io.qrrot.recovery.fold.DeltaSort;
import io.qrrot.recovery.snapshot.HashedRecordVisitor;
import io.qrrot.recovery.snapshot.SnapshotOrder;
import io.qrrot.recovery.snapshot.SnapshotWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The merge step of a compaction: the previous hash-ordered snapshot, read record by record (this is its
 * visitor), merged with the sorted, folded delta ({@link ChangeCursor}, in {@link Change#compare} order) into
 * the new snapshot, in one pass. Both streams are in {@link SnapshotOrder}, keys and, inside a collection,
 * elements, so the merge holds one record and one change at a time, whatever the size of a collection.
 *
 * <p>Per key, what the new snapshot gets:
 * <ul>
 *   <li>A PUT in the delta (its last reset): the PUT's value; the snapshot's record, its elements and the
 *       delta's element changes are all superseded.
 *   <li>A DELETE (its last reset): a collection of the delta's element puts newer than the DELETE, with the
 *       expiry of the EXPIREs after it (none: no expiry), or nothing.
 *   <li>No reset: the snapshot's record with the expiry of the delta's EXPIRE, if any. A collection's elements
 *       merge with the delta's element changes, the delta's change winning for an element both have. Element
 *       changes for a key holding a value are left out (the engine refuses them with WRONGTYPE, so a log
 *       has none).
 *   <li>A key the snapshot lacks, without reset: the delta's element puts make a collection, expiring as its
 *       EXPIRE says.
 * </ul>
 * A key whose expiry has passed is left out, and a collection left with no element is too (the writer writes
 * a collection with its first element). Element changes of another type than the collection's are left out.
 *
 * <p>Single-threaded: the compactor's thread.
 */
final class SnapshotMerge implements HashedRecordVisitor {
    /** What {@link #onElement} does with the elements of the snapshot's current collection. */
    private static final int NONE = 0;
    private static final int COPY = 1;
    private static final int SKIP = 2;
    private static final int MERGE = 3;
    /** What {@link #ownChange} returns when the delta's PUT or DELETE settled the key (an expiry is >= 0). */
    private static final long SETTLED = -1;

    private final ChangeCursor changes;
    private final SnapshotWriter writer;
    private final long now;
    private final DeltaSort.Abort abort;
    private boolean more;
    private long records;
    private int elements = NONE;
    private byte collectionType;
    /**
     * The key being merged: the snapshot's view of it while one record is merged, a copy ({@link #keyCopy})
     * when it must outlive the view (a collection merged over many calls) or the delta's buffer (a key only
     * the delta has, whose changes the cursor moves past).
     */
    private DirectBuffer key;
    private int keyOffset;
    private int keyLength;
    private long keyHash;
    private byte[] keyBytes = new byte[64];
    private final UnsafeBuffer keyCopy = new UnsafeBuffer(keyBytes);

    SnapshotMerge(ChangeCursor changes, SnapshotWriter writer, long now, DeltaSort.Abort abort) throws IOException {
        this.changes = changes;
        this.writer = writer;
        this.now = now;
        this.abort = abort;
        this.more = changes.next();
    }

    /** After the snapshot's last record, or with no snapshot: the collection being merged ends, the delta's rest. */
    void finish() throws IOException {
        endCollection();
        while (more) {
            tick();
            deltaKey();
        }
    }

    @Override
    public void onRecord(long hash, byte type, DirectBuffer k, DirectBuffer value, long expiry) {
        try {
            tick();
            startKey(hash, k);
            long e = ownChange(expiry);
            if (e == SETTLED) {
                return;
            }
            skipElements(); // element changes to a key holding a value: a log has none
            if (alive(e)) {
                writer.add(type, k, 0, k.capacity(), value, 0, value.capacity(), e);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void onCollection(long hash, byte type, DirectBuffer k, long expiry) {
        try {
            tick();
            startKey(hash, k);
            elements = SKIP;
            long e = ownChange(expiry);
            if (e == SETTLED) {
                return;
            }
            if (!alive(e)) {
                skipElements();
                return;
            }
            writer.beginCollection(type, key, keyOffset, keyLength, e);
            collectionType = type;
            elements = atKey() ? MERGE : COPY;
            if (elements == MERGE) {
                copyKey(keyHash, key, keyOffset, keyLength); // compared with the delta in later calls
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void onElement(long hash, byte type, DirectBuffer k, long expiry, long elementHash, DirectBuffer element,
                          DirectBuffer payload) {
        try {
            tick();
            if (elements == COPY) {
                writer.addElement(element, 0, element.capacity(), payload, 0, payload.capacity());
            } else if (elements == MERGE) {
                int elen = element.capacity();
                while (atElement()) {
                    int c = Change.compareElement(elementHash, element, 0, elen, changes.buffer(), changes.at());
                    if (c < 0) {
                        break;
                    }
                    addElementChange(); // the delta's element sorts before this one, or is this one: it wins
                    advance();
                    if (c == 0) {
                        return;
                    }
                }
                writer.addElement(element, 0, elen, payload, 0, payload.capacity());
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Ends the snapshot's collection being read (the delta's element changes after its last element), writes
     * the delta's keys that sort before {@code k}, and makes {@code k} the key being merged.
     */
    private void startKey(long hash, DirectBuffer k) throws IOException {
        endCollection();
        int klen = k.capacity();
        while (more && Change.compareKey(hash, k, 0, klen, changes.buffer(), changes.at()) > 0) {
            deltaKey();
        }
        key = k; // valid during this call
        keyOffset = 0;
        keyLength = klen;
        keyHash = hash;
    }

    private void endCollection() throws IOException {
        if (elements == MERGE) {
            while (atElement()) {
                addElementChange();
                advance();
            }
        }
        elements = NONE;
    }

    /** A key only the delta has, at the cursor's change: writes it and moves past its changes. */
    private void deltaKey() throws IOException {
        DirectBuffer b = changes.buffer();
        int at = changes.at();
        copyKey(Change.hash(b, at), b, Change.keyOffset(b, at), Change.keyLength(b, at));
        long e = Change.isElement(changes.kind()) ? 0 : applyOwnChange(); // the cursor is on the key
        if (e != SETTLED) {
            deltaCollection(0, e); // element puts alone make the key a collection
        }
    }

    /**
     * Applies the delta's own change of the key being merged, when the cursor is on one, and moves past it: a
     * PUT writes its value (and the key's element changes are skipped), a DELETE writes the collection that
     * element changes after it make; both settle the key ({@link #SETTLED}). An EXPIRE returns its expiry,
     * and no change {@code expiry}: what the key's record (or new collection) gets.
     */
    private long ownChange(long expiry) throws IOException {
        if (!more || Change.isElement(changes.kind()) || !atKey()) {
            return expiry;
        }
        return applyOwnChange();
    }

    /** {@link #ownChange} once the cursor is known to be on the key's own change. */
    private long applyOwnChange() throws IOException {
        byte kind = changes.kind();
        if (kind == Change.PUT) {
            addPut();
            advance();
            skipElements();
            return SETTLED;
        }
        long reset = changes.sequence();
        long after = changes.expiry();
        advance();
        if (kind == Change.DELETE) {
            deltaCollection(reset, after);
            return SETTLED;
        }
        return after;
    }

    /**
     * The collection the delta's element puts make at the key being merged, those newer than {@code reset}
     * (the sequence of the key's last PUT or DELETE; 0 for none): the cursor is at the key's first element
     * change, if any, and moves past its last.
     */
    private void deltaCollection(long reset, long expiry) throws IOException {
        boolean begun = false;
        boolean alive = alive(expiry);
        while (atElement()) {
            if (alive && changes.kind() == Change.ELEMENT_PUT && changes.sequence() > reset) {
                byte type = Change.type(changes.buffer(), changes.at());
                if (!begun) {
                    writer.beginCollection(type, key, keyOffset, keyLength, expiry);
                    collectionType = type;
                    begun = true;
                }
                addElementChange();
            }
            advance();
        }
    }

    /** Moves past the element changes of the key being merged. */
    private void skipElements() throws IOException {
        while (atElement()) {
            advance();
        }
    }

    /** True when the cursor's change is a change of the key being merged (its own or an element's). */
    private boolean atKey() {
        if (!more) {
            return false;
        }
        DirectBuffer b = changes.buffer();
        int at = changes.at();
        return SnapshotOrder.compare(keyHash, key, keyOffset, keyLength, Change.hash(b, at), b, Change.keyOffset(b, at),
                Change.keyLength(b, at)) == 0;
    }

    /** True when the cursor's change is an element change of the key being merged. */
    private boolean atElement() {
        return more && Change.isElement(changes.kind()) && atKey();
    }

    /** Writes the cursor's element change into the collection being written: a put of the collection's type. */
    private void addElementChange() throws IOException {
        DirectBuffer b = changes.buffer();
        int at = changes.at();
        if (changes.kind() == Change.ELEMENT_PUT && Change.type(b, at) == collectionType) {
            writer.addElement(b, Change.elementOffset(b, at), Change.elementLength(b, at), b,
                    Change.valueOffset(b, at), Change.valueLength(b, at));
        }
    }

    /** Writes the cursor's PUT, unless it has expired. */
    private void addPut() throws IOException {
        long expiry = changes.expiry();
        if (!alive(expiry)) {
            return; // already expired: leaving it out is what a reader would see anyway
        }
        DirectBuffer b = changes.buffer();
        int at = changes.at();
        writer.add(Change.type(b, at), b, Change.keyOffset(b, at), Change.keyLength(b, at), b,
                Change.valueOffset(b, at), Change.valueLength(b, at), expiry);
    }

    /** Makes a copy of the key the key being merged. */
    private void copyKey(long hash, DirectBuffer k, int off, int len) {
        if (keyBytes.length < len) {
            keyBytes = new byte[Math.max(len, 2 * keyBytes.length)];
            keyCopy.wrap(keyBytes);
        }
        k.getBytes(off, keyBytes, 0, len);
        key = keyCopy;
        keyOffset = 0;
        keyLength = len;
        keyHash = hash;
    }

    private void advance() throws IOException {
        more = changes.next();
    }

    private boolean alive(long expiry) {
        return expiry == 0 || expiry > now;
    }

    private void tick() throws IOException {
        if ((++records & Compactor.ABORT_CHECK_MASK) == 0) {
            abort.check();
        }
    }
}
