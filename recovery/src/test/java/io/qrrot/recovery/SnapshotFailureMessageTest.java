package io.qrrot.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.testkit.CapturedStderr;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed SAVE or compaction says which step failed on which file, as the WAL's errors do. */
class SnapshotFailureMessageTest {
    @TempDir
    Path dir;

    private Path temp(long baseLsn) {
        return dir.resolve("snapshots").resolve(String.format("snapshot-%020d.qrrt.tmp", baseLsn));
    }

    @Test
    void aFailedSaveNamesTheStepAndTheFile() throws IOException {
        SnapshotTempFaults storage = new SnapshotTempFaults();
        QrrotOptions options = QrrotOptions.defaults().withShards(8).withStorage(storage);
        try (Qrrot q = Qrrot.open(dir, options)) {
            Db db = new Db(q);
            db.run("SET", "a", "1");
            db.run("SET", "b", "2");
            storage.failOn(SnapshotTempFaults.Step.WRITE, new IOException("No space left on device"));
            IOException e = assertThrows(IOException.class, q::saveSnapshot);
            String expected = "write of " + temp(2) + ": No space left on device";
            assertEquals(expected, e.getMessage());
            assertEquals("err: " + expected, q.info().get("persistence").get("last_snapshot_status"));

            storage.failOn(SnapshotTempFaults.Step.FORCE, new IOException("Input/output error"));
            assertEquals("fsync of " + temp(2) + ": Input/output error",
                    assertThrows(IOException.class, q::saveSnapshot).getMessage());

            storage.clear();
            assertEquals(2, q.saveSnapshot().keys());
            assertEquals("ok", q.info().get("persistence").get("last_snapshot_status"));
        }
    }

    @Test
    void theCompactorsLogLineNamesTheStepAndTheFile() throws Exception {
        SnapshotTempFaults storage = new SnapshotTempFaults();
        storage.failOn(SnapshotTempFaults.Step.FORCE, new IOException("No space left on device"));
        QrrotOptions options = storage.compactingOnEveryWrite();
        CapturedStderr stderr = new CapturedStderr();
        String expected = "compaction failed (1 in a row): fsync of " + temp(1) + ": No space left on device";
        try (stderr; Qrrot q = Qrrot.open(dir, options)) {
            new Db(q).run("SET", "a", "1");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!stderr.text().contains(expected) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
        assertTrue(stderr.text().contains(expected), "expected a log line with: " + expected + "\ngot:\n"
                + stderr.text());
    }
}
