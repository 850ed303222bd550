package io.qrrot.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.wal.WalCheck;
import io.qrrot.wal.WalCorruptionException;
import io.qrrot.wal.WalFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage in WAL segments that the newest snapshot already holds costs no data: with snapshots at two LSNs
 * and the WAL kept from the older one (the fallback), a flipped byte in a segment wholly below the newer
 * snapshot is reported and set aside, and the database opens with every acknowledged write, including those
 * after the snapshot; {@code wal check --fix} does the same instead of cutting off the segments it needs.
 */
class CoveredWalDamageTest {
    @TempDir
    Path dir;

    /** Makes the writes after the newer snapshot fill more than one segment. */
    private static final String PAD = "-".repeat(400);

    final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    QrrotOptions options() {
        return QrrotOptions.defaults().withClock(now::get).withShards(8)
                .withWal(16 * 1024, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /** Two snapshots, the WAL from the older one's base LSN on, and writes after the newer one. */
    private long[] build() throws IOException {
        long older;
        long newer;
        try (Qrrot q = Qrrot.open(dir, options())) {
            Db db = new Db(q);
            for (int i = 0; i < 400; i++) {
                db.run("SET", "k" + i, "first-" + i);
            }
            older = q.saveSnapshot().baseLsn();
            for (int i = 0; i < 400; i++) {
                db.run("SET", "k" + i, "second-" + i);
            }
            newer = q.saveSnapshot().baseLsn();
            for (int i = 0; i < 100; i++) {
                db.run("SET", "after" + i, "third-" + i + PAD);
            }
        }
        return new long[] {older, newer};
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("wal"))) {
            return s.filter(p -> p.toString().endsWith(".wal")).sorted().toList();
        }
    }

    /** A segment whose every record is at or below {@code covered}, with an older one before it. */
    private Path coveredSegment(long covered) throws IOException {
        List<Path> segs = segments();
        for (int i = 1; i + 1 < segs.size(); i++) {
            if (WalFormat.parseSegmentName(segs.get(i + 1)) - 1 <= covered) {
                return segs.get(i);
            }
        }
        throw new AssertionError("no covered segment in " + segs);
    }

    private void flipAByteIn(Path segment) throws IOException {
        byte[] b = Files.readAllBytes(segment);
        b[WalFormat.HEADER_LENGTH + 200] ^= 0x01;
        Files.write(segment, b);
    }

    private void assertEverythingIsThere(Qrrot q) {
        Db db = new Db(q);
        for (int i = 0; i < 400; i++) {
            assertEquals("second-" + i, db.run("GET", "k" + i));
        }
        for (int i = 0; i < 100; i++) {
            assertEquals("third-" + i + PAD, db.run("GET", "after" + i));
        }
        assertEquals("(integer) 500", db.run("DBSIZE"));
    }

    @Test
    void damageTheNewestSnapshotCoversIsSetAsideAndTheDatabaseOpensWithEverything() throws IOException {
        long[] lsns = build();
        Path damaged = coveredSegment(lsns[1]);
        assertTrue(WalFormat.parseSegmentName(damaged) > lsns[0], "the damage is above the older snapshot");
        flipAByteIn(damaged);
        // Before this was handled, opening refused and the suggested --fix cut off every later segment.
        try (Qrrot q = Qrrot.open(dir, options())) {
            assertEverythingIsThere(q);
            String summary = ((DurableQrrot) q).recoverySummary();
            assertTrue(summary.contains("WAL damage that the snapshot through LSN " + lsns[1] + " already covers: "
                    + damaged + " (LSN "), summary);
            assertTrue(summary.contains("; moved aside as " + damaged.getFileName() + ".broken"), summary);
            assertTrue(summary.contains("; no record the database needs was lost; the WAL now starts at LSN "), summary);
            assertEquals("OK", new Db(q).run("SET", "later", "yes"));
        }
        assertTrue(Files.exists(Path.of(damaged + ".broken")));
        try (Qrrot q = Qrrot.open(dir, options())) {
            assertEquals("yes", new Db(q).run("GET", "later"));
            assertFalse(((DurableQrrot) q).recoverySummary().contains("WAL damage"));
        }
    }

    @Test
    void walCheckFixKeepsTheSegmentsRecoveryNeeds() throws IOException {
        long[] lsns = build();
        Path damaged = coveredSegment(lsns[1]);
        flipAByteIn(damaged);
        List<Path> needed = segments().stream()
                .filter(p -> WalFormat.parseSegmentName(p) > WalFormat.parseSegmentName(damaged)).toList();

        WalCheck.Report check = DataTools.checkWal(dir, false);
        assertEquals(WalCheck.Status.CLEAN, check.status(), check.lines().toString());
        assertTrue(check.lines().get(check.lines().size() - 2).startsWith("opening the log sets this aside: WAL damage"
                + " that the snapshot through LSN " + lsns[1] + " already covers: " + damaged), check.lines().toString());

        WalCheck.Report fix = DataTools.checkWal(dir, true);
        assertTrue(fix.fixed());
        assertEquals(List.of(), fix.brokenFiles());
        assertTrue(segments().containsAll(needed), "an intact segment recovery needs was moved: " + segments());
        try (Qrrot q = Qrrot.open(dir, options())) {
            assertEverythingIsThere(q);
        }
    }

    @Test
    void damageAboveTheSnapshotIsStillRefused() throws IOException {
        long[] lsns = build();
        List<Path> segs = segments();
        Path last = segs.get(segs.size() - 1);
        Path beforeLast = segs.get(segs.size() - 2);
        assertTrue(WalFormat.parseSegmentName(last) - 1 > lsns[1], "the segment before the last holds new records");
        flipAByteIn(beforeLast);
        WalCorruptionException e = assertThrows(WalCorruptionException.class, () -> Qrrot.open(dir, options()));
        assertEquals(beforeLast, e.segment());
    }
}
