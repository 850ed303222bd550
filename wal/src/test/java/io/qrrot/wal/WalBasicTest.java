package io.qrrot.wal;

import static io.qrrot.wal.WalTestSupport.DIR;
import static io.qrrot.wal.WalTestSupport.memOptions;
import static io.qrrot.wal.WalTestSupport.payload;
import static io.qrrot.wal.WalTestSupport.readAll;
import static io.qrrot.wal.WalTestSupport.segments;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.testkit.FaultyStorage;
import java.util.List;
import org.junit.jupiter.api.Test;

class WalBasicTest {
    @Test
    void appendsReadBackInOrderAcrossSegmentsAndReopen() throws Exception {
        FaultyStorage storage = new FaultyStorage();
        WalOptions opts = memOptions(storage);
        try (Wal wal = Wal.open(DIR, opts)) {
            assertNull(wal.tailRepair());
            for (long i = 1; i <= 100; i++) {
                assertEquals(i, wal.append(payload(i)));
            }
            wal.flush();
            wal.durable(100).get();
            assertEquals(100, wal.durableLsn());
            List<WalTestSupport.Rec> recs = readAll(wal, 1);
            assertEquals(100, recs.size());
            for (int i = 0; i < 100; i++) {
                assertEquals(i + 1, recs.get(i).lsn());
                assertArrayEquals(payload(i + 1), recs.get(i).payload());
            }
            assertTrue(wal.stats().segments() > 3, "segments: " + wal.stats());
        }
        try (Wal wal = Wal.open(DIR, opts)) {
            assertNull(wal.tailRepair());
            assertEquals(100, wal.lastLsn());
            assertEquals(101, wal.append(payload(101)));
            wal.sync();
            assertEquals(101, readAll(wal, 1).size());
            assertEquals(50, readAll(wal, 51).get(0).lsn() - 1);
        }
    }

    @Test
    void rollSealsAndDropBelowDeletesOldSegmentsButNotForOpenReaders() throws Exception {
        FaultyStorage storage = new FaultyStorage();
        try (Wal wal = Wal.open(DIR, memOptions(storage).withSegmentBytes(1 << 20))) {
            for (int i = 1; i <= 10; i++) {
                wal.append(payload(i));
            }
            assertEquals(10, wal.roll());
            assertEquals(10, wal.roll());
            for (int i = 11; i <= 20; i++) {
                wal.append(payload(i));
            }
            assertEquals(20, wal.roll());
            wal.append(payload(21));
            wal.sync();
            assertEquals(List.of(DIR.resolve("00000000000000000001.wal"), DIR.resolve("00000000000000000011.wal"),
                    DIR.resolve("00000000000000000021.wal")), segments(storage));
            WalReader r = wal.reader(5);
            assertEquals(0, wal.dropBelow(21));
            assertTrue(r.next());
            assertEquals(5, r.lsn());
            for (int i = 6; i <= 11; i++) {
                assertTrue(r.next());
            }
            assertEquals(1, wal.dropBelow(21));
            r.close();
            assertEquals(1, wal.dropBelow(21));
            assertEquals(0, wal.dropBelow(1000));
            assertEquals(List.of(DIR.resolve("00000000000000000021.wal")), segments(storage));
            assertEquals(21, wal.stats().firstLsn());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wal.reader(3));
            assertEquals("LSN 3 is no longer in the log: its oldest record is LSN 21", e.getMessage());
        }
    }

    @Test
    void appendVariantsCopyExactlyTheGivenBytesIncludingEmptyPayloads() throws Exception {
        FaultyStorage storage = new FaultyStorage();
        try (Wal wal = Wal.open(DIR, memOptions(storage))) {
            org.agrona.concurrent.UnsafeBuffer direct = new org.agrona.concurrent.UnsafeBuffer(
                    java.nio.ByteBuffer.allocateDirect(64));
            direct.putBytes(0, "xxhello-directyy".getBytes());
            assertEquals(1, wal.append(direct, 2, 12));
            java.nio.ByteBuffer nio = java.nio.ByteBuffer.wrap("..nio-buffer".getBytes());
            nio.position(2);
            assertEquals(2, wal.append(nio));
            assertEquals(2, nio.position(), "the buffer's position is not moved");
            assertEquals(3, wal.append("abcdef".getBytes(), 1, 3));
            assertEquals(4, wal.append(new byte[0]));
            wal.sync();
            List<WalTestSupport.Rec> recs = readAll(wal, 1);
            assertArrayEquals("hello-direct".getBytes(), recs.get(0).payload());
            assertArrayEquals("nio-buffer".getBytes(), recs.get(1).payload());
            assertArrayEquals("bcd".getBytes(), recs.get(2).payload());
            assertArrayEquals(new byte[0], recs.get(3).payload());
        }
        try (Wal wal = Wal.open(DIR, memOptions(storage))) {
            assertNull(wal.tailRepair());
            assertEquals(4, wal.lastLsn());
        }
    }

    @Test
    void everysecFsyncsInTheBackground() throws Exception {
        FaultyStorage storage = new FaultyStorage();
        try (Wal wal = Wal.open(DIR, memOptions(storage).withFsync(FsyncPolicy.EVERYSEC).withSyncIntervalMillis(20))) {
            long lsn = wal.append(new byte[]{7});
            wal.flush();
            assertEquals(lsn, wal.durableLsn(), "everysec: durable once written");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (wal.stats().syncedLsn() < lsn && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(lsn, wal.stats().syncedLsn(), "the background fsync never came");
            byte[] durable = storage.durableContents(DIR.resolve("00000000000000000001.wal"));
            // The batch starts with its durability mark, then the record.
            assertEquals(7, durable[WalFormat.HEADER_LENGTH + WalFormat.MARK_LENGTH + WalFormat.PAYLOAD_OFFSET]);
        }
    }

    @Test
    void unflushedRecordsAreWrittenAfterTheFlushDelay() throws Exception {
        FaultyStorage storage = new FaultyStorage();
        try (Wal wal = Wal.open(DIR, memOptions(storage).withFlushDelayMillis(5))) {
            long lsn = wal.append(new byte[]{7});
            assertEquals(lsn, wal.durable(lsn).get(10, java.util.concurrent.TimeUnit.SECONDS));
        }
    }
}
