package io.qrrot.recovery.snapshot;

import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_CRC_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_PAYLOAD_LENGTH_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_RECORD_COUNT_OFFSET;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

import io.qrrot.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Reads one run of blocks of a {@link BlockIndex} into {@link BlockBatch}es, as many whole blocks per batch
 * as fit, and checks each block's CRC over its payload (and that its header still says what the index read)
 * before the batch is handed on. Several sources read disjoint runs of one file at once.
 *
 * <p>Single-threaded: one source per reading thread.
 */
final class RangeSource {
    private final Path path;
    private final StorageFile file;
    private final BlockIndex index;
    private final int end;
    private final CRC32C crc = new CRC32C();
    private int next;

    RangeSource(Path path, StorageFile file, BlockIndex index, int from, int to) {
        this.path = path;
        this.file = file;
        this.index = index;
        this.next = from;
        this.end = to;
    }

    /** True when every block of the run has been filled into a batch. */
    boolean done() {
        return next == end;
    }

    /** Fills {@code b} with the next whole, CRC-checked blocks of the run (at least one). */
    void fill(BlockBatch b) throws IOException {
        b.prepare(0);
        int first = next;
        int last = first;
        long bytes = index.totalLength(first);
        while (last + 1 < end && bytes + index.totalLength(last + 1) <= b.capacity()) {
            last++;
            bytes += index.totalLength(last);
        }
        if (bytes > b.capacity()) {
            b.grow((int) bytes);
        }
        long start = index.offset(first);
        ByteBuffer dst = b.bytes;
        dst.limit((int) bytes).position(0);
        while (dst.hasRemaining()) {
            if (file.read(dst, start + dst.position()) < 0) {
                throw new SnapshotCorruptException(path, start + dst.position(), "file ended while reading blocks",
                        "blocks up to offset " + (start + bytes), "end of file at offset " + (start + dst.position()));
            }
        }
        b.fileOffset = start;
        b.firstBlock = first;
        b.dataEnd = (int) bytes;
        int at = 0;
        for (int i = first; i <= last; i++) {
            check(b, i, at);
            at += index.totalLength(i);
        }
        b.blocksEnd = at;
        next = last + 1;
        b.last = next == end;
    }

    private void check(BlockBatch b, int i, int at) throws SnapshotCorruptException {
        long filePos = b.fileOffset + at;
        int length = b.buffer.getInt(at + BLOCK_PAYLOAD_LENGTH_OFFSET, LITTLE_ENDIAN);
        int count = b.buffer.getInt(at + BLOCK_RECORD_COUNT_OFFSET, LITTLE_ENDIAN);
        int stored = b.buffer.getInt(at + BLOCK_CRC_OFFSET, LITTLE_ENDIAN);
        if (length != index.payloadLength(i) || count != index.count(i) || stored != index.crc(i)) {
            throw new SnapshotCorruptException(path, filePos, "block " + i + " header changed while the file was read",
                    "length " + index.payloadLength(i) + ", count " + index.count(i) + ", CRC "
                            + BlockSource.hex(index.crc(i)), "length " + length + ", count " + count + ", CRC "
                            + BlockSource.hex(stored));
        }
        int total = index.totalLength(i);
        b.bytes.limit(at + total).position(at + BLOCK_PAYLOAD_LENGTH_OFFSET);
        crc.reset();
        crc.update(b.bytes);
        int computed = (int) crc.getValue();
        if (computed != stored) {
            throw BlockSource.crcMismatch(path, i, filePos, total, stored, computed);
        }
    }
}
