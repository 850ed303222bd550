package io.qrrot.wal;

import static io.qrrot.wal.WalTestSupport.DIR;
import static io.qrrot.wal.WalTestSupport.memOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.testkit.FaultyStorage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WalStatsTest {
    @Test
    void statsCountSegmentsBytesLsnsAndFsyncs() throws Exception {
        FaultyStorage storage = new FaultyStorage();
        try (Wal wal = Wal.open(DIR, memOptions(storage).withSegmentBytes(1 << 20))) {
            WalStats s0 = wal.stats();
            assertEquals(1, s0.segments());
            assertEquals(1 << 20, s0.bytesOnDisk());
            assertEquals(0, s0.lastLsn());
            assertEquals("ok", s0.lastStatus());
            for (int i = 0; i < 10; i++) {
                wal.append(new byte[100]);
            }
            wal.sync();
            long sealed = wal.roll();
            assertEquals(10, sealed);
            WalStats s = wal.stats();
            assertEquals(2, s.segments());
            // header, the batch's durability mark, 10 records; the new segment preallocated
            assertEquals(64 + 24 + 10 * 120 + (1 << 20), s.bytesOnDisk());
            assertEquals(1, s.firstLsn());
            assertEquals(10, s.lastLsn());
            assertEquals(10, s.durableLsn());
            assertEquals(10, s.syncedLsn());
            assertEquals(2, s.fsyncCount()); // the batch, and the seal
            assertEquals(2, java.util.Arrays.stream(s.fsyncHistogram()).sum());
            assertTrue(s.fsyncP50Micros() >= 2 && s.fsyncP99Micros() >= s.fsyncP50Micros());
            Map<String, String> info = s.toInfo();
            assertEquals(List.of("wal_fsync", "wal_fsync_thread", "wal_bytes", "wal_segments", "wal_first_lsn", "wal_last_lsn",
                    "wal_written_lsn", "wal_durable_lsn", "wal_synced_lsn", "wal_writes", "wal_fsyncs",
                    "wal_last_fsync_us", "wal_fsync_p50_us", "wal_fsync_p99_us", "wal_fsync_max_us",
                    "wal_slow_fsyncs", "wal_last_status"), List.copyOf(info.keySet()));
            assertEquals("always", info.get("wal_fsync"));
            assertEquals("writer", info.get("wal_fsync_thread"));
            assertEquals("ok", info.get("wal_last_status"));
        }
    }

    @Test
    void percentilesUseBucketUpperBounds() {
        long[] h = new long[FsyncStats.BUCKETS];
        assertEquals(0, FsyncStats.percentileMicros(h, 0.5));
        h[7] = 98; // 128..255 us
        h[12] = 2; // 4096..8191 us
        assertEquals(256, FsyncStats.percentileMicros(h, 0.50));
        assertEquals(256, FsyncStats.percentileMicros(h, 0.98));
        assertEquals(8192, FsyncStats.percentileMicros(h, 0.99));
        FsyncStats stats = new FsyncStats(1);
        stats.record(3_000_000, "f");
        stats.record(150_000, "f");
        assertEquals(2, stats.count());
        assertEquals(1, stats.slowCount());
        assertEquals(150, stats.lastMicros());
        assertEquals(3000, stats.maxMicros());
        assertEquals(1, stats.histogram()[11]);
        assertEquals(1, stats.histogram()[7]);
    }
}
