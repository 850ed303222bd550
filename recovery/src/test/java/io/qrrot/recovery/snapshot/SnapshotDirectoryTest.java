package io.qrrot.recovery.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.storage.FileStorage;
import io.qrrot.storage.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotDirectoryTest {
    private static final Storage FS = FileStorage.INSTANCE;

    @TempDir
    Path root;

    private Path snap(Path dir, long lsn) throws IOException {
        return Path.of(TestSnapshots.write(FS, dir, lsn, List.of(Rec.of(1, "k" + lsn, "v", 0)), 64).file());
    }

    @Test
    void namesAreLsnsPaddedToTwentyDigits() {
        assertEquals("snapshot-00000000000000000000.qrrt", SnapshotFormat.fileName(0));
        assertEquals("snapshot-09223372036854775807.qrrt", SnapshotFormat.fileName(Long.MAX_VALUE));
        assertEquals("snapshot-00000000000000001234.qrrt.tmp", SnapshotFormat.tempFileName(1234));
        assertEquals(1234, SnapshotFormat.parseLsn("snapshot-00000000000000001234.qrrt"));
        assertEquals(Long.MAX_VALUE, SnapshotFormat.parseLsn("snapshot-09223372036854775807.qrrt"));
        assertEquals(-1, SnapshotFormat.parseLsn("snapshot-09223372036854775808.qrrt"), "overflow");
        assertEquals(-1, SnapshotFormat.parseLsn("snapshot-1234.qrrt"));
        assertEquals(-1, SnapshotFormat.parseLsn("snapshot-00000000000000001234.qrrt.tmp"));
        assertEquals(-1, SnapshotFormat.parseLsn("snapshot-0000000000000000123x.qrrt"));
        assertEquals(-1, SnapshotFormat.parseLsn("snapshot-+0000000000000001234.qrrt"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SnapshotFormat.fileName(-1));
        assertEquals("base LSN must be >= 0, got -1", e.getMessage());
    }

    @Test
    void formatConstantsChainAsDocumented() {
        assertEquals(28, SnapshotFormat.HEADER_LENGTH);
        assertEquals(12, SnapshotFormat.BLOCK_HEADER_LENGTH);
        assertEquals(44, SnapshotFormat.FOOTER_LENGTH);
        assertEquals(36, SnapshotFormat.V1_FOOTER_LENGTH);
        assertEquals(SnapshotFormat.V1_FOOTER_LENGTH, SnapshotFormat.Footer.V1.length);
        assertEquals(SnapshotFormat.FOOTER_LENGTH, SnapshotFormat.Footer.V2.length);
        assertEquals(28, SnapshotFormat.V1_FOOTER_CRC_OFFSET);
        assertEquals(36, SnapshotFormat.FOOTER_CRC_OFFSET);
        assertEquals(64, SnapshotFormat.MIN_FILE_LENGTH);
        assertEquals(20, SnapshotFormat.MAX_RECORD_HEADER_LENGTH);
        assertEquals(1, SnapshotFormat.varintLength(0));
        assertEquals(1, SnapshotFormat.varintLength(127));
        assertEquals(2, SnapshotFormat.varintLength(128));
        assertEquals(3, SnapshotFormat.varintLength(SnapshotFormat.MAX_KEY_LENGTH));
        assertEquals(5, SnapshotFormat.varintLength(SnapshotFormat.MAX_VALUE_LENGTH));
        assertEquals(9, SnapshotFormat.varintLength(Long.MAX_VALUE));
    }

    @Test
    void openSweepsTempFilesAndSyncsTheDirectory() throws IOException {
        Path dir = root.resolve("snaps");
        snap(dir, 5);
        Files.write(dir.resolve("snapshot-00000000000000000009.qrrt.tmp"), new byte[10]);
        Files.write(dir.resolve("snapshot-junk.tmp"), new byte[1]);
        Files.write(dir.resolve("notes.tmp"), new byte[1]);
        FaultyStorage rec = FaultyStorage.recording(FS);
        SnapshotDirectory sd = SnapshotDirectory.open(rec, dir);
        assertEquals(List.of(dir.resolve("snapshot-00000000000000000009.qrrt.tmp"), dir.resolve("snapshot-junk.tmp")),
                sd.swept());
        assertEquals(List.of("createDirectories snaps", "delete snapshot-00000000000000000009.qrrt.tmp",
                "delete snapshot-junk.tmp", "syncDirectory snaps"), rec.log);
        assertTrue(Files.exists(dir.resolve("notes.tmp")), "files not named snapshot-* are not ours to sweep");

        FaultyStorage again = FaultyStorage.recording(FS);
        assertEquals(List.of(), SnapshotDirectory.open(again, dir).swept());
        assertEquals(List.of("createDirectories snaps"), again.log, "nothing swept, no directory fsync");
    }

    @Test
    void snapshotsAreListedNewestFirstIgnoringOtherNames() throws IOException {
        Path dir = root.resolve("snaps");
        snap(dir, 20);
        snap(dir, 100);
        snap(dir, 5);
        Files.write(dir.resolve("snapshot-7.qrrt"), new byte[1]);
        Files.write(dir.resolve("snapshot-00000000000000000003.qrrt.broken"), new byte[1]);
        Files.write(dir.resolve("other"), new byte[1]);
        SnapshotDirectory sd = SnapshotDirectory.open(FS, dir);
        assertEquals(List.of(sd.pathFor(100), sd.pathFor(20), sd.pathFor(5)), sd.snapshots());
        assertEquals(List.of(), SnapshotDirectory.open(FS, root.resolve("fresh")).snapshots(), "created empty");
        assertTrue(Files.isDirectory(root.resolve("fresh")));
    }

    @Test
    void supersededSnapshotsAreDeletedKeepingThePreviousUntilTold() throws IOException {
        Path dir = root.resolve("snaps");
        for (long lsn : new long[] {10, 20, 30, 40}) {
            snap(dir, lsn);
        }
        FaultyStorage rec = FaultyStorage.recording(FS);
        SnapshotDirectory sd = SnapshotDirectory.open(rec, dir);
        assertEquals(List.of(sd.pathFor(20), sd.pathFor(10)), sd.deleteSuperseded(true));
        assertEquals(List.of(sd.pathFor(40), sd.pathFor(30)), sd.snapshots());
        assertEquals(List.of("createDirectories snaps", "delete " + SnapshotFormat.fileName(20),
                "delete " + SnapshotFormat.fileName(10), "syncDirectory snaps"), rec.log);
        assertEquals(List.of(), sd.deleteSuperseded(true));
        assertEquals(List.of(sd.pathFor(30)), sd.deleteSuperseded(false));
        assertEquals(List.of(sd.pathFor(40)), sd.snapshots());
        assertEquals(List.of(), sd.deleteSuperseded(false));
    }

    @Test
    void aBrokenSnapshotIsMovedAsideNotLoadedAgain() throws IOException {
        Path dir = root.resolve("snaps");
        snap(dir, 10);
        Path newest = snap(dir, 20);
        SnapshotDirectory sd = SnapshotDirectory.open(FS, dir);
        Path broken = sd.quarantine(newest);
        assertEquals(dir.resolve("snapshot-00000000000000000020.qrrt.broken"), broken);
        assertTrue(Files.exists(broken));
        assertEquals(List.of(sd.pathFor(10)), sd.snapshots());
        assertEquals(List.of(), SnapshotDirectory.open(FS, dir).swept(), "a .broken file is kept");
    }

    @Test
    void importCopiesAVerifiedSnapshotUnderItsLsnName() throws IOException {
        Path backup = root.resolve("backup");
        List<Rec> records = Rec.random(new java.util.Random(3), 500, 200);
        SnapshotInfo written = TestSnapshots.write(FS, backup, 55, records, 1024);
        Path renamed = backup.resolve("nightly.qrrt");
        Files.move(Path.of(written.file()), renamed);

        SnapshotDirectory sd = SnapshotDirectory.open(FS, root.resolve("snaps"));
        SnapshotInfo installed = sd.importSnapshot(renamed);
        assertEquals(new SnapshotInfo(sd.pathFor(55).toString(), 2, 55, written.createdMillis(), 500, 500,
                written.blockCount(), written.fileSize(), true), installed);
        assertEquals(List.of(sd.pathFor(55)), sd.snapshots());
        assertEquals(records, TestSnapshots.read(FS, sd.pathFor(55), false, 1 << 20));

        byte[] bytes = Files.readAllBytes(renamed);
        bytes[100] ^= 4;
        Path bad = backup.resolve("bad.qrrt");
        Files.write(bad, bytes);
        SnapshotDirectory other = SnapshotDirectory.open(FS, root.resolve("other"));
        assertThrows(SnapshotCorruptException.class, () -> other.importSnapshot(bad));
        assertEquals(List.of(), Files.list(root.resolve("other")).toList(), "nothing installed, no temp left");
    }

    @Test
    void infoIsJsonFriendly() {
        SnapshotInfo info = new SnapshotInfo("/data/snap \"x\"\\y.qrrt", 2, 42, 1_700_000_000_123L, 5, 3, 1, 120,
                true);
        assertEquals("{\"file\":\"/data/snap \\\"x\\\"\\\\y.qrrt\",\"formatVersion\":2,\"baseLsn\":42,"
                + "\"createdMillis\":1700000000123,\"recordCount\":5,\"keyCount\":3,\"blockCount\":1,"
                + "\"fileSize\":120,\"verified\":true}", info.toJson());
        assertFalse(info.toJson().contains("\n"));
    }
}
