package io.qrrot.wal;

import static io.qrrot.wal.WalTestSupport.DIR;
import static io.qrrot.wal.WalTestSupport.log;
import static io.qrrot.wal.WalTestSupport.memOptions;
import static io.qrrot.wal.WalTestSupport.segments;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.testkit.FaultyStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The offline verbs: check (read-only), check --fix (cut at the first bad record), dump. */
class WalCheckTest {
    private static final int MAX = WalOptions.defaults().maxPayloadBytes();

    @Test
    void cleanLogChecksCleanAndDumpsEveryRecord() throws Exception {
        FaultyStorage s = log(40);
        WalCheck.Report r = WalCheck.check(s, DIR, false, MAX);
        assertEquals(WalCheck.Status.CLEAN, r.status());
        assertEquals(40, r.records());
        assertEquals(40, r.lastLsn());
        assertEquals(segments(s).size(), r.segments().size());
        assertEquals("clean: 40 records, last LSN 40", r.lines().get(r.lines().size() - 1));
        Iterator<WalCheck.DumpEntry> it = WalCheck.dump(s, DIR, MAX);
        long n = 0;
        while (it.hasNext()) {
            WalCheck.DumpEntry e = it.next();
            n++;
            assertNull(e.problem());
            assertEquals(n, e.lsn());
            byte[] got = new byte[e.length()];
            e.payload().get(got);
            assertArrayEquals(WalTestSupport.payload(n), got);
        }
        assertEquals(40, n);
    }

    @Test
    void fixCutsAtTheFirstBadRecordAndMovesLaterSegmentsAside() throws Exception {
        FaultyStorage s = log(80);
        List<Path> segs = segments(s);
        assertTrue(segs.size() >= 3);
        Path bad = segs.get(1);
        byte[] b = s.contents(bad);
        // The first record of the second segment: after the batch's durability mark if a batch began there.
        int off = (int) WalCorruptionTest.records(b, false).get(0)[0];
        long firstLsn = WalFormat.parseSegmentName(bad);
        b[off + 20] ^= 1;
        s.setContents(bad, b);

        WalCheck.Report r = WalCheck.check(s, DIR, false, MAX);
        assertEquals(WalCheck.Status.CORRUPT, r.status());
        assertEquals(bad, r.damagedSegment());
        assertEquals(off, r.damageOffset());
        assertEquals(firstLsn - 1, r.lastLsn());
        assertFalse(r.fixed());
        assertTrue(r.lines().get(r.lines().size() - 1).startsWith("WAL corrupt in " + bad + " at offset " + off + ": CRC32C"
                + " mismatch: expected "), r.lines().toString());
        assertThrows(WalCorruptionException.class, () -> Wal.open(DIR, memOptions(s)));

        WalCheck.Report f = WalCheck.check(s, DIR, true, MAX);
        assertTrue(f.fixed());
        List<Path> broken = new ArrayList<>();
        Path tail = Path.of(bad + ".from-" + off + ".broken");
        broken.add(tail);
        for (int i = 2; i < segs.size(); i++) {
            broken.add(Path.of(segs.get(i) + ".broken"));
        }
        assertEquals(broken, f.brokenFiles());
        assertEquals(List.of(segs.get(0), bad), segments(s));
        // The bytes from the damage on are kept aside and zeroed in place; the file keeps its length.
        int nonZeroEnd = b.length;
        while (b[nonZeroEnd - 1] == 0) {
            nonZeroEnd--;
        }
        assertArrayEquals(java.util.Arrays.copyOfRange(b, off, nonZeroEnd), s.durableContents(tail));
        byte[] cut = s.durableContents(bad);
        assertEquals(b.length, cut.length);
        assertArrayEquals(java.util.Arrays.copyOf(b, off), java.util.Arrays.copyOf(cut, off));
        assertArrayEquals(new byte[b.length - off], java.util.Arrays.copyOfRange(cut, off, b.length));
        assertTrue(s.durableNames().containsAll(broken), "renames must be durable: " + s.durableNames());

        WalCheck.Report after = WalCheck.check(s, DIR, false, MAX);
        assertEquals(WalCheck.Status.CLEAN, after.status());
        assertEquals(firstLsn - 1, after.lastLsn());
        try (Wal wal = Wal.open(DIR, memOptions(s))) {
            assertEquals(firstLsn, wal.append(new byte[]{9}));
        }

        // A second fix of the same segment keeps the first copy and numbers the next.
        b = s.contents(bad);
        b[off] = (byte) 0xff;
        b[off + 1] = (byte) 0xff;
        b[off + 2] = (byte) 0xff;
        b[off + 3] = (byte) 0xff;
        s.setContents(bad, b);
        WalCheck.Report again = WalCheck.check(s, DIR, true, MAX);
        assertEquals(List.of(Path.of(bad + ".from-" + off + ".2.broken")), again.brokenFiles());
    }

    @Test
    void dumpEndsWithTheProblem() throws Exception {
        FaultyStorage s = log(10);
        Path seg = segments(s).get(0);
        byte[] b = s.contents(seg);
        b[WalFormat.HEADER_LENGTH + WalFormat.MARK_LENGTH + 20] ^= 0x40; // the first record, after the batch's mark
        s.setContents(seg, b);
        Iterator<WalCheck.DumpEntry> it = WalCheck.dump(s, DIR, MAX);
        WalCheck.DumpEntry last = null;
        int n = 0;
        while (it.hasNext()) {
            last = it.next();
            n++;
        }
        assertTrue(last.problem().startsWith("CRC32C mismatch: expected "), last.problem());
        assertEquals(seg, last.segment());
        assertEquals(1, n);
        assertEquals(0, WalCheck.check(s, DIR, false, MAX).records());
    }
}
