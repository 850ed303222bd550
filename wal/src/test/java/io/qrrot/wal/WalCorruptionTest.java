package io.qrrot.wal;

import static io.qrrot.wal.WalTestSupport.DIR;
import static io.qrrot.wal.WalTestSupport.clearBroken;
import static io.qrrot.wal.WalTestSupport.memOptions;
import static io.qrrot.wal.WalTestSupport.readPrefix;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.testkit.FaultyStorage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Damage on disk: bit flips, truncation at every offset of the last record, zeroed sectors, garbage
 * appended. Each is either repaired as a torn tail (last segment) or reported as corruption with an exact
 * message; a reopened log is always a prefix of what was written.
 */
class WalCorruptionTest {
    private static final int RECORDS = 60;
    private static final String MAX = "538968080";

    /** A freshly written log: the storage, every payload, and where each record sits. */
    private static final class Log {
        final FaultyStorage storage = new FaultyStorage();
        final List<byte[]> payloads = new ArrayList<>();
        final List<Path> segments = new ArrayList<>();

        byte[] bytes(Path p) throws Exception {
            return storage.contents(p);
        }
    }

    /**
     * Record offsets in a segment, parsed independently of the reader: [offset, lsn, length]; durability
     * marks (LSN 0) are left out unless {@code withMarks}.
     */
    static List<long[]> records(byte[] seg, boolean withMarks) {
        List<long[]> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(seg).order(ByteOrder.LITTLE_ENDIAN);
        int off = 64;
        while (off + 16 <= seg.length) {
            int len = b.getInt(off) - 16;
            if (len == -16) {
                break;
            }
            long lsn = b.getLong(off + 8);
            if (lsn != 0 || withMarks) {
                out.add(new long[]{off, lsn, len});
            }
            off += (16 + len + 7) & -8;
        }
        return out;
    }

    static List<long[]> records(byte[] seg) {
        return records(seg, false);
    }

    private static Log write(WalOptions.Preallocation prealloc) throws Exception {
        Log log = new Log();
        Random rnd = new Random(7);
        try (Wal wal = Wal.open(DIR, memOptions(log.storage).withPreallocation(prealloc))) {
            for (int i = 1; i <= RECORDS; i++) {
                byte[] p = new byte[rnd.nextInt(300) + (i % 10 == 0 ? 900 : 0)];
                rnd.nextBytes(p);
                log.payloads.add(p);
                wal.append(p);
            }
            wal.sync();
        }
        for (Path p : log.storage.list(DIR)) {
            if (p.toString().endsWith(".wal")) {
                log.segments.add(p);
            }
        }
        assertTrue(log.segments.size() >= 4, "segments " + log.segments);
        return log;
    }

    private static int crc(byte[] seg, int off) {
        ByteBuffer b = ByteBuffer.wrap(seg).order(ByteOrder.LITTLE_ENDIAN);
        int len = b.getInt(off) - 16;
        CRC32C c = new CRC32C();
        c.update(seg, off, 4);
        c.update(seg, off + 8, 8 + len);
        return (int) c.getValue();
    }

    private static String corrupt(Path seg, long off, String detail, long lsn) {
        return "WAL corrupt in " + seg + " at offset " + off + ": " + detail + "; records from LSN " + lsn
                + " on cannot be read. Repair with: qrrot wal check " + DIR
                + " --fix (cuts the log there; damaged segments are kept as *.broken)";
    }

    private static WalOptions opts(Log log) {
        return memOptions(log.storage).withPreallocation(WalOptions.Preallocation.NONE);
    }

    /** Opens, reads everything, checks it is a prefix of what was written, returns the record count. */
    private static long openAndCheckPrefix(Log log, String where) throws Exception {
        try (Wal wal = Wal.open(DIR, opts(log))) {
            long n = readPrefix(wal, i -> log.payloads.get((int) i - 1), where);
            assertEquals(wal.lastLsn(), n, where);
            assertEquals(n + 1, wal.append(new byte[]{1, 2, 3}), where);
            wal.sync();
            return n;
        }
    }

