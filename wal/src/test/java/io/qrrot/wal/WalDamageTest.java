package io.qrrot.wal;

import static io.qrrot.wal.WalTestSupport.DIR;
import static io.qrrot.wal.WalTestSupport.clearBroken;
import static io.qrrot.wal.WalTestSupport.log;
import static io.qrrot.wal.WalTestSupport.memOptions;
import static io.qrrot.wal.WalTestSupport.readPrefix;
import static io.qrrot.wal.WalTestSupport.segments;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.qrrot.storage.StorageFile;
import io.qrrot.testkit.FaultyStorage;
import io.qrrot.testkit.ForwardingStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which damage a torn tail can be and which it cannot: a power cut only ever damages what was written after
 * the last fsync, so damage that a later durability mark (or a preallocated size) shows was fsynced is
 * refused as corruption, wherever it is; only the unproven end of the last segment is repaired. The
 * scenarios of the defect report (on real files), every offset of a middle and of a last record for several
 * record sizes, a seeded fuzz, and damage that a snapshot already covers.
 */
class WalDamageTest {
    @TempDir
    Path tmp;

    // ---------------------------------------------------------------------------------- real files

    /**
     * Writes {@code count} records of 40..59 bytes with fsync always, {@code perBatch} to a batch; closes and
     * returns the log's only segment.
     */
    private static Path writeReal(Path dir, int count, int perBatch) throws Exception {
        try (Wal wal = Wal.open(dir, WalOptions.defaults().withSegmentBytes(4L << 20))) {
            for (int i = 1; i <= count; i++) {
                long last = wal.append(("set key:" + i + " value-" + "x".repeat(20 + i % 20)).getBytes());
                if (i % perBatch == 0 || i == count) {
                    wal.flush();
                    wal.durable(last).get();
                }
            }
        }
        return onlySegment(dir);
    }

