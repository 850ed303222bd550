package io.qrrot.recovery.snapshot;

import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_CRC_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_HEADER_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_PAYLOAD_LENGTH_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_RECORD_COUNT_OFFSET;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

import io.qrrot.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Where every block of a snapshot starts, with its payload length, record count and stored CRC, found by
 * reading the 12-byte block headers only (one small read per block, about 5,000 for 10M records). The scan
 * makes every check of the sequential reader that does not need the payloads: each header's lengths and
 * count, then the footer's block count, record count and digest (which covers the stored block CRCs). What
 * is left, each block's CRC over its payload and its records' framing, is checked by whoever reads the
 * block ({@link RangeSource}), so threads can take disjoint runs of blocks.
 *
 * <p>Single-threaded; read-only once built.
 */
final class BlockIndex {
    private long[] offsets = new long[64];
    private int[] lengths = new int[64];
    private int[] counts = new int[64];
    private int[] crcs = new int[64];
    /** Per block: its first record is a Continuation (format version 2), so a run of blocks must not start there. */
    private boolean[] continues = new boolean[64];
    private int blocks;
    private long records;

    private BlockIndex() {
    }

    /**
     * Scans the block headers in [{@code HEADER_LENGTH}, {@code dataEnd}) and checks the footer's counts and
     * digest.
     *
     * @param header the file's header bytes (the start of the digest)
     * @throws SnapshotCorruptException on the first check that fails, naming its offset
     */
    static BlockIndex scan(Path path, StorageFile file, ByteBuffer header, long dataEnd, SnapshotFormat.Footer layout,
                           long footerRecords, long footerBlocks, int footerDigest) throws IOException {
        BlockIndex index = new BlockIndex();
        CRC32C digest = new CRC32C();
        digest.update(header);
        // The block header and the first byte of the payload (a payload is at least MIN_BLOCK_PAYLOAD bytes, and the
        // footer follows the last block): whether the block starts with a Continuation. The block's CRC, checked
        // when it is read, vouches for that byte later; a wrong guess here only moves where the runs split.
        ByteBuffer buf = ByteBuffer.allocate(BLOCK_HEADER_LENGTH + 1).order(LITTLE_ENDIAN);
        long pos = SnapshotFormat.HEADER_LENGTH;
        while (pos < dataEnd) {
            long left = dataEnd - pos;
            if (left < BLOCK_HEADER_LENGTH) {
                throw new SnapshotCorruptException(path, pos, "block " + index.blocks + " header runs into the footer",
                        BLOCK_HEADER_LENGTH + " bytes before the footer at offset " + dataEnd, left + " bytes");
            }
            buf.clear();
            while (buf.hasRemaining()) {
                if (file.read(buf, pos + buf.position()) < 0) {
                    throw new SnapshotCorruptException(path, pos + buf.position(), "file ended while reading blocks",
                            "blocks up to offset " + dataEnd, "end of file at offset " + (pos + buf.position()));
                }
            }
            int length = buf.getInt(BLOCK_PAYLOAD_LENGTH_OFFSET);
            int count = buf.getInt(BLOCK_RECORD_COUNT_OFFSET);
            BlockSource.checkBlockHeader(path, index.blocks, pos, dataEnd, length, count);
            int crc = buf.getInt(BLOCK_CRC_OFFSET);
            digest.update(crc);
            digest.update(crc >>> 8);
            digest.update(crc >>> 16);
            digest.update(crc >>> 24);
            index.add(pos, length, count, crc,
                    layout.collections() && buf.get(BLOCK_HEADER_LENGTH) == SnapshotFormat.RECORD_CONTINUATION);
            pos += BLOCK_HEADER_LENGTH + length;
        }
        BlockSource.checkFooter(path, dataEnd, layout, index.blocks, footerBlocks, index.records, footerRecords,
                (int) digest.getValue(), footerDigest);
        return index;
    }

    private void add(long offset, int length, int count, int crc, boolean continuation) {
        if (blocks == offsets.length) {
            int n = 2 * blocks;
            offsets = Arrays.copyOf(offsets, n);
            lengths = Arrays.copyOf(lengths, n);
            counts = Arrays.copyOf(counts, n);
            crcs = Arrays.copyOf(crcs, n);
            continues = Arrays.copyOf(continues, n);
        }
        offsets[blocks] = offset;
        lengths[blocks] = length;
        counts[blocks] = count;
        crcs[blocks] = crc;
        continues[blocks] = continuation;
        blocks++;
        records += count;
    }

    int blocks() {
        return blocks;
    }

    long records() {
        return records;
    }

    /** File offset of block {@code i}'s header. */
    long offset(int i) {
        return offsets[i];
    }

    /** Bytes of block {@code i}: header and payload. */
    int totalLength(int i) {
        return BLOCK_HEADER_LENGTH + lengths[i];
    }

    int payloadLength(int i) {
        return lengths[i];
    }

    int count(int i) {
        return counts[i];
    }

    int crc(int i) {
        return crcs[i];
    }

    /**
     * Splits the blocks into at most {@code parts} runs of about equal record counts: run {@code r} is blocks
     * [{@code bounds[r]}, {@code bounds[r + 1]}). No run starts with a block that goes on with a collection,
     * so all of a collection's elements go to the thread that reads its key (a collection larger than a run's
     * share makes that run longer). Runs are never empty, so there may be fewer than asked for.
     */
    int[] split(int parts) {
        int n = (int) Math.max(1, Math.min(parts, blocks));
        int[] bounds = new int[n + 1];
        long seen = 0;
        int r = 1;
        for (int i = 0; i < blocks - 1 && r < n; i++) {
            seen += counts[i];
            if (seen * n >= records * r && !continues[i + 1]) {
                bounds[r++] = i + 1;
            }
        }
        if (r < n) {
            bounds = Arrays.copyOf(bounds, r + 1);
            n = r;
        }
        bounds[n] = blocks;
        return bounds;
    }
}
