package io.qrrot.recovery.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.storage.FileStorage;
import io.qrrot.storage.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** temp → fsync → rename → fsync dir, and a failure at any I/O leaves the old snapshots or the new set. */
class SnapshotInstallTest {
    private static final Storage FS = FileStorage.INSTANCE;
    private static final String TEMP = "snapshot-00000000000000000030.qrrt.tmp";
    private static final String FINAL = "snapshot-00000000000000000030.qrrt";

    @TempDir
    Path root;

    private static List<Rec> records(String tag, int n) {
        List<Rec> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Rec.of(1, tag + ":" + i, "value " + tag + " " + i, 0));
        }
        return out;
    }

    @Test
    void installOrderIsTempThenFsyncThenRenameThenDirectoryFsync() throws IOException {
        FaultyStorage rec = FaultyStorage.recording(FS);
        Path dir = root.resolve("snaps");
        TestSnapshots.write(rec, dir, 30, records("c", 10), 64);
        List<String> log = rec.log;
        assertEquals(List.of("createDirectories snaps", "delete " + TEMP, "open CREATE_NEW " + TEMP), log.subList(0, 3));
        assertEquals(List.of("force " + TEMP, "rename " + TEMP + " " + FINAL, "syncDirectory snaps"),
                log.subList(log.size() - 3, log.size()));
        for (String op : log.subList(3, log.size() - 3)) {
            assertEquals("write " + TEMP, op, "only writes to the temp file between open and fsync: " + log);
        }
        assertTrue(log.size() > 8, "several block writes: " + log);
    }

    @Test
    void aFailureAtAnyIoLeavesTheOldSnapshotsOrTheNewOne() throws IOException {
        List<Rec> oldRecords = records("b", 5);
        List<Rec> newRecords = records("c", 10);
        FaultyStorage counting = FaultyStorage.recording(FS);
        TestSnapshots.write(counting, root.resolve("count"), 30, newRecords, 64);
        int total = counting.ops();
        int openAt = counting.log.indexOf("open CREATE_NEW " + TEMP) + 1;
        int renameAt = counting.log.indexOf("rename " + TEMP + " " + FINAL) + 1;

        for (boolean persistent : new boolean[] {false, true}) {
            for (int n = 1; n <= total; n++) {
                String where = "failing I/O " + n + " of " + total + " (" + counting.log.get(n - 1) + ")"
                        + (persistent ? " and every one after it" : " once");
                Path dir = root.resolve((persistent ? "p" : "o") + n);
                TestSnapshots.write(FS, dir, 10, records("a", 3), 64);
                TestSnapshots.write(FS, dir, 20, oldRecords, 64);

                FaultyStorage faulty = new FaultyStorage(FS, n, persistent);
                boolean finished;
                try {
                    TestSnapshots.write(faulty, dir, 30, newRecords, 64);
                    finished = true;
                } catch (IOException e) {
                    finished = false;
                    String cause = e.getMessage() + (e.getCause() == null ? "" : " / " + e.getCause().getMessage());
                    assertTrue(cause.contains("injected fault at I/O " + n), where + ": " + cause);
                }
                assertTrue(faulty.failed(), where);
                assertFalse(finished, where + ": finish() reports the failure");
                boolean tempLeft = Files.exists(dir.resolve(TEMP));
                assertEquals(persistent && n > openAt && n <= renameAt, tempLeft,
                        where + ": the temp file is left only when the cleanup could not run");

                // The process "crashes"; the next one opens the directory with working storage.
                SnapshotDirectory sd = SnapshotDirectory.open(FS, dir);
                assertEquals(tempLeft ? List.of(dir.resolve(TEMP)) : List.of(), sd.swept(), where);
                assertFalse(Files.list(dir).anyMatch(p -> p.toString().endsWith(".tmp")), where + ": no temp left");
                List<Path> expected = new ArrayList<>(List.of(dir.resolve(SnapshotFormat.fileName(20)),
                        dir.resolve(SnapshotFormat.fileName(10))));
                boolean renamed = n > renameAt;
                if (renamed) {
                    expected.add(0, dir.resolve(FINAL));
                }
                assertEquals(expected, sd.snapshots(), where);
                assertEquals(renamed ? newRecords : oldRecords, TestSnapshots.read(FS, expected.get(0), true, 4096),
                        where + ": the newest snapshot reads back whole");
            }
        }
    }

    @Test
    void aFailedDirectoryFsyncSaysTheSnapshotIsInPlaceButNotYetSafe() throws IOException {
        FaultyStorage counting = FaultyStorage.recording(FS);
        TestSnapshots.write(counting, root.resolve("count"), 30, records("c", 2), 64);
        Path dir = root.resolve("d");
        FaultyStorage faulty = new FaultyStorage(FS, counting.ops(), false);
        SnapshotWriter w = SnapshotWriter.begin(faulty, dir, 30, 0, 64);
        for (Rec r : records("c", 2)) {
            w.add(r.type(), r.key(), r.value(), r.expiry());
        }
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, w::finish);
        assertEquals("installed snapshot " + dir.resolve(FINAL) + " but the fsync of directory " + dir
                + " failed (injected fault at I/O " + counting.ops() + ": syncDirectory d), so the rename may not"
                + " survive a power cut; keep the older snapshots and WAL segments until a later snapshot installs"
                + " cleanly", e.getMessage());
        assertEquals("injected fault at I/O " + counting.ops() + ": syncDirectory d", e.getCause().getMessage());
        w.close();
        assertTrue(Files.exists(dir.resolve(FINAL)), "close() after a finished rename keeps the file");
    }
}