    private static Path onlySegment(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            List<Path> segs = s.filter(p -> p.toString().endsWith(".wal")).sorted().toList();
            assertEquals(1, segs.size(), "segments " + segs);
            return segs.get(0);
        }
    }

    /** The end of the written part: after the last record or mark. */
    private static long writtenEnd(byte[] seg) {
        List<long[]> all = WalCorruptionTest.records(seg, true);
        long[] last = all.get(all.size() - 1);
        return last[0] + ((16 + last[2] + 7) & -8);
    }

    private static void overwrite(Path file, long at, byte[] bytes) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), at);
            ch.force(true);
        }
    }

    /** The record (never a mark) holding byte {@code pos}: [offset, lsn, length]. */
    private static long[] recordHolding(byte[] seg, long pos) {
        for (long[] r : WalCorruptionTest.records(seg, true)) {
            if (pos < r[0] + ((16 + r[2] + 7) & -8)) {
                return r;
            }
        }
        throw new AssertionError("no record at " + pos);
    }

    private static void assertRefused(Path dir, Path seg, long firstLost, String where) throws Exception {
        WalCorruptionException e = assertThrows(WalCorruptionException.class, () -> Wal.open(dir), where);
        assertEquals(seg, e.segment(), where);
        assertEquals(firstLost, e.firstLostLsn(), where + ": " + e.getMessage());
        assertTrue(e.getMessage().startsWith("WAL corrupt in " + seg + " at offset " + e.offset() + ": "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; records from LSN " + firstLost + " on cannot be read. Repair with: qrrot"
                + " wal check " + dir + " --fix (cuts the log there; damaged segments are kept as *.broken)"),
                e.getMessage());
        // wal check judges it the same way and leaves it alone.
        WalCheck.Report r = WalCheck.check(dir, false);
        assertEquals(WalCheck.Status.CORRUPT, r.status(), where);
        assertEquals(e.offset(), r.damageOffset(), where);
        assertEquals(firstLost - 1, r.lastLsn(), where);
    }

    @Test
    void flippedBytesInTheMiddleOfAKilledLogAreRefusedNotRepairedAsATornTail() throws Exception {
        // 2,000 records, each acknowledged after its own fsync; the image a kill -9 leaves.
        Path dir = tmp.resolve("wal");
        Path seg = writeReal(dir, 2000, 1);
        byte[] orig = Files.readAllBytes(seg);
        long middle = (WalFormat.HEADER_LENGTH + writtenEnd(orig)) / 2;
        // The low bit of 8 consecutive bytes at the middle, and the same on the length field of the record
        // there (a length that now runs into the zero-filled rest of the segment).
        long[] rec = recordHolding(orig, middle);
        for (long at : new long[] {middle, rec[0]}) {
            Files.write(seg, orig);
            byte[] eight = Arrays.copyOfRange(orig, (int) at, (int) at + 8);
            for (int i = 0; i < 8; i++) {
                eight[i] ^= 1;
            }
            overwrite(seg, at, eight);
            assertRefused(dir, seg, firstLost(orig, at), "flip at " + at);
        }
    }

    /**
     * The first LSN that damage at byte {@code pos} costs: that of the record holding it, or, for a mark, that
     * of the first record after it.
     */
    private static long firstLost(byte[] seg, long pos) {
        long[] hit = recordHolding(seg, pos);
        if (hit[1] != 0) {
            return hit[1];
        }
        for (long[] r : WalCorruptionTest.records(seg, false)) {
            if (r[0] > hit[0]) {
                return r[1];
            }
        }
        throw new AssertionError();
    }

    @Test
    void aZeroedBlockInTheActiveSegmentOfACleanlyClosedLogIsRefused() throws Exception {
        // 20,000 records, clean shutdown, then dd if=/dev/zero bs=4096 seek=256 count=1 conv=notrunc.
        Path dir = tmp.resolve("wal");
        Path seg = writeReal(dir, 20_000, 50);
        byte[] orig = Files.readAllBytes(seg);
        assertTrue(writtenEnd(orig) > 256 * 4096 + 4096, "the log must reach past the zeroed block");
        overwrite(seg, 256 * 4096, new byte[4096]);
        assertRefused(dir, seg, firstLost(orig, 256 * 4096), "zeroed block");
    }

    @Test
    void aZeroedSectorNearTheStartIsRefused() throws Exception {
        Path dir = tmp.resolve("wal");
        Path seg = writeReal(dir, 5000, 10);
        byte[] orig = Files.readAllBytes(seg);
        overwrite(seg, 512, new byte[512]);
        WalCorruptionException e = assertThrows(WalCorruptionException.class, () -> Wal.open(dir));
        long firstLost = firstLost(orig, 512);
        assertEquals(firstLost, e.firstLostLsn());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("; a durability mark at offset (\\d+) says records"
                + " up to LSN (\\d+) were fsynced, so this is damage to written records, not a torn write \\(LSNs "
                + firstLost + " to at least (\\d+) are at stake\\)").matcher(e.getMessage());
        assertTrue(m.find(), e.getMessage());
        assertTrue(Long.parseLong(m.group(1)) > 1024, "the mark is after the damage");
        assertTrue(Long.parseLong(m.group(2)) >= firstLost);
        assertEquals(m.group(2), m.group(3));
        assertRefused(dir, seg, firstLost, "zeroed sector at 512");
    }

    @Test
    void aPreallocatedActiveSegmentTruncatedIsRefused() throws Exception {
        Path dir = tmp.resolve("wal");
        Path seg = writeReal(dir, 8000, 25);
        byte[] orig = Files.readAllBytes(seg);
        assertTrue(writtenEnd(orig) > 300_001, "the log must reach past the cut");
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.truncate(300_001); // truncate -s 300001
        }
        long[] hit = recordHolding(orig, 300_000);
        long firstLost = firstLost(orig, 300_000);
        WalCorruptionException e = assertThrows(WalCorruptionException.class, () -> Wal.open(dir));
        assertEquals("WAL corrupt in " + seg + " at offset " + hit[0] + ": " + e.getMessage()
                .substring(("WAL corrupt in " + seg + " at offset " + hit[0] + ": ").length()), e.getMessage());
        assertTrue(e.getMessage().contains("; the file is 300001 bytes but was zero-filled to " + (4 << 20)
                + " bytes when it became a segment, so its end was cut off (not a torn write); records from LSN "
                + firstLost + " on cannot be read."), e.getMessage());
        assertRefused(dir, seg, firstLost, "truncated");
    }

    // --------------------------------------------------------------- every offset, several sizes

    private static final int COUNT = 12;
    private static final int MIDDLE = 7;

    /**
     * A log of {@link #COUNT} records of {@code size} bytes in one segment, each acknowledged after its own
     * fsync, as a kill leaves it; with {@code lastUnsynced} the last record's fsync never completed (the mark
     * written after it is gone), which is what a power cut during that fsync leaves at best.
     */
    private static FaultyStorage singleSegmentLog(int size, WalOptions.Preallocation prealloc, boolean lastUnsynced)
            throws Exception {
        FaultyStorage s = new FaultyStorage();
        try (Wal wal = Wal.open(DIR, memOptions(s).withSegmentBytes(64 << 10).withPreallocation(prealloc))) {
            for (int i = 1; i <= COUNT; i++) {
                byte[] p = new byte[size];
                Arrays.fill(p, (byte) i);
                long lsn = wal.append(p);
                wal.flush();
                wal.durable(lsn).get();
            }
        }
        Path seg = DIR.resolve(WalFormat.segmentName(1));
        if (lastUnsynced) {
            byte[] b = s.contents(seg);
            List<long[]> all = WalCorruptionTest.records(b, true);
            long[] mark = all.get(all.size() - 1);
            assertEquals(0, mark[1], "a mark follows the last record");
            Arrays.fill(b, (int) mark[0], (int) mark[0] + WalFormat.MARK_LENGTH, (byte) 0);
            s.setContents(seg, b);
        }
        return s;
    }

    private static long[] recordByLsn(byte[] seg, long lsn) {
        for (long[] r : WalCorruptionTest.records(seg, false)) {
            if (r[1] == lsn) {
                return r;
            }
        }
        throw new AssertionError("no LSN " + lsn);
    }

    /** Opens and returns the last LSN, checking every record read is the one written; null if refused. */
    private static Long openLastLsn(FaultyStorage s, String where) throws Exception {
        try (Wal wal = Wal.open(DIR, memOptions(s).withPreallocation(WalOptions.Preallocation.NONE))) {
            long n = 0;
            try (WalReader r = wal.reader(1)) {
                while (r.next()) {
                    n++;
                    assertEquals(n, r.lsn(), where);
                    assertEquals((byte) n, r.payloadBytes().length == 0 ? (byte) n : r.payloadBytes()[0], where);
                }
            }
            assertEquals(wal.lastLsn(), n, where);
            return n;
        } catch (WalCorruptionException e) {
            return null;
        }
    }

    /** Refused (null), or opened with every record (the damage hit only bytes no record needs: padding). */
    private static void assertNothingDropped(Long last, String where) {
        assertTrue(last == null || last == COUNT, where + ": opened ending at LSN " + last);
    }

    @Test
    void damageAtEveryOffsetOfAMiddleRecordIsRefused() throws Exception {
        for (int size : new int[] {0, 5, 40, 200, 700, 1500}) {
            for (WalOptions.Preallocation prealloc : new WalOptions.Preallocation[] {
                WalOptions.Preallocation.NONE, WalOptions.Preallocation.INLINE}) {
                FaultyStorage s = singleSegmentLog(size, prealloc, false);
                Path seg = DIR.resolve(WalFormat.segmentName(1));
                byte[] orig = s.contents(seg);
                long[] rec = recordByLsn(orig, MIDDLE);
                int start = (int) rec[0];
                int end = start + (int) ((16 + rec[2] + 7) & -8);
                for (int at = start; at < end; at++) {
                    String where = "size " + size + " " + prealloc + " offset " + at;
                    // A zeroed sector.
                    byte[] b = orig.clone();
                    int sector = at / 512 * 512;
                    Arrays.fill(b, sector, Math.min(b.length, sector + 512), (byte) 0);
                    s.setContents(seg, b);
                    assertNothingDropped(openLastLsn(s, where + " zeroed sector"), where + " zeroed sector");
                    // A flipped byte.
                    b = orig.clone();
                    b[at] ^= (byte) 0xff;
                    s.setContents(seg, b);
                    assertNothingDropped(openLastLsn(s, where + " flipped byte"), where + " flipped byte");
                    // Truncation, where the file's length says the rest existed.
                    if (prealloc == WalOptions.Preallocation.INLINE && at > start) {
                        s.setContents(seg, Arrays.copyOf(orig, at));
                        assertNothingDropped(openLastLsn(s, where + " truncated"), where + " truncated");
                    }
                }
                for (int bit = 0; bit < 32; bit++) {
                    byte[] b = orig.clone();
                    b[start + bit / 8] ^= (byte) (1 << (bit % 8));
                    s.setContents(seg, b);
                    assertNothingDropped(openLastLsn(s, "size " + size + " length bit " + bit), "size " + size + " length bit " + bit);
                }
            }
        }
    }

    @Test
    void damageAtEveryOffsetOfTheLastRecordOfAnUnsyncedBatchRepairsAsATornTail() throws Exception {
        for (int size : new int[] {0, 5, 40, 200, 700, 1500}) {
            FaultyStorage s = singleSegmentLog(size, WalOptions.Preallocation.NONE, true);
            Path seg = DIR.resolve(WalFormat.segmentName(1));
            byte[] orig = s.contents(seg);
            long[] rec = recordByLsn(orig, COUNT);
            int start = (int) rec[0];
            int end = start + (int) ((16 + rec[2] + 7) & -8);
            for (int at = start; at < end; at++) {
                String where = "size " + size + " offset " + at;
                // A zeroed sector that reaches no earlier record: what a torn write leaves.
                int sector = at / 512 * 512;
                if (sector >= start) {
                    byte[] b = orig.clone();
                    Arrays.fill(b, sector, Math.min(b.length, sector + 512), (byte) 0);
                    s.setContents(seg, b);
                    assertEquals((Long) (long) (COUNT - 1), openLastLsn(s, where), where + " zeroed sector");
                    clearBroken(s);
                }
                // Truncation of a segment that grows as written: the file's length proves nothing.
                if (at > start) {
                    s.setContents(seg, Arrays.copyOf(orig, at));
                    assertEquals((Long) (long) (COUNT - 1), openLastLsn(s, where), where + " truncated");
                    clearBroken(s);
                }
            }
            // A flipped length bit: repaired as torn or refused, never a loss before the last record.
            for (int bit = 0; bit < 32; bit++) {
                byte[] b = orig.clone();
                b[start + bit / 8] ^= (byte) (1 << (bit % 8));
                s.setContents(seg, b);
                Long last = openLastLsn(s, "length bit " + bit);
                assertTrue(last == null || last == COUNT - 1, "size " + size + " length bit " + bit + ": " + last);
                clearBroken(s);
            }
        }
    }

    @Test
    void theLastRecordOfACleanlyClosedLogIsKnownToBeFsynced() throws Exception {
        FaultyStorage s = singleSegmentLog(1500, WalOptions.Preallocation.NONE, false);
        Path seg = DIR.resolve(WalFormat.segmentName(1));
        byte[] orig = s.contents(seg);
        long[] rec = recordByLsn(orig, COUNT);
        // A whole zeroed sector inside the last record: what a torn write would leave, had it not been fsynced.
        int sector = (int) (rec[0] / 512 + 1) * 512;
        byte[] b = orig.clone();
        Arrays.fill(b, sector, sector + 512, (byte) 0);
        s.setContents(seg, b);
        WalCorruptionException e = assertThrows(WalCorruptionException.class,
                () -> Wal.open(DIR, memOptions(s).withPreallocation(WalOptions.Preallocation.NONE)));
        assertEquals(COUNT, e.firstLostLsn());
        assertTrue(e.getMessage().contains("; a durability mark at offset " + (rec[0] + 16 + 1504)
                + " says records up to LSN " + COUNT + " were fsynced, so this is damage to written records, not a"
                + " torn write (LSNs " + COUNT + " to at least " + COUNT + " are at stake)"), e.getMessage());
    }

    // ---------------------------------------------------------------------------------------- fuzz

    /**
     * Seeded: random damage (a zeroed sector, a run of flipped bytes, a truncation) at a random offset of a
     * random segment of a log whose records were each acknowledged after an fsync. Whatever opens is an
     * intact prefix, and never one that stops before a record that is still intact further on.
     */
    @Test
    void fuzzNeverDropsARecordThatALaterIntactRecordFollows() throws Exception {
        long seed = WalTestSupport.seed();
        Random rnd = new Random(seed);
        FaultyStorage s = new FaultyStorage();
        Map<Long, byte[]> written = new HashMap<>();
        try (Wal wal = Wal.open(DIR, memOptions(s))) {
            for (int i = 1; i <= 90; i++) {
                byte[] p = new byte[rnd.nextInt(10) == 0 ? 1200 : rnd.nextInt(180)];
                rnd.nextBytes(p);
                long lsn = wal.append(p);
                written.put(lsn, p);
                wal.flush();
                wal.durable(lsn).get();
            }
        }
        List<Path> segs = new ArrayList<>();
        Map<Path, byte[]> originals = new HashMap<>();
        for (Path p : s.list(DIR)) {
            if (p.toString().endsWith(".wal")) {
                segs.add(p);
                originals.put(p, s.contents(p));
            }
        }
        assertTrue(segs.size() >= 4, "segments " + segs);
        for (int trial = 0; trial < 400; trial++) {
            originals.forEach(s::setContents);
            clearBroken(s);
            Path seg = segs.get(rnd.nextInt(segs.size()));
            byte[] b = originals.get(seg).clone();
            int at = WalFormat.HEADER_LENGTH + rnd.nextInt(b.length - WalFormat.HEADER_LENGTH);
            int kind = rnd.nextInt(3);
            switch (kind) {
                case 0 -> Arrays.fill(b, at / 512 * 512, Math.min(b.length, at / 512 * 512 + 512), (byte) 0);
                case 1 -> {
                    for (int i = at; i < Math.min(b.length, at + 1 + rnd.nextInt(8)); i++) {
                        b[i] ^= (byte) (1 + rnd.nextInt(255));
                    }
                }
                default -> b = Arrays.copyOf(b, at);
            }
            s.setContents(seg, b);
            String where = "seed=" + seed + " trial=" + trial + " damage " + kind + " at " + at + " of " + seg;
            Long last;
            try (Wal wal = Wal.open(DIR, memOptions(s))) {
                last = readPrefix(wal, written::get, where);
            } catch (WalCorruptionException e) {
                last = null;
            }
            if (last != null) {
                long firstIntactLater = firstIntactRecordAfter(s, segs, originals, written, last + 1);
                if (firstIntactLater > 0) {
                    fail("the log was opened ending at LSN " + last + " though LSN " + firstIntactLater
                            + " is intact further on; " + where);
                }
            }
        }
    }

    /**
     * The first LSN above {@code from} whose record bytes are still exactly as written (parsing the
     * original layout), or 0.
     */
    private static long firstIntactRecordAfter(FaultyStorage s, List<Path> segs, Map<Path, byte[]> originals,
                                               Map<Long, byte[]> written, long from) throws Exception {
        for (Path seg : segs) {
            byte[] now = s.contents(seg);
            for (long[] r : WalCorruptionTest.records(originals.get(seg), false)) {
                int end = (int) (r[0] + 16 + r[2]);
                if (r[1] > from && end <= now.length
                        && Arrays.equals(Arrays.copyOfRange(now, (int) r[0], end),
                        Arrays.copyOfRange(originals.get(seg), (int) r[0], end))) {
                    assertArrayEquals(written.get(r[1]), Arrays.copyOfRange(now, (int) r[0] + 16, end));
                    return r[1];
                }
            }
        }
        return 0;
    }

    // ------------------------------------------------------------------- damage a snapshot covers

    @Test
    void damageInSegmentsASnapshotCoversIsSetAsideAndTheLogOpensWithEverythingAfter() throws Exception {
        FaultyStorage s = new FaultyStorage();
        try (Wal wal = Wal.open(DIR, memOptions(s).withPreallocation(WalOptions.Preallocation.NONE))) {
            for (int i = 1; i <= 100; i++) {
                long lsn = wal.append(WalTestSupport.payload(i));
                wal.flush();
                wal.durable(lsn).get();
            }
        }
        List<Path> segs = segments(s);
        assertTrue(segs.size() >= 5, "segments " + segs);
        Path damaged = segs.get(1);
        long coveredEnd = WalFormat.parseSegmentName(segs.get(3)) - 1; // the snapshot covers segments 0..2
        byte[] b = s.contents(damaged);
        b[WalFormat.HEADER_LENGTH + 30] ^= 1;
        s.setContents(damaged, b);
        WalOptions o = memOptions(s).withPreallocation(WalOptions.Preallocation.NONE);
        // Without the snapshot it is corruption, as before.
        assertThrows(WalCorruptionException.class, () -> Wal.open(DIR, o));
        assertEquals(WalCheck.Status.CORRUPT, WalCheck.check(s, DIR, false, o.maxPayloadBytes()).status());

        // wal check with the snapshot's LSN says what opening will do, and changes nothing.
        WalCheck.Report r = WalCheck.check(s, DIR, false, o.maxPayloadBytes(), coveredEnd);
        assertEquals(WalCheck.Status.CLEAN, r.status());
        assertNotNull(r.superseded());
        assertEquals(segs, segments(s));

        try (Wal wal = Wal.open(DIR, o, coveredEnd)) {
            SupersededSegments sup = wal.superseded();
            assertNotNull(sup);
            long first = WalFormat.parseSegmentName(segs.get(2));
            String detail = sup.damaged().get(0);
            assertTrue(detail.startsWith(damaged + " (LSN " + WalFormat.parseSegmentName(damaged) + ".." + (first - 1)
                    + "): CRC32C mismatch: expected "), detail);
            assertTrue(detail.endsWith("; moved aside as " + damaged.getFileName() + ".broken"), detail);
            assertEquals(List.of(segs.get(0)), sup.deleted());
            assertEquals(first, sup.firstLsn());
            assertEquals("WAL damage that the snapshot through LSN " + coveredEnd + " already covers: " + detail
                    + "; deleted the 1 older segment(s) that only led up to it: [" + segs.get(0).getFileName()
                    + "]; no record the database needs was lost; the WAL now starts at LSN " + first
                    + " (falling back to an older snapshot is no longer possible)", sup.message());
            assertEquals(first, wal.firstLsn());
            assertEquals(100, wal.lastLsn());
            List<WalTestSupport.Rec> recs = WalTestSupport.readAll(wal, coveredEnd + 1);
            assertEquals(100 - coveredEnd, recs.size());
            assertArrayEquals(WalTestSupport.payload(100), recs.get(recs.size() - 1).payload());
        }
        List<Path> now = s.list(DIR);
        assertTrue(now.contains(Path.of(damaged + ".broken")), now.toString());
        assertFalse(now.contains(segs.get(0)), now.toString());
        assertFalse(now.contains(damaged), now.toString());
        assertTrue(now.containsAll(segs.subList(2, segs.size())), "no intact segment the log needs was touched");
        try (Wal wal = Wal.open(DIR, o, coveredEnd)) {
            assertNull(wal.superseded());
            assertEquals(101, wal.append(new byte[] {1}));
        }
    }

    @Test
    void fixSetsAsideOnlyWhatTheSnapshotCoversAndKeepsEverySegmentTheLogNeeds() throws Exception {
        FaultyStorage s = log(100);
        List<Path> segs = segments(s);
        Path damaged = segs.get(1);
        long coveredEnd = WalFormat.parseSegmentName(segs.get(2)) - 1;
        byte[] b = s.contents(damaged);
        b[b.length / 2] ^= 1;
        s.setContents(damaged, b);
        WalCheck.Report f = WalCheck.check(s, DIR, true, WalOptions.defaults().maxPayloadBytes(), coveredEnd);
        assertTrue(f.fixed());
        assertEquals(List.of(), f.brokenFiles());
        assertEquals(segs.subList(2, segs.size()),
                segments(s));
        assertTrue(s.durableNames().contains(Path.of(damaged + ".broken")));
        assertTrue(f.lines().stream().anyMatch(l -> l.startsWith("WAL damage that the snapshot through LSN "
                + coveredEnd + " already covers: " + damaged + " (LSN ")), f.lines().toString());
        try (Wal wal = Wal.open(DIR, memOptions(s).withPreallocation(WalOptions.Preallocation.NONE), coveredEnd)) {
            assertEquals(100, wal.lastLsn());
        }
    }

    /** A gap in the log that lies wholly below the snapshot loses nothing either. */
    @Test
    void aMissingSegmentBelowTheSnapshotIsNoLoss() throws Exception {
        FaultyStorage s = log(60);
        List<Path> segs = segments(s);
        s.delete(segs.get(1));
        long coveredEnd = WalFormat.parseSegmentName(segs.get(2)) - 1;
        WalOptions o = memOptions(s).withPreallocation(WalOptions.Preallocation.NONE);
        assertThrows(WalCorruptionException.class, () -> Wal.open(DIR, o, coveredEnd - 1));
        try (Wal wal = Wal.open(DIR, o, coveredEnd)) {
            assertEquals(List.of(), wal.superseded().damaged());
            assertEquals(List.of(segs.get(0)), wal.superseded().deleted());
            assertEquals(coveredEnd + 1, wal.firstLsn());
            assertEquals(60, wal.lastLsn());
        }
    }

    // --------------------------------------------------------------------------- errors on the path

    /** Throws an Error from the n-th write to a segment, as a JVM out of direct memory does. */
    private static final class ErrorOnWrite extends ForwardingStorage {
        private int writes;
        private final int failAt;

        ErrorOnWrite(FaultyStorage delegate, int failAt) {
            super(delegate);
            this.failAt = failAt;
        }

        @Override
        protected void beforeWrite(Path path, StorageFile file, long position, int length) {
            if (path.toString().endsWith(".wal") && ++writes == failAt) {
                throw new OutOfMemoryError("Direct buffer memory");
            }
        }
    }

    /** A full disk: no new file, no write past a file's end; bytes a file already has can be overwritten. */
    private static final class FullDisk extends ForwardingStorage {
        FullDisk(FaultyStorage delegate) {
            super(delegate);
        }

        @Override
        protected void beforeWrite(Path path, StorageFile file, long position, int length) throws IOException {
            if (position + length > file.size()) {
                throw new IOException("No space left on device");
            }
        }

        @Override
        public StorageFile open(Path path, OpenMode mode) throws IOException {
            if (mode == OpenMode.CREATE_NEW) {
                throw new IOException("No space left on device");
            }
            return super.open(path, mode);
        }
    }

    @Test
    void aLogThatStoppedOnAFullDiskOpensOnThatFullDisk() throws Exception {
        // The log stopped mid-write when the disk filled: the last record is incomplete.
        FaultyStorage base = singleSegmentLog(700, WalOptions.Preallocation.NONE, true);
        Path seg = DIR.resolve(WalFormat.segmentName(1));
        byte[] orig = base.contents(seg);
        long[] last = recordByLsn(orig, COUNT);
        int cut = (int) last[0] + 300;
        base.setContents(seg, Arrays.copyOf(orig, cut));
        WalOptions full = memOptions(base).withStorage(new FullDisk(base)).withSegmentBytes(64 << 10)
                .withPreallocation(WalOptions.Preallocation.NONE);
        try (Wal wal = Wal.open(DIR, full)) {
            TailRepair t = wal.tailRepair();
            assertNull(t.brokenCopy());
            assertEquals("creating " + DIR.resolve(WalFormat.segmentName(1) + ".from-" + last[0] + ".broken.tmp")
                    + ": No space left on device", t.copyFailure());
            assertTrue(t.message().contains("were set aside (no copy could be kept (creating "), t.message());
            assertEquals(COUNT - 1, wal.lastLsn());
            assertEquals(COUNT - 1, WalTestSupport.readAll(wal, 1).size());
            // Writing still needs space: refused, and said so.
            long lsn = wal.append(new byte[4000]);
            wal.flush();
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> wal.durable(lsn).get());
            assertEquals("IOERR write-ahead log failed: write of " + seg + ": No space left on device; writes are"
                    + " refused until restart", e.getCause().getMessage());
        }
        assertEquals(cut, base.contents(seg).length, "the file kept its length");
        try (Wal wal = Wal.open(DIR, memOptions(base).withPreallocation(WalOptions.Preallocation.NONE))) {
            assertNull(wal.tailRepair(), "the repair was complete");
            assertEquals(COUNT - 1, wal.lastLsn());
            assertEquals(COUNT, wal.append(new byte[] {1}));
        }
    }

    @Test
    void anErrorWhileWritingFailsTheLogInsteadOfLosingTheBatch() throws Exception {
        for (boolean onCaller : new boolean[] {false, true}) {
            FaultyStorage base = new FaultyStorage();
            long before;
            try (Wal wal = Wal.open(DIR, memOptions(base).withPreallocation(WalOptions.Preallocation.NONE).withSyncOnFlush(onCaller))) {
                for (int i = 1; i <= 3; i++) {
                    long lsn = wal.append(WalTestSupport.payload(i));
                    wal.flush();
                    wal.durable(lsn).get();
                }
                before = wal.lastLsn();
            }
            ErrorOnWrite storage = new ErrorOnWrite(base, 1);
            String expected = "IOERR write-ahead log failed: writing a batch to " + DIR
                    + ": OutOfMemoryError: Direct buffer memory; writes are refused until restart";
            try (Wal wal = Wal.open(DIR, memOptions(base).withStorage(storage).withPreallocation(WalOptions.Preallocation.NONE)
                    .withSyncOnFlush(onCaller))) {
                long lsn = wal.append(WalTestSupport.payload(4));
                wal.flush();
                var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> wal.durable(lsn).get());
                assertEquals(expected, e.getCause().getMessage(), "onCaller=" + onCaller);
                WalFailedException refused = assertThrows(WalFailedException.class,
                        () -> wal.append(WalTestSupport.payload(5)));
                assertEquals(expected, refused.getMessage());
                assertEquals("writing a batch to " + DIR + ": OutOfMemoryError: Direct buffer memory",
                        wal.stats().lastStatus());
            }
            // Nothing was written after the lost batch: the log opens and continues where it was.
            try (Wal wal = Wal.open(DIR, memOptions(base))) {
                assertEquals(before, wal.lastLsn(), "onCaller=" + onCaller);
                assertEquals(before + 1, wal.append(new byte[] {1}));
            }
        }
    }
}