    /** Opens, reads everything, checks it is a prefix of what was written, returns the count; appends nothing. */
    private static long countRecords(Log log, String where) throws Exception {
        try (Wal wal = Wal.open(DIR, opts(log))) {
            long n = 0;
            try (WalReader r = wal.reader(1)) {
                while (r.next()) {
                    n++;
                    assertArrayEquals(log.payloads.get((int) n - 1), r.payloadBytes(), where);
                }
            }
            return n;
        }
    }

    @Test
    void bitFlipInASealedRecordIsCorruptionWithFileOffsetAndCrcs() throws Exception {
        Log log = write(WalOptions.Preallocation.NONE);
        Path seg = log.segments.get(1);
        byte[] bytes = log.bytes(seg);
        long[] rec = records(bytes).get(1);
        int off = (int) rec[0];
        int stored = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(off + 4);
        bytes[off + 16 + 3] ^= 0x10; // payload
        log.storage.setContents(seg, bytes);
        WalCorruptionException e = assertThrows(WalCorruptionException.class, () -> Wal.open(DIR, opts(log)));
        String detail = "CRC32C mismatch: expected " + String.format("0x%08x", stored) + ", actual "
                + String.format("0x%08x", crc(bytes, off));
        assertEquals(corrupt(seg, off, detail, rec[1]), e.getMessage());
        assertEquals(seg, e.segment());
        assertEquals(off, e.offset());
        assertEquals(rec[1], e.firstLostLsn());

        // The same flip in the LSN field: the CRC covers it.
        bytes[off + 16 + 3] ^= 0x10;
        bytes[off + 9] ^= 0x01;
        log.storage.setContents(seg, bytes);
        e = assertThrows(WalCorruptionException.class, () -> Wal.open(DIR, opts(log)));
        detail = "CRC32C mismatch: expected " + String.format("0x%08x", stored) + ", actual "
                + String.format("0x%08x", crc(bytes, off));
        assertEquals(corrupt(seg, off, detail, rec[1]), e.getMessage());
    }

    @Test
    void headerDamageAndGapsAreCorruption() throws Exception {
        Log log = write(WalOptions.Preallocation.NONE);
        Path seg = log.segments.get(2);
        byte[] orig = log.bytes(seg);
        long first = WalFormat.parseSegmentName(seg);

        byte[] b = orig.clone();
        b[0] ^= 1;
        log.storage.setContents(seg, b);
        WalCorruptionException e = assertThrows(WalCorruptionException.class, () -> Wal.open(DIR, opts(log)));
        assertEquals(corrupt(seg, 0, "bad segment header: magic expected 0x4c4157544f525251, actual 0x"
                + Long.toHexString(WalFormat.MAGIC ^ 1), first), e.getMessage());

        b = orig.clone();
        b[30] ^= 4; // creation time: covered by the header CRC
        log.storage.setContents(seg, b);
        ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C c = new CRC32C();
        c.update(b, 0, 60);
        e = assertThrows(WalCorruptionException.class, () -> Wal.open(DIR, opts(log)));
        assertEquals(corrupt(seg, 0, "segment header CRC32C mismatch: expected "
                + String.format("0x%08x", h.getInt(60)) + ", actual " + String.format("0x%08x", (int) c.getValue()),
                first), e.getMessage());

        // A missing middle segment is a gap.
        log.storage.setContents(seg, orig);
        byte[] middle = log.bytes(log.segments.get(1));
        FaultyStorage s = log.storage;
        s.setContents(log.segments.get(1), middle);
        long prevLast = first - 1;
        long firstOfMissing = WalFormat.parseSegmentName(log.segments.get(1));
        try {
            s.delete(log.segments.get(1));
        } catch (java.io.IOException ex) {
            throw new AssertionError(ex);
        }
        e = assertThrows(WalCorruptionException.class, () -> Wal.open(DIR, opts(log)));
        assertEquals(corrupt(seg, 0, "segment starts at LSN " + first + " but the previous segment ends at LSN "
                + (firstOfMissing - 1) + " (LSNs " + firstOfMissing + " to " + prevLast + " are missing)",
                firstOfMissing), e.getMessage());
    }

