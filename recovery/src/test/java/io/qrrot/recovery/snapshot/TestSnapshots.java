package io.qrrot.recovery.snapshot;

import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_HEADER_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_PAYLOAD_LENGTH_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.BLOCK_RECORD_COUNT_OFFSET;
import static io.qrrot.recovery.snapshot.SnapshotFormat.FOOTER_LENGTH;
import static io.qrrot.recovery.snapshot.SnapshotFormat.HEADER_LENGTH;

import io.qrrot.storage.Storage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/** Writing and reading whole snapshots in tests, and rewriting a file's checksums after a deliberate edit. */
final class TestSnapshots {
    private TestSnapshots() {
    }

    static SnapshotInfo write(Storage storage, Path dir, long lsn, List<Rec> records, int blockTarget)
            throws IOException {
        try (SnapshotWriter w = SnapshotWriter.begin(storage, dir, lsn, 1_700_000_000_123L, blockTarget)) {
            for (Rec r : records) {
                w.add(r.type(), r.key(), r.value(), r.expiry());
            }
            return w.finish();
        }
    }

    static List<Rec> read(Storage storage, Path file, boolean readAhead, int batchCapacity) throws IOException {
        Rec.Collect c = new Rec.Collect();
        try (SnapshotReader r = SnapshotReader.open(storage, file, readAhead, batchCapacity)) {
            r.read(c);
        }
        return c.records;
    }

    static ByteBuffer le(byte[] file) {
        return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** File offsets of the blocks, in order, following their length fields. */
    static List<Integer> blockOffsets(byte[] file) {
        ByteBuffer b = le(file);
        List<Integer> out = new ArrayList<>();
        int at = HEADER_LENGTH;
        int end = file.length - FOOTER_LENGTH;
        while (at < end) {
            out.add(at);
            at += BLOCK_HEADER_LENGTH + b.getInt(at + BLOCK_PAYLOAD_LENGTH_OFFSET);
        }
        return out;
    }

    /**
     * Recomputes every checksum and the footer from the file's structure as it now is (header CRC, block
     * CRCs, counts, footer offset, digest, footer CRC), so a test can make a change that only the framing
     * checks can catch.
     */
    static byte[] reseal(byte[] file) {
        ByteBuffer b = le(file);
        CRC32C crc = new CRC32C();
        crc.update(file, 0, SnapshotFormat.HEADER_CRC_OFFSET);
        b.putInt(SnapshotFormat.HEADER_CRC_OFFSET, (int) crc.getValue());
        CRC32C digest = new CRC32C();
        digest.update(file, 0, HEADER_LENGTH);
        long records = 0;
        long blocks = 0;
        for (int at : blockOffsets(file)) {
            int length = b.getInt(at + BLOCK_PAYLOAD_LENGTH_OFFSET);
            crc.reset();
            crc.update(file, at + BLOCK_PAYLOAD_LENGTH_OFFSET, BLOCK_HEADER_LENGTH - BLOCK_PAYLOAD_LENGTH_OFFSET + length);
            int c = (int) crc.getValue();
            b.putInt(at, c);
            digest.update(file, at, 4);
            records += b.getInt(at + BLOCK_RECORD_COUNT_OFFSET);
            blocks++;
        }
        int footer = file.length - FOOTER_LENGTH;
        b.putLong(footer + SnapshotFormat.FOOTER_RECORD_COUNT_OFFSET, records);
        b.putLong(footer + SnapshotFormat.FOOTER_BLOCK_COUNT_OFFSET, blocks);
        b.putLong(footer + SnapshotFormat.FOOTER_OFFSET_OFFSET, footer);
        b.putInt(footer + SnapshotFormat.FOOTER_DIGEST_OFFSET, (int) digest.getValue());
        resealFooter(file);
        return file;
    }

    /**
     * A version 2 file built by hand from block payloads (each with its record count), with the footer's key
     * count given: for records that the writer would never produce. Checksums and counts are computed.
     */
    static byte[] file(boolean hashOrdered, long lsn, long keys, List<byte[]> payloads, List<Integer> counts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(SnapshotFormat.MAGIC).put(SnapshotFormat.VERSION)
                .put(hashOrdered ? SnapshotFormat.FLAG_HASH_ORDERED : 0).putShort((short) 0).putLong(lsn).putLong(0);
        out.writeBytes(h.array());
        for (int i = 0; i < payloads.size(); i++) {
            ByteBuffer b = ByteBuffer.allocate(BLOCK_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(0).putInt(payloads.get(i).length).putInt(counts.get(i));
            out.writeBytes(b.array());
            out.writeBytes(payloads.get(i));
        }
        ByteBuffer f = ByteBuffer.allocate(FOOTER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        f.putLong(SnapshotFormat.FOOTER_KEY_COUNT_OFFSET, keys);
        f.putInt(SnapshotFormat.TRAILER_MAGIC_OFFSET, SnapshotFormat.TRAILER_MAGIC);
        out.writeBytes(f.array());
        return reseal(out.toByteArray());
    }

    /** A Value record. */
    static byte[] value(int type, String key, String value, long expiry) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(type);
        varint(out, key.length());
        varint(out, value.length());
        varint(out, expiry);
        out.writeBytes(key.getBytes());
        out.writeBytes(value.getBytes());
        return out.toByteArray();
    }

    /** A Collection (tag 0x81) or Continuation (0x82) record of a hash. */
    static byte[] collection(byte tag, String key, long expiry) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(tag);
        out.write(4);
        varint(out, key.length());
        varint(out, expiry);
        out.writeBytes(key.getBytes());
        return out.toByteArray();
    }

    /** An Element record. */
    static byte[] element(String element, String payload) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0x80);
        varint(out, element.length());
        varint(out, payload.length());
        out.writeBytes(element.getBytes());
        out.writeBytes(payload.getBytes());
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static void varint(java.io.ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    /** Recomputes only the footer CRC. */
    static void resealFooter(byte[] file) {
        int footer = file.length - FOOTER_LENGTH;
        CRC32C crc = new CRC32C();
        crc.update(file, footer, SnapshotFormat.FOOTER_CRC_OFFSET);
        le(file).putInt(footer + SnapshotFormat.FOOTER_CRC_OFFSET, (int) crc.getValue());
    }
}
