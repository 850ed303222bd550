package io.qrrot.wal;

import static io.qrrot.wal.WalTestSupport.DIR;
import static io.qrrot.wal.WalTestSupport.memOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.testkit.FaultyStorage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * The edges of telling a torn tail from damage to fsynced records: a segment left last by an unfinished
 * roll, bytes of a stored value that look like a mark, records fsynced by the background fsync, a log written
 * by the previous format, a mark that cannot be written, and a small record whose sector was lost.
 */
class WalMarkEdgeCasesTest {
    private static final WalOptions.Preallocation INLINE = WalOptions.Preallocation.INLINE;

    private static long[] record(byte[] seg, long lsn) {
        for (long[] r : WalCorruptionTest.records(seg, false)) {
            if (r[1] == lsn) {
                return r;
            }
        }
        throw new AssertionError("no LSN " + lsn);
    }

    @Test
    void aSegmentLeftLastByAnUnfinishedRollIsNotWrittenOnAndLaterTornWritesRepair() throws Exception {
        FaultyStorage s = new FaultyStorage();
        WalOptions opts = memOptions(s).withSegmentBytes(64 << 10);
        try (Wal wal = Wal.open(DIR, opts)) {
            for (int i = 1; i <= 20; i++) {
                wal.append(WalTestSupport.payload(i));
            }
            wal.sync();
            // The rename that gives the next segment its name fails (a full disk, or a kill at that point):
            // the sealed, shortened segment stays the last one.
            s.failOn(FaultyStorage.Op.RENAME, 1, true, "No space left on device");
            assertThrows(WalFailedException.class, wal::roll);
        }
        s.clearFaults();
        FaultyStorage restarted = s.crash(FaultyStorage.CrashMode.ALL, new Random(1));
        for (int seed = 0; seed < 40; seed++) {
            FaultyStorage r2 = restarted.crash(FaultyStorage.CrashMode.ALL, new Random(1));
            Wal wal = Wal.open(DIR, memOptions(r2).withSegmentBytes(64 << 10).withFsync(FsyncPolicy.NO));
            for (int i = 21; i <= 40; i++) {
                wal.append(WalTestSupport.payload(i));
                wal.flush();
            }
            FaultyStorage cut = r2.crash(FaultyStorage.CrashMode.TORN, new Random(seed));
            // The Wal above is abandoned as a power cut leaves a process.
            try (Wal again = Wal.open(DIR, memOptions(cut).withSegmentBytes(64 << 10))) {
                assertTrue(again.lastLsn() >= 20, "seed " + seed);
            }
        }
    }

    /** 24 bytes shaped as a durability mark claiming {@code durable}, CRC'd as a mark of some segment. */
    private static byte[] markShaped(long durable, long salt) {
        ByteBuffer b = ByteBuffer.allocate(WalFormat.MARK_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        WalFormat.encodeMark(new CRC32C(), b, b.duplicate(), 0, durable, salt);
        return b.array();
    }

    @Test
    void bytesOfAStoredValueShapedAsAMarkProveNothing() throws Exception {
        for (long claim : new long[] {4, 5, 1_000_000}) {
            FaultyStorage s = new FaultyStorage();
            Wal wal = Wal.open(DIR, memOptions(s).withSegmentBytes(64 << 10).withFsync(FsyncPolicy.NO));
            for (int i = 1; i <= 3; i++) {
                wal.append(WalTestSupport.payload(i));
            }
            wal.sync(); // 1..3 durable
            byte[] big = new byte[1200];
            Arrays.fill(big, (byte) 'a');
            wal.append(big); // LSN 4, over several sectors
            // LSN 5: a client's value holding mark-shaped bytes (as a copy of a WAL file would), 8-aligned.
            byte[] value = new byte[64];
            System.arraycopy(markShaped(claim, 0), 0, value, 0, WalFormat.MARK_LENGTH);
            System.arraycopy(markShaped(claim, 42), 0, value, 32, WalFormat.MARK_LENGTH);
            wal.append(value);
            wal.flush(); // written, never fsynced
            // A power cut: every unsynced write reached the disk but one sector inside record 4.
            FaultyStorage cut = s.crash(FaultyStorage.CrashMode.ALL, new Random(1));
            Path seg = DIR.resolve(WalFormat.segmentName(1));
            byte[] b = cut.contents(seg);
            long[] rec4 = record(b, 4);
            int sector = (int) (rec4[0] / 512 + 1) * 512;
            Arrays.fill(b, sector, sector + 512, (byte) 0);
            cut.setContents(seg, b);
            try (Wal again = Wal.open(DIR, memOptions(cut).withSegmentBytes(64 << 10))) {
                assertNotNull(again.tailRepair(), "claim " + claim);
                assertEquals(3, again.lastLsn(), "claim " + claim);
            }
        }
    }

    @Test
    void recordsFsyncedByTheBackgroundFsyncAreKnownToBeFsynced() throws Exception {
        FaultyStorage s = new FaultyStorage();
        Wal wal = Wal.open(DIR, memOptions(s).withSegmentBytes(64 << 10).withFsync(FsyncPolicy.EVERYSEC));
        for (int i = 1; i <= 40; i++) {
            wal.append(WalTestSupport.payload(i));
            if (i % 10 == 0) {
                wal.flush();
            }
        }
        wal.sync(); // what the background fsync does every second
        // A kill: the page cache keeps every write, the mark written after the fsync too. (After a power cut
        // right now that mark could be gone, and damage to these records would read as a torn write.)
        FaultyStorage cut = s.crash(FaultyStorage.CrashMode.ALL, new Random(1));
        Path seg = DIR.resolve(WalFormat.segmentName(1));
        byte[] b = cut.contents(seg);
        long[] rec = record(b, 25);
        // Later damage to the disk: a zeroed sector in fsynced record 25's batch.
        int sector = (int) (rec[0] / 512) * 512;
        Arrays.fill(b, Math.max(sector, (int) rec[0]), sector + 512, (byte) 0);
        cut.setContents(seg, b);
        WalCorruptionException e = assertThrows(WalCorruptionException.class,
                () -> Wal.open(DIR, memOptions(cut).withSegmentBytes(64 << 10)));
        assertTrue(e.getMessage().contains(" says records up to LSN 40 were fsynced"), e.getMessage());
    }

    /** A version 1 segment of {@code count} records of 300 bytes. */
    private static byte[] versionOneSegment(int count, int size) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        WalFormat.encodeHeader(b, 1, 1_700_000_000_000L, size, 0);
        b.putInt(WalFormat.VERSION_OFFSET, 1);
        b.putInt(WalFormat.HEADER_CRC_OFFSET, WalFormat.headerCrc(b));
        int at = WalFormat.HEADER_LENGTH;
        CRC32C crc = new CRC32C();
        for (int i = 0; i < count; i++) {
            byte[] p = new byte[300];
            Arrays.fill(p, (byte) (i + 1));
            b.putInt(at + WalFormat.LENGTH_OFFSET, WalFormat.RECORD_HEADER_LENGTH + p.length);
            b.putLong(at + WalFormat.LSN_OFFSET, 1 + i);
            b.put(at + WalFormat.PAYLOAD_OFFSET, p);
            b.putInt(at + WalFormat.CRC_OFFSET, WalFormat.recordCrc(crc, b.duplicate(), at, p.length));
            at += (int) WalFormat.paddedLength(p.length);
        }
        return b.array();
    }