    @Test
    void randomBitFlipsAnywhereAreNeverSilentlyWrong() throws Exception {
        long seed = WalTestSupport.seed();
        Random rnd = new Random(seed);
        Log log = write(WalOptions.Preallocation.INLINE);
        List<byte[]> originals = new ArrayList<>();
        for (Path p : log.segments) {
            originals.add(log.bytes(p));
        }
        for (int trial = 0; trial < 300; trial++) {
            for (int i = 0; i < log.segments.size(); i++) {
                log.storage.setContents(log.segments.get(i), originals.get(i));
            }
            int si = rnd.nextInt(log.segments.size());
            Path seg = log.segments.get(si);
            byte[] b = originals.get(si).clone();
            int bit = rnd.nextInt(b.length * 8);
            b[bit / 8] ^= (byte) (1 << (bit % 8));
            log.storage.setContents(seg, b);
            String where = "seed=" + seed + " trial=" + trial + " flip of bit " + bit + " in " + seg;
            long firstLsnAt = firstLsnAtOrAfter(originals.get(si), WalFormat.parseSegmentName(seg), bit / 8);
            try {
                long n = openAndCheckPrefix(log, where);
                // Opened: the flip hit the last segment (a torn tail) or bytes no record covers.
                assertTrue(n >= firstLsnAt - 1, "lost records before the flip: " + n + "; " + where);
            } catch (WalCorruptionException e) {
                assertEquals(seg, e.segment(), where);
                assertTrue(e.offset() <= bit / 8, "reported offset " + e.offset() + " after the flip; " + where);
                assertTrue(e.getMessage().startsWith("WAL corrupt in " + seg + " at offset " + e.offset() + ": "),
                        where);
                assertTrue(e.getMessage().endsWith(" on cannot be read. Repair with: qrrot wal check " + DIR
                        + " --fix (cuts the log there; damaged segments are kept as *.broken)"), where);
            }
            for (Path p : log.storage.list(DIR)) {
                if (!p.toString().endsWith(".wal")) {
                    log.storage.delete(p);
                }
            }
        }
    }

    /** The LSN of the record holding byte {@code pos} (or the next one), for a segment's original bytes. */
    private static long firstLsnAtOrAfter(byte[] seg, long firstLsn, int pos) {
        long lsn = firstLsn;
        for (long[] r : records(seg)) {
            if (pos < r[0] + ((16 + r[2] + 7) & -8)) {
                return r[1];
            }
            lsn = r[1] + 1;
        }
        return lsn;
    }

    /**
     * The image a killed process leaves: everything written, nothing after the last write (no closing mark).
     * With {@code fsynced} every record was acknowledged after an fsync (policy always, so a durability mark
     * follows the last one); without, nothing was ever fsynced (everysec before its first fsync: the marks
     * claim nothing), which is what a power cut can tear.
     */
    private static Log killImage(WalOptions.Preallocation prealloc, boolean fsynced) throws Exception {
        Log log = new Log();
        Random rnd = new Random(11);
        Map<Path, byte[]> image = new HashMap<>();
        try (Wal wal = Wal.open(DIR, memOptions(log.storage).withPreallocation(prealloc)
                .withFsync(fsynced ? FsyncPolicy.ALWAYS : FsyncPolicy.EVERYSEC))) {
            for (int i = 1; i <= RECORDS; i++) {
                byte[] p = new byte[rnd.nextInt(300) + (i % 10 == 0 ? 900 : 0)];
                rnd.nextBytes(p);
                log.payloads.add(p);
                long lsn = wal.append(p);
                wal.flush();
                if (fsynced) {
                    wal.durable(lsn).get();
                }
            }
            for (Path p : log.storage.list(DIR)) {
                if (p.toString().endsWith(".wal")) {
                    log.segments.add(p);
                    image.put(p, log.storage.contents(p));
                }
            }
        }
        image.forEach(log.storage::setContents);
        assertTrue(log.segments.size() >= 4, "segments " + log.segments);
        return log;
    }

