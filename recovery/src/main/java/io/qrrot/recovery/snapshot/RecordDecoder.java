package io.qrrot.recovery.snapshot;

import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_HEADER_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_PAYLOAD_LENGTH_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_RECORD_COUNT_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MAX_ELEMENT_BYTES;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MAX_KEY_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MAX_VALUE_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MAX_VARINT_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MAX_VARLONG_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.RECORD_COLLECTION;
import static io.qrrot.recovery.snapshot.SnapshotFormat.RECORD_CONTINUATION;
import static io.qrrot.recovery.snapshot.SnapshotFormat.RECORD_ELEMENT;
import static io.qrrot.recovery.snapshot.SnapshotFormat.RECORD_KIND_BIT;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.nio.file.Path;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Splits the CRC-checked blocks of a {@link BlockBatch} into records and hands each to a visitor through
 * reused views. The CRC already vouches for the bytes; the framing is still checked (each length within the
 * block and the format's limits, the record count exact) so a writer bug cannot turn into a read past a
 * block. In format version 2 it also checks the structure of collections: an Element only after a Collection
 * or Continuation in its own block, each of those followed by an Element, a Continuation only first in a
 * block and only repeating the collection the block before ended in. For a file flagged hash-ordered it checks
 * that every key sorts after the one before it ({@link SnapshotOrder}), which rules out duplicates too, and
 * every element of a collection after the one before it; the first and last key seen are kept so that
 * decoders of consecutive block ranges can check the seam between them.
 *
 * <p>Single-threaded; allocates nothing per record.
 */
final class RecordDecoder {
    private final Path path;
    private final boolean checkOrder;
    /** Format version 2: records of collections exist. In version 1 every first byte is a Value record's type. */
    private final boolean collections;
    private final UnsafeBuffer key = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer value = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer collectionKey = new UnsafeBuffer(new byte[0]);
    private final SnapshotOrder.LastKey first = new SnapshotOrder.LastKey();
    private final SnapshotOrder.LastKey last = new SnapshotOrder.LastKey();
    /** The key of the collection being read, to check that a Continuation repeats it. */
    private final SnapshotOrder.LastKey collection = new SnapshotOrder.LastKey();
    private final SnapshotOrder.LastKey lastElement = new SnapshotOrder.LastKey(SnapshotOrder.ELEMENT_CHECK_BYTES);
    /** File offset of the first record decoded. */
    private long firstOffset = -1;
    /** Where the last varint read ended. */
    private int cursor;
    private long keys;
    /** The last key read holds a collection (which a Continuation at the next block's start may go on with). */
    private boolean inCollection;
    private byte collectionType;
    private long collectionExpiry;
    private long collectionHash;
    /** A Collection or Continuation came before in this block: Elements may follow. */
    private boolean headerInBlock;
    /** Elements since that Collection or Continuation, and where it was. */
    private int elementsAfterHeader;
    private int headerAt;

    /** A decoder of a format version 1 file, in file order. */
    RecordDecoder(Path path) {
        this(path, false, false);
    }

    /**
     * @param checkOrder  check the records' hash order (a file flagged {@link SnapshotFormat#FLAG_HASH_ORDERED})
     * @param collections the file is format version 2 (records of collections exist)
     */
    RecordDecoder(Path path, boolean checkOrder, boolean collections) {
        this.path = path;
        this.checkOrder = checkOrder;
        this.collections = collections;
    }

    /** The first key decoded (unset before any), when checking order. */
    SnapshotOrder.LastKey first() {
        return first;
    }

    /** The last key decoded (unset before any), when checking order. */
    SnapshotOrder.LastKey last() {
        return last;
    }

    /** File offset of the first record decoded, -1 before any. */
    long firstOffset() {
        return firstOffset;
    }

    /** Keys decoded so far: Value and Collection records. */
    long keys() {
        return keys;
    }

    /** Visits every record of the batch's whole blocks; returns how many records (of every kind). */
    long decode(BlockBatch b, SnapshotVisitor visitor) throws SnapshotCorruptException {
        return decode(b, null, visitor);
    }

    /** Visits every record of the batch's whole blocks with its key's order hash; returns how many. */
    long decode(BlockBatch b, HashedRecordVisitor visitor) throws SnapshotCorruptException {
        return decode(b, visitor, null);
    }

    private long decode(BlockBatch b, HashedRecordVisitor hashed, SnapshotVisitor plain)
            throws SnapshotCorruptException {
        UnsafeBuffer buf = b.buffer;
        boolean needHash = checkOrder || hashed != null;
        long blockNo = b.firstBlock;
        long visited = 0;
        int at = 0;
        while (at < b.blocksEnd) {
            int length = buf.getInt(at + BLOCK_PAYLOAD_LENGTH_OFFSET, LITTLE_ENDIAN);
            int count = buf.getInt(at + BLOCK_RECORD_COUNT_OFFSET, LITTLE_ENDIAN);
            int p = at + BLOCK_HEADER_LENGTH;
            int end = p + length;
            headerInBlock = false;
            for (int i = 0; i < count; i++) {
                if (p >= end) {
                    throw corrupt(b, p, "block " + blockNo + " holds fewer records than its count",
                            count + " records", i + " records");
                }
                byte tag = buf.getByte(p);
                if (!collections || (tag & RECORD_KIND_BIT) == 0) {
                    p = valueRecord(b, p, end, blockNo, needHash, hashed, plain);
                } else if (tag == RECORD_ELEMENT) {
                    p = element(b, p, end, blockNo, needHash, hashed, plain);
                } else if (tag == RECORD_COLLECTION || tag == RECORD_CONTINUATION) {
                    p = collectionHeader(b, p, end, blockNo, i, tag == RECORD_CONTINUATION, hashed, plain);
                } else {
                    throw corrupt(b, p, "unknown record kind in block " + blockNo, "a value type 0x00..0x7f,"
                            + " 0x80 (element), 0x81 (collection) or 0x82 (continuation)",
                            String.format("0x%02x", tag & 0xFF));
                }
            }
            if (p != end) {
                throw corrupt(b, p, "block " + blockNo + " has bytes after its last counted record",
                        "records ending at offset " + (b.fileOffset + end), (end - p) + " bytes left over");
            }
            checkHeaderHadElements(b, blockNo);
            visited += count;
            blockNo++;
            at = end;
        }
        return visited;
    }

    private int valueRecord(BlockBatch b, int p, int end, long blockNo, boolean needHash, HashedRecordVisitor hashed,
                            SnapshotVisitor plain) throws SnapshotCorruptException {
        checkHeaderHadElements(b, blockNo);
        UnsafeBuffer buf = b.buffer;
        byte type = buf.getByte(p);
        cursor = p + 1;
        int keyLength = (int) readVarint(buf, end, MAX_VARINT_LENGTH, MAX_KEY_LENGTH, b, blockNo, "key length");
        int valueLength = (int) readVarint(buf, end, MAX_VARINT_LENGTH, MAX_VALUE_LENGTH, b, blockNo,
                "value length");
        long expiry = readVarint(buf, end, MAX_VARLONG_LENGTH, Long.MAX_VALUE, b, blockNo, "expiry");
        int data = cursor;
        if ((long) keyLength + valueLength > end - data) {
            throw corrupt(b, p, "record runs past the end of block " + blockNo,
                    "at most " + (end - data) + " key and value bytes", ((long) keyLength + valueLength) + " bytes");
        }
        long hash = needHash ? SnapshotOrder.hash(buf, data, keyLength) : 0;
        if (checkOrder) {
            checkOrder(b, p, blockNo, buf, data, keyLength, hash);
        }
        inCollection = false;
        headerInBlock = false;
        keys++;
        key.wrap(buf, data, keyLength);
        value.wrap(buf, data + keyLength, valueLength);
        if (hashed != null) {
            hashed.onRecord(hash, type, key, value, expiry);
        } else {
            plain.onRecord(type, key, value, expiry);
        }
        return data + keyLength + valueLength;
    }

    private int collectionHeader(BlockBatch b, int p, int end, long blockNo, int index, boolean continuation,
                                 HashedRecordVisitor hashed, SnapshotVisitor plain) throws SnapshotCorruptException {
        checkHeaderHadElements(b, blockNo);
        UnsafeBuffer buf = b.buffer;
        String what = continuation ? "continuation" : "collection";
        if (p + 1 >= end) {
            throw corrupt(b, p, what + " record runs past the end of block " + blockNo, "a type byte",
                    "the end of the block");
        }
        byte type = buf.getByte(p + 1);
        cursor = p + 2;
        int keyLength = (int) readVarint(buf, end, MAX_VARINT_LENGTH, MAX_KEY_LENGTH, b, blockNo, "key length");
        long expiry = readVarint(buf, end, MAX_VARLONG_LENGTH, Long.MAX_VALUE, b, blockNo, "expiry");
        int data = cursor;
        if (keyLength > end - data) {
            throw corrupt(b, p, what + " record runs past the end of block " + blockNo,
                    "at most " + (end - data) + " key bytes", keyLength + " bytes");
        }
        long hash = SnapshotOrder.hash(buf, data, keyLength);
        if (continuation) {
            if (index != 0) {
                throw corrupt(b, p, "continuation record in block " + blockNo + " is not the block's first record",
                        "a continuation only as record 0", "record " + index);
            }
            if (!inCollection) {
                throw corrupt(b, p, "continuation record in block " + blockNo + " goes on with no collection",
                        "a block before it that ends inside a collection",
                        keys > 0 ? "a block before it that ends with a key holding a value"
                                : "no collection before it");
            }
            if (collection.compareTo(hash, buf, data, keyLength) != 0 || type != collectionType
                    || expiry != collectionExpiry) {
                throw corrupt(b, p, "continuation record in block " + blockNo + " does not repeat its collection",
                        "key " + collection.describe() + ", type " + collectionType + ", expiry " + collectionExpiry,
                        "another key, type " + type + ", expiry " + expiry);
            }
        } else {
            if (checkOrder) {
                checkOrder(b, p, blockNo, buf, data, keyLength, hash);
            }
            collection.set(hash, buf, data, keyLength);
            collectionType = type;
            collectionExpiry = expiry;
            lastElement.clear();
            keys++;
        }
        inCollection = true;
        headerInBlock = true;
        elementsAfterHeader = 0;
        headerAt = p;
        collectionHash = hash;
        collectionKey.wrap(buf, data, keyLength);
        if (!continuation) {
            if (hashed != null) {
                hashed.onCollection(hash, type, collectionKey, expiry);
            } else {
                plain.onCollection(type, collectionKey, expiry);
            }
        }
        return data + keyLength;
    }

    private int element(BlockBatch b, int p, int end, long blockNo, boolean needHash, HashedRecordVisitor hashed,
                        SnapshotVisitor plain) throws SnapshotCorruptException {
        if (!headerInBlock) {
            throw corrupt(b, p, "element record outside a collection in block " + blockNo,
                    "a collection or continuation record before it in the block",
                    inCollection ? "an element first in its block" : "an element after a key holding a value");
        }
        UnsafeBuffer buf = b.buffer;
        cursor = p + 1;
        int elementLength = (int) readVarint(buf, end, MAX_VARINT_LENGTH, MAX_ELEMENT_BYTES, b, blockNo,
                "element length");
        int payloadLength = (int) readVarint(buf, end, MAX_VARINT_LENGTH, MAX_ELEMENT_BYTES, b, blockNo,
                "payload length");
        int data = cursor;
        long both = (long) elementLength + payloadLength;
        if (both > MAX_ELEMENT_BYTES) {
            throw corrupt(b, p, "element and payload over the limit in block " + blockNo,
                    "at most " + MAX_ELEMENT_BYTES + " bytes", both + " bytes");
        }
        if (both > end - data) {
            throw corrupt(b, p, "element record runs past the end of block " + blockNo,
                    "at most " + (end - data) + " element and payload bytes", both + " bytes");
        }
        long hash = needHash ? SnapshotOrder.elementHash(collectionType, buf, data, elementLength) : 0;
        if (checkOrder) {
            if (lastElement.isSet()) {
                int c = lastElement.compareTo(hash, buf, data, elementLength);
                if (c >= 0) {
                    throw corrupt(b, p, "element out of hash order in block " + blockNo + " (the header flags the"
                                    + " file hash-ordered)", "an element after " + lastElement.describe() + " (hash "
                                    + Long.toHexString(lastElement.hash()) + ") in collection " + collection.describe(),
                            c == 0 ? "the same element again" : "an element before it (hash "
                                    + Long.toHexString(hash) + ")");
                }
            }
            lastElement.set(hash, buf, data, elementLength);
        }
        elementsAfterHeader++;
        key.wrap(buf, data, elementLength);
        value.wrap(buf, data + elementLength, payloadLength);
        if (hashed != null) {
            hashed.onElement(collectionHash, collectionType, collectionKey, collectionExpiry, hash, key, value);
        } else {
            plain.onElement(collectionType, collectionKey, collectionExpiry, key, value);
        }
        return data + elementLength + payloadLength;
    }

    /** A Collection or Continuation must have an Element after it in its block: else a collection could be empty. */
    private void checkHeaderHadElements(BlockBatch b, long blockNo) throws SnapshotCorruptException {
        if (headerInBlock && elementsAfterHeader == 0) {
            throw corrupt(b, headerAt, "collection without an element in block " + blockNo,
                    "an element record after it in the block", "none");
        }
        headerInBlock = false;
    }

    private void checkOrder(BlockBatch b, int p, long blockNo, UnsafeBuffer buf, int data, int keyLength, long hash)
            throws SnapshotCorruptException {
        if (!last.isSet()) {
            first.set(hash, buf, data, keyLength);
            firstOffset = b.fileOffset + p;
        } else {
            int c = last.compareTo(hash, buf, data, keyLength);
            if (c >= 0) {
                throw outOfOrder(path, b.fileOffset + p, blockNo, last, hash, c);
            }
        }
        last.set(hash, buf, data, keyLength);
    }

    /**
     * The error for a record of a hash-ordered file whose key does not sort after the one before it.
     *
     * @param c {@code before} compared with the record's key: 0 for the same key, positive when it sorts after
     */
    static SnapshotCorruptException outOfOrder(Path path, long offset, long blockNo, SnapshotOrder.LastKey before,
                                               long hash, int c) {
        return new SnapshotCorruptException(path, offset, "record out of hash order in block " + blockNo
                + " (the header flags the file hash-ordered)", "a key after " + before.describe() + " (hash "
                + Long.toHexString(before.hash()) + ")", c == 0 ? "the same key again"
                : "a key before it (hash " + Long.toHexString(hash) + ")");
    }

    /** An unsigned LEB128 varint of at most {@code maxBytes} bytes and value, starting at {@link #cursor}. */
    private long readVarint(UnsafeBuffer buf, int end, int maxBytes, long max, BlockBatch b, long blockNo,
                            String field) throws SnapshotCorruptException {
        // Most lengths and "no expiry" fit one byte: keep that path small enough to inline.
        if (cursor < end) {
            byte v = buf.getByte(cursor);
            if (v >= 0 && v <= max) {
                cursor++;
                return v;
            }
        }
        return readLongVarint(buf, end, maxBytes, max, b, blockNo, field);
    }

    private long readLongVarint(UnsafeBuffer buf, int end, int maxBytes, long max, BlockBatch b, long blockNo,
                                String field) throws SnapshotCorruptException {
        int start = cursor;
        long result = 0;
        for (int i = 0, shift = 0; i < maxBytes; i++, shift += 7) {
            if (cursor >= end) {
                throw corrupt(b, start, field + " runs past the end of block " + blockNo,
                        "a varint ending before offset " + (b.fileOffset + end), "block ends inside it");
            }
            byte v = buf.getByte(cursor++);
            result |= (long) (v & 0x7F) << shift;
            if (v >= 0) {
                if (result > max) {
                    throw corrupt(b, start, field + " over the limit in block " + blockNo, "at most " + max,
                            Long.toString(result));
                }
                return result;
            }
        }
        throw corrupt(b, start, field + " varint too long in block " + blockNo, "at most " + maxBytes + " bytes",
                "more");
    }

    private SnapshotCorruptException corrupt(BlockBatch b, int index, String problem, String expected, String actual) {
        return new SnapshotCorruptException(path, b.fileOffset + index, problem, expected, actual);
    }
}