    @Test
    void aVersionOneLogTornByAPowerCutIsRepairedAsThatVersionDid() throws Exception {
        FaultyStorage s = new FaultyStorage();
        s.createDirectories(DIR);
        Path seg = DIR.resolve(WalFormat.segmentName(1));
        byte[] b = versionOneSegment(10, 8192);
        // The last batch's sector at 2048 never reached the disk; the sectors after it did.
        Arrays.fill(b, 2048, 2560, (byte) 0);
        s.setContents(seg, b);
        long[] hit = null;
        for (long[] r : WalCorruptionTest.records(versionOneSegment(10, 8192), false)) {
            if (hit == null && r[0] + WalFormat.paddedLength(r[2]) > 2048) {
                hit = r;
            }
        }
        try (Wal wal = Wal.open(DIR, memOptions(s).withSegmentBytes(8192))) {
            assertNotNull(wal.tailRepair());
            assertEquals(hit[1] - 1, wal.lastLsn());
        }
    }

    @Test
    void aMarkThatCannotBeWrittenDoesNotFailAnFsyncedBatch() throws Exception {
        FaultyStorage s = new FaultyStorage();
        try (Wal wal = Wal.open(DIR, memOptions(s).withPreallocation(WalOptions.Preallocation.NONE))) {
            long first = wal.append(new byte[10]);
            wal.flush();
            wal.durable(first).get();
            // The batch's write succeeds, its fsync too, the mark after it (a write past the end of a segment
            // that grows as written) meets a full disk.
            s.failOn(FaultyStorage.Op.WRITE, 2, false, "No space left on device");
            long lsn = wal.append(new byte[10]);
            wal.flush();
            assertEquals(lsn, wal.durable(lsn).get(), "the client is told its fsynced write is durable");
            assertNull(wal.failure());
            assertEquals(lsn + 1, wal.append(new byte[10]));
        }
    }

    @Test
    void aSmallLastRecordWhoseSectorWasLostIsRepairedAsATornTailNotSkipped() throws Exception {
        FaultyStorage s = new FaultyStorage();
        try (Wal wal = Wal.open(DIR, memOptions(s).withSegmentBytes(64 << 10).withFsync(FsyncPolicy.NO)
                .withPreallocation(WalOptions.Preallocation.NONE))) {
            // Fill up to where an 8-byte record (24 bytes on disk) has its LSN and payload in the next sector.
            long lsn = 0;
            // After a sync the file ends with the mark written after the fsync, where the next batch starts
            // (with its own mark): a batch of one record of x bytes moves that end by 24 + 16 + x.
            while (true) {
                long end = s.contents(DIR.resolve(WalFormat.segmentName(1))).length;
                int d = (int) Math.floorMod(504 - end, 512L);
                if (d == 0) {
                    break;
                }
                int step = Math.min(d >= 40 ? d : d + 512, 440);
                lsn = wal.append(new byte[step - 40]);
                wal.sync();
            }
            lsn = wal.append(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            wal.flush();
            assertTrue(lsn > 1);
        }
        Path seg = DIR.resolve(WalFormat.segmentName(1));
        byte[] b = s.contents(seg);
        List<long[]> recs = WalCorruptionTest.records(b, false);
        long[] last = recs.get(recs.size() - 1);
        assertEquals(24, 16 + last[2]);
        assertEquals(504, last[0] % 512);
        // A power cut lost the sector holding its LSN and payload (and the mark after it).
        int sector = (int) (last[0] / 512 + 1) * 512;
        byte[] cut = Arrays.copyOf(b, Math.max(b.length, sector + 512));
        Arrays.fill(cut, sector, sector + 512, (byte) 0);
        s.setContents(seg, Arrays.copyOf(cut, b.length));
        try (Wal wal = Wal.open(DIR, memOptions(s).withSegmentBytes(64 << 10))) {
            assertNotNull(wal.tailRepair(), "reported and kept aside, not skipped as a damaged mark");
            assertEquals(last[1] - 1, wal.lastLsn());
        }
    }
}
