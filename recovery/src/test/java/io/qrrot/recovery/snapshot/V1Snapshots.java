package io.qrrot.recovery.snapshot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes snapshot files in format version 1, the layout before collections (value records only, a 36-byte
 * footer without a key count), byte by byte as the version 1 writer did: what a database written by an earlier
 * release holds. Independent of {@link SnapshotWriter}, which writes version 2 only.
 */
public final class V1Snapshots {
    private V1Snapshots() {
    }

    /** Writes {@code snapshot-<lsn>.qrrt} in {@code dir}; returns its path. Records go into blocks of up to 4 KiB. */
    public static Path write(Path dir, long lsn, long createdMillis, List<Rec> records, boolean hashOrdered)
            throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        ByteBuffer header = le(SnapshotFormat.HEADER_LENGTH);
        header.putInt(SnapshotFormat.MAGIC).put((byte) 1).put(hashOrdered ? SnapshotFormat.FLAG_HASH_ORDERED : 0)
                .putShort((short) 0).putLong(lsn).putLong(createdMillis);
        header.putInt(crc(header.array(), 0, SnapshotFormat.HEADER_CRC_OFFSET));
        file.write(header.array());
        CRC32C digest = new CRC32C();
        digest.update(header.array());
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        int[] counts = {0, 0}; // records in the block, blocks
        for (int i = 0; i < records.size(); i++) {
            Rec r = records.get(i);
            payload.write(r.type());
            varint(payload, r.key().length);
            varint(payload, r.value().length);
            varint(payload, r.expiry());
            payload.write(r.key());
            payload.write(r.value());
            counts[0]++;
            if (payload.size() >= 4096 || i == records.size() - 1) {
                block(file, digest, payload.toByteArray(), counts[0]);
                payload.reset();
                counts[0] = 0;
                counts[1]++;
            }
        }
        long dataEnd = file.size();
        ByteBuffer footer = le(SnapshotFormat.V1_FOOTER_LENGTH);
        footer.putLong(records.size()).putLong(counts[1]).putLong(dataEnd).putInt((int) digest.getValue());
        footer.putInt(crc(footer.array(), 0, SnapshotFormat.V1_FOOTER_CRC_OFFSET));
        footer.putInt(SnapshotFormat.TRAILER_MAGIC);
        file.write(footer.array());
        Files.createDirectories(dir);
        Path path = dir.resolve(SnapshotFormat.fileName(lsn));
        Files.write(path, file.toByteArray());
        return path;
    }

    private static void block(ByteArrayOutputStream file, CRC32C digest, byte[] payload, int count)
            throws IOException {
        ByteBuffer b = le(SnapshotFormat.BLOCK_HEADER_LENGTH + payload.length);
        b.putInt(0).putInt(payload.length).putInt(count).put(payload);
        int crc = crc(b.array(), SnapshotFormat.BLOCK_PAYLOAD_LENGTH_OFFSET, b.capacity());
        b.putInt(0, crc);
        file.write(b.array());
        digest.update(b.array(), 0, 4);
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int crc(byte[] b, int from, int to) {
        CRC32C c = new CRC32C();
        c.update(b, from, to - from);
        return (int) c.getValue();
    }
}
