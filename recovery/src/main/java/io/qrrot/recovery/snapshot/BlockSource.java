package io.qrrot.recovery.snapshot;

import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_CRC_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_HEADER_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_PAYLOAD_LENGTH_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_RECORD_COUNT_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MAX_BLOCK_PAYLOAD;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MIN_BLOCK_PAYLOAD;
import static io.qrrot.recovery.snapshot.SnapshotFormat.MIN_RECORD_LENGTH;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

import io.qrrot.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Reads a snapshot's blocks in file order into {@link BlockBatch}es and checks each block's lengths and CRC
 * before it is handed on; after the last block, checks the footer's block count, record count and digest.
 * Every length is checked against the format's limits and the bytes left before the footer before a buffer
 * grows for it, so a corrupted length can neither exhaust memory nor send the reader past the data.
 *
 * <p>Single-threaded: called by the reader's thread or by the read-ahead thread, never both.
 */
final class BlockSource {
    private final Path path;
    private final StorageFile file;
    /** Where the blocks end and the footer starts. */
    private final long dataEnd;
    private final long footerRecords;
    private final long footerBlocks;
    private final int footerDigest;
    private final SnapshotFormat.Footer layout;
    private final CRC32C crc = new CRC32C();
    private final CRC32C digest = new CRC32C();

    private long readPos = SnapshotFormat.HEADER_LENGTH;
    private long blocks;
    private long records;
    /** Size of the block the last verify pass stopped at because it was not wholly in the buffer. */
    private int pendingLength;
    private BlockBatch carryFrom;
    private int carryStart;
    private int carryLength;

    BlockSource(Path path, StorageFile file, ByteBuffer header, long dataEnd, SnapshotFormat.Footer layout,
                long footerRecords, long footerBlocks, int footerDigest) {
        this.layout = layout;
        this.path = path;
        this.file = file;
        this.dataEnd = dataEnd;
        this.footerRecords = footerRecords;
        this.footerBlocks = footerBlocks;
        this.footerDigest = footerDigest;
        digest.update(header);
    }

    long blocks() {
        return blocks;
    }

    long records() {
        return records;
    }

    /**
     * Fills {@code b} with the next whole, CRC-checked blocks (at least one unless the data has ended, in which
     * case {@code b.last} is set after the footer checks pass). {@code b} must not be the batch filled last:
     * the start of the next block is carried over from that one.
     */
    void fill(BlockBatch b) throws IOException {
        if (b == carryFrom && carryLength > 0) {
            throw new IllegalStateException("a batch cannot receive the carry-over of its own bytes");
        }
        b.prepare(carryLength);
        if (carryLength > 0) {
            b.buffer.putBytes(0, carryFrom.buffer, carryStart, carryLength);
        }
        b.fileOffset = readPos - carryLength;
        b.firstBlock = blocks;
        b.dataEnd = carryLength;
        while (true) {
            readInto(b);
            verifyBlocks(b);
            if (b.last || b.blocksEnd > 0) {
                break;
            }
            // The first block is larger than the buffer: its length passed the limit checks, so grow for it.
            if (pendingLength <= b.capacity()) {
                throw new IllegalStateException("block of " + pendingLength + " bytes did not fit a buffer of "
                        + b.capacity() + " bytes holding " + b.dataEnd);
            }
            b.grow(pendingLength);
        }
        carryFrom = b;
        carryStart = b.blocksEnd;
        carryLength = b.dataEnd - b.blocksEnd;
        if (b.last) {
            checkFooter();
        }
    }

    private void readInto(BlockBatch b) throws IOException {
        long want = Math.min(b.capacity() - b.dataEnd, dataEnd - readPos);
        if (want <= 0) {
            return;
        }
        ByteBuffer bytes = b.bytes;
        bytes.limit(b.dataEnd + (int) want).position(b.dataEnd);
        while (bytes.hasRemaining()) {
            int n;
            try {
                n = file.read(bytes, readPos);
            } catch (IOException e) {
                throw IoStep.failed("read of " + path + " at offset " + readPos, e);
            }
            if (n < 0) {
                throw new SnapshotCorruptException(path, readPos, "file ended while reading blocks",
                        "blocks up to offset " + dataEnd, "end of file at offset " + readPos);
            }
            readPos += n;
        }
        b.dataEnd += (int) want;
    }

