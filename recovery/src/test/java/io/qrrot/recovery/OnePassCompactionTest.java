package io.qrrot.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.recovery.fold.FoldAbortedException;
import io.qrrot.storage.FileStorage;
import io.qrrot.storage.StorageFile;
import io.qrrot.testkit.ForwardingStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One pass per compaction: a backlog larger than the fold's memory budget is sorted through spilled runs and
 * installed as one snapshot; a fold given up for a shutdown leaves no temp file and loses nothing; the size
 * and age triggers are read from the files, so a restart neither forgets a backlog nor restarts the clock.
 */
class OnePassCompactionTest {
    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    QrrotOptions options() {
        return TestOptions.clocked(now);
    }

    private Path snapshotDir() {
        return dir.resolve(DataDirectory.SNAPSHOT_DIR);
    }

    private List<String> snapshotFiles() throws IOException {
        try (Stream<Path> s = Files.list(snapshotDir())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Map<String, String> persistence(Qrrot q) {
        return q.info().get("persistence");
    }

    @Test
    void aBacklogLargerThanTheMemoryBudgetIsFoldedInOnePassThroughSpilledRuns() throws IOException {
        QrrotOptions small = options().withCompactMemoryBytes(8192);
        TreeMap<String, String> expected;
        try (DurableQrrot q = DurableQrrot.open(dir, small)) {
            Db db = new Db(q);
            for (int i = 0; i < 3000; i++) {
                db.run("SET", "k" + i, "v" + i);
            }
            Qrrot.SnapshotResult first = q.saveSnapshot();
            assertEquals(3000, first.keys());
            assertEquals(persistence(q).get("wal_last_lsn"), Long.toString(first.baseLsn()));
            assertEquals("1", persistence(q).get("snapshots_written"));
            long spilled = Long.parseLong(persistence(q).get("compaction_spilled_bytes"));
            assertTrue(spilled > 3000 * 10, "spilled " + spilled);
            for (int i = 0; i < 3000; i += 3) {
                db.run("DEL", "k" + i);
            }
            for (int i = 1; i < 3000; i += 3) {
                db.run("SET", "k" + i, "changed");
            }
            db.run("SET", "new", "key");
            assertEquals(2001, q.saveSnapshot().keys());
            assertEquals("2", persistence(q).get("snapshots_written"));
            long written = Long.parseLong(persistence(q).get("compaction_bytes_written"));
            assertTrue(written > spilled, "written " + written);
            expected = StoreContents.entries(q.engine());
            assertEquals(List.of(), snapshotFiles().stream().filter(n -> n.endsWith(".tmp")).toList());
        }
        try (DurableQrrot q = DurableQrrot.open(dir, small)) {
            assertEquals(expected, StoreContents.entries(q.engine()));
            Db db = new Db(q);
            assertEquals("changed", db.run("GET", "k1"));
            assertEquals("(nil)", db.run("GET", "k3"));
            assertEquals("v2", db.run("GET", "k2"));
        }
    }

    /** Calls {@code hook} when the fold opens its first spilled run (a run file is created). */
    private static final class RunHook extends ForwardingStorage {
        private final Runnable hook;
        private boolean fired;

        RunHook(Runnable hook) {
            super(FileStorage.INSTANCE);
            this.hook = hook;
        }

        @Override
        public StorageFile open(Path path, OpenMode mode) throws IOException {
            if (mode == OpenMode.CREATE_NEW && path.getFileName().toString().contains(".run-") && !fired) {
                fired = true;
                hook.run();
            }
            return super.open(path, mode);
        }
    }

    @Test
    void anAbortedSaveLeavesNoTempFileAndLosesNothing() throws IOException {
        Qrrot[] db = new Qrrot[1];
        RunHook storage = new RunHook(() -> db[0].abortSnapshots());
        QrrotOptions opts = options().withCompactMemoryBytes(8192).withStorage(storage);
        TreeMap<String, String> expected;
        try (DurableQrrot q = DurableQrrot.open(dir, opts)) {
            db[0] = q;
            Db c = new Db(q);
            for (int i = 0; i < 2000; i++) {
                c.run("SET", "k" + i, "v" + i);
            }
            FoldAbortedException e = assertThrows(FoldAbortedException.class, q::saveSnapshot);
            assertEquals("the snapshot was abandoned: the database is shutting down", e.getMessage());
            assertTrue(storage.fired);
            assertEquals(List.of(), snapshotFiles(), "no snapshot, no run, no temp file");
            assertTrue(persistence(q).get("last_snapshot_status").startsWith("aborted: "),
                    persistence(q).get("last_snapshot_status"));
            assertEquals("0", persistence(q).get("compaction_in_progress"));
            // Writes go on until close; later snapshots are refused.
            assertEquals("OK", c.run("SET", "after", "abort"));
            assertThrows(FoldAbortedException.class, q::saveSnapshot);
            expected = StoreContents.entries(q.engine());
            // ... until allowed again (a server stopped; its database serves on).
            q.allowSnapshots();
            assertEquals(2001, q.saveSnapshot().keys());
            assertEquals("ok", persistence(q).get("last_snapshot_status"));
        }
        try (DurableQrrot q = DurableQrrot.open(dir, options())) {
            assertEquals(expected, StoreContents.entries(q.engine()));
            assertEquals(2001, expected.size());
        }
    }

    @Test
    void closeGivesUpARunningBackgroundCompaction() throws Exception {
        CountDownLatch spilling = new CountDownLatch(1);
        CountDownLatch closing = new CountDownLatch(1);
        RunHook storage = new RunHook(() -> {
            spilling.countDown();
            try {
                closing.await(30, TimeUnit.SECONDS); // the fold stands still until close has begun
                Thread.sleep(50);
            } catch (InterruptedException e) {
                // close() interrupts the compactor: go on, to the fold's next abort check
            }
        });
        QrrotOptions opts = options().withCompactMemoryBytes(8192).withStorage(storage);
        TreeMap<String, String> expected;
        DurableQrrot q = DurableQrrot.open(dir, opts);
        Db c = new Db(q);
        for (int i = 0; i < 2000; i++) {
            c.run("SET", "k" + i, "v" + i);
        }
        expected = StoreContents.entries(q.engine());
        now.addAndGet(1000);
        DurableQrrot reopened = null;
        try {
            // Make the background compaction due by age, from outside: a fresh open with a short age limit.
            q.close();
            reopened = DurableQrrot.open(dir, opts.withWal(64 * 1024, Long.MAX_VALUE, 1));
            assertTrue(spilling.await(30, TimeUnit.SECONDS), "the background compaction did not start");
            closing.countDown();
            reopened.close();
            assertEquals(List.of(), snapshotFiles(), "no snapshot, no run, no temp file");
        } finally {
            if (reopened != null) {
                reopened.close();
            }
        }
        try (DurableQrrot r = DurableQrrot.open(dir, options())) {
            assertEquals(expected, StoreContents.entries(r.engine()));
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 30 s for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void theSizeTriggerReadsTheWalAfterARestart() throws Exception {
        try (DurableQrrot q = DurableQrrot.open(dir, options())) {
            Db c = new Db(q);
            for (int i = 0; i < 1000; i++) {
                c.run("SET", "k" + i, "x".repeat(200));
            }
            long backlog = Long.parseLong(persistence(q).get("wal_bytes_since_snapshot"));
            assertTrue(backlog > 200_000, "backlog " + backlog);
        }
        // Reopened with a threshold below the backlog: it compacts without a single new write.
        QrrotOptions low = options().withWal(64 * 1024, 100_000, Long.MAX_VALUE);
        try (DurableQrrot q = DurableQrrot.open(dir, low)) {
            long backlog = Long.parseLong(persistence(q).get("wal_bytes_since_snapshot"));
            assertTrue(backlog > 200_000, "after the restart the backlog is still known: " + backlog);
            await(() -> persistence(q).get("snapshots_written").equals("1"), "a compaction");
            assertEquals("0", persistence(q).get("wal_bytes_since_snapshot"));
            assertEquals(persistence(q).get("wal_last_lsn"), persistence(q).get("last_snapshot_lsn"));
        }
    }

    @Test
    void theAgeTriggerKeepsItsClockAcrossARestart() throws Exception {
        QrrotOptions hourly = options().withWal(64 * 1024, Long.MAX_VALUE, 3_600_000);
        try (DurableQrrot q = DurableQrrot.open(dir, hourly)) {
            new Db(q).run("SET", "a", "1");
            assertFalse(q.compactionDue(now.get()));
            q.saveSnapshot();
            new Db(q).run("SET", "b", "2");
            now.addAndGet(3_000_000);
            assertFalse(q.compactionDue(now.get()));
        }
        now.addAndGet(700_000); // the snapshot is now older than an hour; the restart does not reset that
        try (DurableQrrot q = DurableQrrot.open(dir, hourly)) {
            await(() -> persistence(q).get("snapshots_written").equals("1"), "a compaction");
            assertEquals("2", persistence(q).get("last_snapshot_keys"));
            assertFalse(q.compactionDue(now.get()), "nothing left to fold");
        }
    }

    @Test
    void theAgeTriggerWithoutASnapshotCountsFromTheOldestSegment() throws Exception {
        QrrotOptions hourly = options().withWal(64 * 1024, Long.MAX_VALUE, 3_600_000);
        try (DurableQrrot q = DurableQrrot.open(dir, hourly)) {
            new Db(q).run("SET", "a", "1");
        }
        now.addAndGet(3_600_000);
        try (DurableQrrot q = DurableQrrot.open(dir, hourly)) {
            await(() -> persistence(q).get("snapshots_written").equals("1"), "a compaction");
        }
    }
}
