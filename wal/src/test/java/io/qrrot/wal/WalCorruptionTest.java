package io.qrrot.wal;

import static io.qrrot.wal.WalTestSupport.DIR;
import static io.qrrot.wal.WalTestSupport.memOptions;
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
import java.util.List;
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

    /** Record offsets in a segment, parsed independently of the reader: [offset, lsn, length]. */
    private static List<long[]> records(byte[] seg) {
        List<long[]> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(seg).order(ByteOrder.LITTLE_ENDIAN);
        int off = 64;
        while (off + 16 <= seg.length) {
            int len = b.getInt(off) - 16;
            if (len == -16) {
                break;
            }
            out.add(new long[]{off, b.getLong(off + 8), len});
            off += (16 + len + 7) & -8;
        }
        return out;
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
            long n = 0;
            try (WalReader r = wal.reader(1)) {
                while (r.next()) {
                    n++;
                    assertEquals(n, r.lsn(), where);
                    assertArrayEquals(log.payloads.get((int) n - 1), r.payloadBytes(), where);
                }
            }
            assertEquals(wal.lastLsn(), n, where);
            assertEquals(n + 1, wal.append(new byte[]{1, 2, 3}), where);
            wal.sync();
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

    @Test
    void truncationAtEveryOffsetOfTheLastRecordIsRepairedAsATornTail() throws Exception {
        Log log = write(WalOptions.Preallocation.NONE);
        Path seg = log.segments.get(log.segments.size() - 1);
        byte[] orig = log.bytes(seg);
        List<long[]> recs = records(orig);
        long[] last = recs.get(recs.size() - 1);
        int start = (int) last[0];
        assertEquals(orig.length, start + ((16 + last[2] + 7) & -8));
        for (int cut = start; cut < orig.length; cut++) {
            byte[] b = Arrays.copyOf(orig, cut);
            log.storage.setContents(seg, b);
            String where = "cut at " + cut;
            try (Wal wal = Wal.open(DIR, opts(log))) {
                TailRepair t = wal.tailRepair();
                if (cut == start) {
                    assertNull(t, where);
                } else {
                    assertNotNull(t, where);
                    int nonZeroEnd = cut;
                    while (nonZeroEnd > start && b[nonZeroEnd - 1] == 0) {
                        nonZeroEnd--;
                    }
                    String detail = cut - start < 16
                            ? "incomplete record header: " + (cut - start) + " bytes before the end of the file"
                            : "incomplete record: length " + (16 + last[2]) + " needs " + ((16 + last[2] + 7) & -8)
                              + " bytes but the file ends " + (cut - start) + " bytes after it";
                    if (nonZeroEnd == start && cut - start < 16) {
                        assertNull(t, where); // only zero bytes of a header: a clean end
                        continue;
                    }
                    assertEquals(new TailRepair(seg, start, nonZeroEnd - start, last[1] - 1,
                            Path.of(seg + ".broken"), detail), t, where);
                    assertEquals("WAL torn tail repaired: " + seg + " cut at offset " + start + " (" + detail
                            + "); dropped " + (nonZeroEnd - start) + " bytes of records that were never completely"
                            + " written (LSN " + last[1] + " on); the log ends at LSN " + (last[1] - 1)
                            + "; the segment as it was is kept as " + seg + ".broken", t.message());
                    assertArrayEquals(b, log.storage.durableContents(Path.of(seg + ".broken")), where);
                    assertEquals(start, log.storage.durableContents(seg).length, where);
                }
                assertEquals(last[1] - 1, wal.lastLsn(), where);
            }
            log.storage.delete(Path.of(seg + ".broken"));
            assertEquals(last[1] - 1 + 1, openAndCheckPrefix(log, where) + 1, where);
        }
    }

    @Test
    void zeroedSectorsAreATornTailInTheLastSegmentAndCorruptionBefore() throws Exception {
        Log log = write(WalOptions.Preallocation.NONE);
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
                if (sector == 0) {
                    WalCorruptionException e = assertThrows(WalCorruptionException.class,
                            () -> Wal.open(DIR, opts(log)), where);
                    assertEquals(corrupt(seg, 0, "bad segment header: magic expected 0x4c4157544f525251, actual 0x0",
                            WalFormat.parseSegmentName(seg)), e.getMessage(), where);
                } else {
                    long[] hit = null;
                    for (long[] r : recs) {
                        if (r[0] + ((16 + r[2] + 7) & -8) > sector * 512L) {
                            hit = r;
                            break;
                        }
                    }
                    if (lastSegment) {
                        try (Wal wal = Wal.open(DIR, opts(log))) {
                            assertNotNull(wal.tailRepair(), where);
                            assertEquals(hit[0], wal.tailRepair().offset(), where);
                            assertEquals(hit[1] - 1, wal.lastLsn(), where);
                        }
                        log.storage.delete(Path.of(seg + ".broken"));
                    } else {
                        WalCorruptionException e = assertThrows(WalCorruptionException.class,
                                () -> Wal.open(DIR, opts(log)), where);
                        assertEquals(hit[0], e.offset(), where);
                        assertEquals(hit[1], e.firstLostLsn(), where);
                        boolean headerZeroed = hit[0] >= sector * 512L;
                        String expected = headerZeroed
                                ? "record length 0 (end of data) followed by "
                                : "CRC32C mismatch: expected ";
                        assertTrue(e.getMessage().startsWith("WAL corrupt in " + seg + " at offset " + hit[0] + ": "
                                + expected), where + ": " + e.getMessage());
                    }
                }
                log.storage.setContents(seg, orig);
            }
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
        try (Wal wal = Wal.open(DIR, opts(log))) {
            assertEquals(new TailRepair(seg, end, b.length - end, last[1], Path.of(seg + ".broken"),
                    "record length 0 (end of data) followed by " + (b.length - end) + " bytes that are not zero"),
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