    private void verifyBlocks(BlockBatch b) throws SnapshotCorruptException {
        while (true) {
            int at = b.blocksEnd;
            long filePos = b.fileOffset + at;
            if (filePos == dataEnd) {
                b.last = true;
                return;
            }
            long left = dataEnd - filePos;
            if (left < BLOCK_HEADER_LENGTH) {
                throw new SnapshotCorruptException(path, filePos, "block " + blocks + " header runs into the footer",
                        BLOCK_HEADER_LENGTH + " bytes before the footer at offset " + dataEnd, left + " bytes");
            }
            int avail = b.dataEnd - at;
            if (avail < BLOCK_HEADER_LENGTH) {
                pendingLength = BLOCK_HEADER_LENGTH;
                return;
            }
            int length = b.buffer.getInt(at + BLOCK_PAYLOAD_LENGTH_OFFSET, LITTLE_ENDIAN);
            int count = b.buffer.getInt(at + BLOCK_RECORD_COUNT_OFFSET, LITTLE_ENDIAN);
            checkBlockHeader(path, blocks, filePos, dataEnd, length, count);
            int total = BLOCK_HEADER_LENGTH + length;
            if (avail < total) {
                pendingLength = total;
                return;
            }
            int stored = b.buffer.getInt(at + BLOCK_CRC_OFFSET, LITTLE_ENDIAN);
            b.bytes.limit(at + total).position(at + BLOCK_PAYLOAD_LENGTH_OFFSET);
            crc.reset();
            crc.update(b.bytes);
            int computed = (int) crc.getValue();
            if (stored != computed) {
                throw crcMismatch(path, blocks, filePos, total, stored, computed);
            }
            digest.update(stored);
            digest.update(stored >>> 8);
            digest.update(stored >>> 16);
            digest.update(stored >>> 24);
            blocks++;
            records += count;
            b.blocksEnd = at + total;
        }
    }

    private void checkFooter() throws SnapshotCorruptException {
        checkFooter(path, dataEnd, layout, blocks, footerBlocks, records, footerRecords, (int) digest.getValue(),
                footerDigest);
    }

    /**
     * The checks of a block header made before anything is read or allocated for its payload: the payload
     * length within the format's limit and the bytes left before the footer, the record count within what
     * the payload can hold. The caller has checked that the 12 header bytes lie before the footer.
     */
    static void checkBlockHeader(Path path, long blockNo, long filePos, long dataEnd, int length, int count)
            throws SnapshotCorruptException {
        long left = dataEnd - filePos;
        long maxLength = Math.min(MAX_BLOCK_PAYLOAD, left - BLOCK_HEADER_LENGTH);
        if (length < MIN_BLOCK_PAYLOAD || length > maxLength) {
            throw new SnapshotCorruptException(path, filePos + BLOCK_PAYLOAD_LENGTH_OFFSET,
                    "block " + blockNo + " payload length out of range",
                    MIN_BLOCK_PAYLOAD + ".." + maxLength + " bytes (limit " + MAX_BLOCK_PAYLOAD
                            + ", footer at offset " + dataEnd + ")",
                    Integer.toUnsignedString(length) + " bytes");
        }
        if (count < 1 || count > length / MIN_RECORD_LENGTH) {
            throw new SnapshotCorruptException(path, filePos + BLOCK_RECORD_COUNT_OFFSET,
                    "block " + blockNo + " record count out of range",
                    "1.." + length / MIN_RECORD_LENGTH + " for a " + length + "-byte payload",
                    Integer.toUnsignedString(count));
        }
    }

    /** After the last block: the footer's block count, record count and digest against what was read. */
    static void checkFooter(Path path, long dataEnd, SnapshotFormat.Footer layout, long blocks, long footerBlocks,
                            long records, long footerRecords, int computedDigest, int footerDigest)
            throws SnapshotCorruptException {
        if (blocks != footerBlocks) {
            throw new SnapshotCorruptException(path, dataEnd + layout.blockCountOffset,
                    "block count in the footer does not match the blocks read", footerBlocks + " blocks",
                    blocks + " blocks");
        }
        if (records != footerRecords) {
            throw new SnapshotCorruptException(path, dataEnd + layout.recordCountOffset,
                    "record count in the footer does not match the blocks read", footerRecords + " records",
                    records + " records");
        }
        if (computedDigest != footerDigest) {
            throw new SnapshotCorruptException(path, dataEnd + layout.digestOffset,
                    "digest CRC32C over the header and block CRCs mismatch (a block was dropped, duplicated or"
                            + " reordered, or the header replaced)",
                    hex(footerDigest) + " (stored)", hex(computedDigest) + " (computed)");
        }
    }

    static SnapshotCorruptException crcMismatch(Path path, long blockNo, long filePos, int total, int stored,
                                                int computed) {
        return new SnapshotCorruptException(path, filePos + BLOCK_CRC_OFFSET,
                "block " + blockNo + " CRC32C mismatch over bytes " + (filePos + BLOCK_PAYLOAD_LENGTH_OFFSET)
                        + ".." + (filePos + total - 1), hex(stored) + " (stored)", hex(computed) + " (computed)");
    }

    /** After the last record was decoded: the footer's key count against the keys the records held. */
    static void checkKeys(Path path, long dataEnd, SnapshotFormat.Footer layout, long keys, long footerKeys)
            throws SnapshotCorruptException {
        if (keys != footerKeys) {
            throw new SnapshotCorruptException(path, dataEnd + layout.keyCountOffset,
                    "key count in the footer does not match the records read", footerKeys + " keys", keys + " keys");
        }
    }

    static String hex(int v) {
        return String.format("0x%08x", v);
    }
}
