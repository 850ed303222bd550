package io.qrrot.recovery.snapshot;

import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_HEADER_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_PAYLOAD_LENGTH_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_RECORD_COUNT_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MAX_KEY_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MAX_VALUE_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MAX_VARINT_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MAX_VARLONG_LENGTH;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.nio.file.Path;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Splits the CRC-checked blocks of a {@link BlockBatch} into records and hands each to a visitor through two
 * reused views. The CRC already vouches for the bytes; the framing is still checked (each length within the
 * block and the format's limits, the record count exact) so a writer bug cannot turn into a read past a
 * block. For a file flagged hash-ordered it also checks that every key sorts after the one before it
 * ({@link SnapshotOrder}), which rules out duplicates too; the first and last key seen are kept so that
 * decoders of consecutive block ranges can check the seam between them.
 *
 * <p>Single-threaded; allocates nothing per record.
 */
final class RecordDecoder {
    private final Path path;
    private final boolean checkOrder;
    private final UnsafeBuffer key = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer value = new UnsafeBuffer(new byte[0]);
    private final SnapshotOrder.LastKey first = new SnapshotOrder.LastKey();
    private final SnapshotOrder.LastKey last = new SnapshotOrder.LastKey();
    /** File offset of the first record decoded. */
    private long firstOffset = -1;
    /** Where the last varint read ended. */
    private int cursor;

    RecordDecoder(Path path) {
        this(path, false);
    }

    /** @param checkOrder check the records' hash order (a file flagged {@link SnapshotFormat#FLAG_HASH_ORDERED}) */
    RecordDecoder(Path path, boolean checkOrder) {
        this.path = path;
        this.checkOrder = checkOrder;
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

    /** Visits every record of the batch's whole blocks; returns how many. */
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
            for (int i = 0; i < count; i++) {
                if (p >= end) {
                    throw corrupt(b, p, "block " + blockNo + " holds fewer records than its count",
                            count + " records", i + " records");
                }
                byte type = buf.getByte(p);
                cursor = p + 1;
                int keyLength = (int) readVarint(buf, end, MAX_VARINT_LENGTH, MAX_KEY_LENGTH, b, blockNo, "key length");
                int valueLength = (int) readVarint(buf, end, MAX_VARINT_LENGTH, MAX_VALUE_LENGTH, b, blockNo,
                        "value length");
                long expiry = readVarint(buf, end, MAX_VARLONG_LENGTH, Long.MAX_VALUE, b, blockNo, "expiry");
                int data = cursor;
                if ((long) keyLength + valueLength > end - data) {
                    throw corrupt(b, p, "record runs past the end of block " + blockNo,
                            "at most " + (end - data) + " key and value bytes",
                            ((long) keyLength + valueLength) + " bytes");
                }
                long hash = needHash ? SnapshotOrder.hash(buf, data, keyLength) : 0;
                if (checkOrder) {
                    checkOrder(b, p, blockNo, buf, data, keyLength, hash);
                }
                key.wrap(buf, data, keyLength);
                value.wrap(buf, data + keyLength, valueLength);
                if (hashed != null) {
                    hashed.onRecord(hash, type, key, value, expiry);
                } else {
                    plain.onRecord(type, key, value, expiry);
                }
                p = data + keyLength + valueLength;
            }
            if (p != end) {
                throw corrupt(b, p, "block " + blockNo + " has bytes after its last counted record",
                        "records ending at offset " + (b.fileOffset + end), (end - p) + " bytes left over");
            }
            visited += count;
            blockNo++;
            at = end;
        }
        return visited;
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