    private static long padded(long[] rec) {
        return (16 + rec[2] + 7) & -8;
    }

    @Test
    void truncationAtEveryOffsetOfTheLastRecordIsRepairedAsATornTailInAGrowingSegment() throws Exception {
        Log log = killImage(WalOptions.Preallocation.NONE, true);
        Path seg = log.segments.get(log.segments.size() - 1);
        byte[] orig = log.bytes(seg);
        List<long[]> recs = records(orig);
        long[] last = recs.get(recs.size() - 1);
        int start = (int) last[0];
        int recEnd = (int) (start + padded(last));
        // After the last record: the durability mark written after its fsync.
        assertEquals(orig.length, recEnd + WalFormat.MARK_LENGTH);
        for (int cut = start; cut < orig.length; cut++) {
            byte[] b = Arrays.copyOf(orig, cut);
            log.storage.setContents(seg, b);
            String where = "cut at " + cut;
            // Cut inside the record: it is lost; cut inside the mark after it: only the mark's bytes go.
            int at = cut < recEnd ? start : recEnd;
            long lastKept = cut < recEnd ? last[1] - 1 : last[1];
            int nonZeroEnd = cut;
            while (nonZeroEnd > at && b[nonZeroEnd - 1] == 0) {
                nonZeroEnd--;
            }
            try (Wal wal = Wal.open(DIR, opts(log))) {
                TailRepair t = wal.tailRepair();
                if (cut == at || (cut - at < 16 && nonZeroEnd == at)) {
                    assertNull(t, where); // nothing, or only zero bytes of a header: a clean end
                } else {
                    assertNotNull(t, where);
                    int length = cut < recEnd ? (int) (16 + last[2]) : WalFormat.MARK_LENGTH;
                    String detail = cut - at < 16
                            ? "incomplete record header: " + (cut - at) + " bytes before the end of the file"
                            : "incomplete record: length " + length + " needs " + ((length + 7) & -8)
                              + " bytes but the file ends " + (cut - at) + " bytes after it";
                    Path copy = Path.of(seg + ".from-" + at + ".broken");
                    assertEquals(new TailRepair(seg, at, nonZeroEnd - at, lastKept, copy, null, detail), t, where);
                    assertEquals("WAL torn tail repaired: " + seg + " ends at offset " + at + " (" + detail + "); "
                            + (nonZeroEnd - at) + " bytes from LSN " + (lastKept + 1) + " on, written after the last"
                            + " fsync the log can prove and damaged as an interrupted write leaves them, were set aside"
                            + " (kept as " + copy + "); the log ends at LSN " + lastKept, t.message());
                    assertArrayEquals(Arrays.copyOfRange(b, at, nonZeroEnd), log.storage.durableContents(copy), where);
                    byte[] after = log.storage.durableContents(seg);
                    assertEquals(cut, after.length, "the segment keeps its length; " + where);
                    assertArrayEquals(new byte[cut - at], Arrays.copyOfRange(after, at, cut), "zeroed; " + where);
                    log.storage.delete(copy);
                }
                assertEquals(lastKept, wal.lastLsn(), where);
            }
            assertEquals(lastKept, openAndCheckPrefix(log, where), where);
        }
    }

    @Test
    void aPreallocatedSegmentCutShortIsCorruptionNotATornTail() throws Exception {
        Log log = killImage(WalOptions.Preallocation.INLINE, true);
        Path seg = log.segments.get(log.segments.size() - 1);
        byte[] orig = log.bytes(seg);
        assertEquals(4096, orig.length, "preallocated to the segment size");
        List<long[]> recs = records(orig);
        for (int r = 0; r < recs.size(); r++) {
            long[] rec = recs.get(r);
            for (long cut = rec[0] + 1; cut < rec[0] + padded(rec); cut++) {
                log.storage.setContents(seg, Arrays.copyOf(orig, (int) cut));
                WalCorruptionException e = assertThrows(WalCorruptionException.class, () -> Wal.open(DIR, opts(log)),
                        "cut at " + cut);
                assertEquals(rec[0], e.offset(), "cut at " + cut);
                assertEquals(rec[1], e.firstLostLsn(), "cut at " + cut);
                assertTrue(e.getMessage().contains("; the file is " + cut + " bytes but was zero-filled to 4096 bytes"
                        + " when it became a segment, so its end was cut off (not a torn write); records from LSN "
                        + rec[1] + " on cannot be read."), e.getMessage());
            }
        }
        log.storage.setContents(seg, orig);
        assertEquals(RECORDS, openAndCheckPrefix(log, "intact"));
    }

