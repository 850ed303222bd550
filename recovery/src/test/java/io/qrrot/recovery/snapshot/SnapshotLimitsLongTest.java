package io.qrrot.recovery.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.qrrot.storage.FileStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The largest key and value the format allows, written from off-heap memory and read back (about 1 GiB). */
@Tag("long")
class SnapshotLimitsLongTest {
    @TempDir
    Path dir;

    @Test
    void theLargestKeyAndValueRoundTrip() throws IOException {
        ByteBuffer valueBytes = ByteBuffer.allocateDirect(SnapshotFormat.MAX_VALUE_LENGTH);
        UnsafeBuffer value = new UnsafeBuffer(valueBytes);
        for (int i = 0; i < value.capacity(); i += 8) {
            value.putLong(i, i * 0x9E3779B97F4A7C15L);
        }
        byte[] key = new byte[SnapshotFormat.MAX_KEY_LENGTH];
        key[0] = 'k';
        key[key.length - 1] = 'z';
        long valueCrc = crc(value);
        SnapshotInfo info;
        try (SnapshotWriter w = SnapshotWriter.begin(FileStorage.INSTANCE, dir, 1, 0)) {
            w.add((byte) 1, new byte[] {'a'}, new byte[] {'b'}, 0);
            w.add((byte) 1, new UnsafeBuffer(key), value, 123);
            w.add((byte) 3, new byte[] {'c'}, new byte[] {'d'}, 0);
            info = w.finish();
        } finally {
            BufferUtil.free(valueBytes);
        }
        assertEquals(3, info.blockCount());
        long[] seen = new long[4];
        SnapshotInfo read;
        try (SnapshotReader r = SnapshotReader.open(FileStorage.INSTANCE, Path.of(info.file()))) {
            read = r.read((type, k, v, expiry) -> {
                if (v.capacity() == SnapshotFormat.MAX_VALUE_LENGTH) {
                    seen[0] = k.capacity();
                    seen[1] = k.getByte(0) + k.getByte(k.capacity() - 1);
                    seen[2] = crc(v);
                    seen[3] = expiry;
                }
            });
        }
        assertEquals(3, read.recordCount());
        assertEquals(SnapshotFormat.MAX_KEY_LENGTH, seen[0]);
        assertEquals('k' + 'z', seen[1]);
        assertEquals(valueCrc, seen[2]);
        assertEquals(123, seen[3]);
    }

    private static long crc(DirectBuffer b) {
        CRC32C crc = new CRC32C();
        byte[] chunk = new byte[1 << 20];
        for (int at = 0; at < b.capacity(); at += chunk.length) {
            int n = Math.min(chunk.length, b.capacity() - at);
            b.getBytes(at, chunk, 0, n);
            crc.update(chunk, 0, n);
        }
        return crc.getValue();
    }
}