    /** The record whose bytes include file offset {@code pos}, or the first one after it. */
    private static long[] recordAt(List<long[]> recs, long pos) {
        for (long[] r : recs) {
            if (r[0] + padded(r) > pos) {
                return r;
            }
        }
        return null;
    }

    @Test
    void zeroedSectorsOfWritesNeverFsyncedAreATornTailInTheLastSegmentAndCorruptionBefore() throws Exception {
        Log log = killImage(WalOptions.Preallocation.NONE, false);
        for (int si : new int[]{log.segments.size() - 1, 1}) {
            boolean lastSegment = si == log.segments.size() - 1;
            Path seg = log.segments.get(si);
            byte[] orig = log.bytes(seg);
            List<long[]> recs = records(orig);
            for (int sector = 0; sector * 512 < orig.length; sector++) {
                byte[] b = orig.clone();
                Arrays.fill(b, sector * 512, Math.min(b.length, sector * 512 + 512), (byte) 0);
                log.storage.setContents(seg, b);
                String where = "segment " + seg + " sector " + sector;
                long[] hit = recordAt(recs, sector * 512L);
                if (sector == 0) {
                    WalCorruptionException e = assertThrows(WalCorruptionException.class,
                            () -> Wal.open(DIR, opts(log)), where);
                    assertEquals(corrupt(seg, 0, "bad segment header: magic expected 0x4c4157544f525251, actual 0x0",
                            WalFormat.parseSegmentName(seg)), e.getMessage(), where);
                } else if (hit == null) {
                    assertEquals(RECORDS, countRecords(log, where), where); // only a mark was hit
                } else if (lastSegment) {
                    try (Wal wal = Wal.open(DIR, opts(log))) {
                        assertNotNull(wal.tailRepair(), where);
                        assertTrue(wal.tailRepair().offset() <= hit[0], where);
                        assertEquals(hit[1] - 1, wal.lastLsn(), where);
                    }
                    clearBroken(log.storage);
                } else {
                    WalCorruptionException e = assertThrows(WalCorruptionException.class,
                            () -> Wal.open(DIR, opts(log)), where);
                    assertTrue(e.offset() <= hit[0], where);
                    assertEquals(hit[1], e.firstLostLsn(), where);
                }
                log.storage.setContents(seg, orig);
            }
        }
    }

    @Test
    void zeroedSectorsOfFsyncedRecordsAreCorruptionEvenInTheLastSegmentSaveTheLastRecord() throws Exception {
        Log log = killImage(WalOptions.Preallocation.NONE, true);
        Path seg = log.segments.get(log.segments.size() - 1);
        byte[] orig = log.bytes(seg);
        List<long[]> recs = records(orig);
        List<long[]> marks = records(orig, true).stream().filter(r -> r[1] == 0).toList();
        long[] finalMark = marks.get(marks.size() - 1);
        for (int sector = 1; sector * 512 < orig.length; sector++) {
            byte[] b = orig.clone();
            int from = sector * 512;
            int to = Math.min(b.length, from + 512);
            Arrays.fill(b, from, to, (byte) 0);
            log.storage.setContents(seg, b);
            String where = "sector " + sector;
            long[] hit = recordAt(recs, from);
            if (hit == null) {
                assertEquals(RECORDS, countRecords(log, where), where);
            } else if (finalMark[0] < to) {
                // The mark written after the last fsync is gone too: nothing proves the rest was fsynced.
                try (Wal wal = Wal.open(DIR, opts(log))) {
                    assertEquals(hit[1] - 1, wal.lastLsn(), where);
                }
                clearBroken(log.storage);
            } else {
                WalCorruptionException e = assertThrows(WalCorruptionException.class,
                        () -> Wal.open(DIR, opts(log)), where);
                assertEquals(hit[1], e.firstLostLsn(), where);
                assertTrue(e.getMessage().contains(" says records up to LSN "), e.getMessage());
                assertTrue(e.getMessage().contains(" were fsynced, so this is damage to written records, not a torn"
                        + " write (LSNs " + hit[1] + " to at least "), e.getMessage());
            }
            log.storage.setContents(seg, orig);
        }
    }

    @Test
    void garbageAppendedIsATornTailAfterZerosAndCorruptionRightAfterARecord() throws Exception {
        // Preallocated: the garbage follows the zero tail.
        Log log = write(WalOptions.Preallocation.INLINE);
        Path seg = log.segments.get(log.segments.size() - 1);
        byte[] orig = log.bytes(seg);
        List<long[]> recs = records(orig);
        long[] last = recs.get(recs.size() - 1);
        int end = (int) (last[0] + ((16 + last[2] + 7) & -8));
        assertTrue(orig.length > end + 16, "segment should be preallocated");
        byte[] b = Arrays.copyOf(orig, orig.length + 100);
        Arrays.fill(b, orig.length, b.length, (byte) 0x5a);
        log.storage.setContents(seg, b);
        int markEnd = end + WalFormat.MARK_LENGTH; // the closing mark
        try (Wal wal = Wal.open(DIR, opts(log))) {
            assertEquals(new TailRepair(seg, markEnd, b.length - markEnd, last[1],
                    Path.of(seg + ".from-" + markEnd + ".broken"), null,
                    "record length 0 (end of data) followed by " + (b.length - markEnd) + " bytes that are not zero"),
                    wal.tailRepair());
        }

        // Not preallocated: garbage right after the last record is read as a record header.
        Log log2 = write(WalOptions.Preallocation.NONE);
        Path seg2 = log2.segments.get(log2.segments.size() - 1);
        byte[] o2 = log2.bytes(seg2);
        long[] last2 = records(o2).get(records(o2).size() - 1);
        byte[] g = Arrays.copyOf(o2, o2.length + 32);
        Arrays.fill(g, o2.length, g.length, (byte) 0xff);
        log2.storage.setContents(seg2, g);
        WalCorruptionException e = assertThrows(WalCorruptionException.class, () -> Wal.open(DIR, opts(log2)));
        assertEquals(corrupt(seg2, o2.length, "record length 4294967295 is not between 16 and " + MAX, last2[1] + 1), e.getMessage());

        // A plausible length that runs past the end of the file: a torn tail.
        g = Arrays.copyOf(o2, o2.length + 24);
        ByteBuffer.wrap(g).order(ByteOrder.LITTLE_ENDIAN).putInt(o2.length, 116).putInt(o2.length + 4, 77)
                .putLong(o2.length + 8, last2[1] + 1);
        log2.storage.setContents(seg2, g);
        try (Wal wal = Wal.open(DIR, opts(log2))) {
            assertEquals("incomplete record: length 116 needs 120 bytes but the file ends 24 bytes after it",
                    wal.tailRepair().detail());
            assertEquals(last2[1], wal.lastLsn());
        }

        // A huge declared length is rejected before any buffer is allocated for it.
        g = Arrays.copyOf(o2, o2.length + 16);
        ByteBuffer.wrap(g).order(ByteOrder.LITTLE_ENDIAN).putInt(o2.length, Integer.MAX_VALUE - 100);
        log2.storage.setContents(seg2, g);
        e = assertThrows(WalCorruptionException.class, () -> Wal.open(DIR, opts(log2)));
        assertEquals(corrupt(seg2, o2.length, "record length " + (Integer.MAX_VALUE - 100)
                + " is not between 16 and " + MAX, last2[1] + 1), e.getMessage());
    }
}
