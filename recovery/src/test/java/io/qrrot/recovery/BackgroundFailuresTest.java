package io.qrrot.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.qrrot.engine.Clock;
import io.qrrot.storage.FileStorage;
import io.qrrot.storage.Storage;
import io.qrrot.storage.StorageFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An Error (an OutOfMemoryError, say) in the compactor or the expirer is caught at the loop, logged, shown in
 * INFO, and the loop goes on: neither thread dies silently.
 */
class BackgroundFailuresTest {
    /** The longest a background loop may take to get somewhere (its backoff after a failure is 2 s). */
    private static final long PATIENCE_MILLIS = 30_000;

    @TempDir
    Path dir;

    /** The real file system, except that opening a snapshot's temp file throws an Error while told to. */
    static final class ErrorOnSnapshotOpen implements Storage {
        final AtomicBoolean failing = new AtomicBoolean(true);

        @Override
        public StorageFile open(Path path, OpenMode mode) throws IOException {
            if (failing.get() && path.getFileName().toString().endsWith(".qrrt.tmp")) {
                throw new OutOfMemoryError("injected: Java heap space");
            }
            return FileStorage.INSTANCE.open(path, mode);
        }

        @Override
        public void rename(Path from, Path to) throws IOException {
            FileStorage.INSTANCE.rename(from, to);
        }

        @Override
        public void delete(Path path) throws IOException {
            FileStorage.INSTANCE.delete(path);
        }

        @Override
        public void syncDirectory(Path d) throws IOException {
            FileStorage.INSTANCE.syncDirectory(d);
        }

        @Override
        public void createDirectories(Path d) throws IOException {
            FileStorage.INSTANCE.createDirectories(d);
        }

        @Override
        public List<Path> list(Path d) throws IOException {
            return FileStorage.INSTANCE.list(d);
        }

        @Override
        public boolean exists(Path path) {
            return FileStorage.INSTANCE.exists(path);
        }

        @Override
        public long size(Path path) throws IOException {
            return FileStorage.INSTANCE.size(path);
        }
    }

    /** Waits until {@code value} returns {@code expected}; fails with the last value seen otherwise. */
    private static void await(String what, String expected, Supplier<String> value) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MILLIS);
        String last = value.get();
        while (!expected.equals(last) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            last = value.get();
        }
        assertEquals(expected, last, what);
    }

    @Test
    void anErrorInACompactionIsShownAndTheCompactorTriesAgain() throws Exception {
        ErrorOnSnapshotOpen storage = new ErrorOnSnapshotOpen();
        QrrotOptions options = QrrotOptions.defaults().withShards(8).withStorage(storage)
                .withWal(64 * 1024, 1, Long.MAX_VALUE); // any write makes a compaction due
        try (Qrrot q = Qrrot.open(dir, options)) {
            Db db = new Db(q);
            assertEquals("OK", db.run("SET", "k", "v"));
            await("the compaction's status", "err: java.lang.OutOfMemoryError: injected: Java heap space",
                    () -> q.info().get("persistence").get("last_snapshot_status"));
            assertEquals("0", q.info().get("persistence").get("snapshots_written"));

            storage.failing.set(false);
            await("snapshots written once the Error is gone", "1",
                    () -> q.info().get("persistence").get("snapshots_written"));
            assertEquals("ok", q.info().get("persistence").get("last_snapshot_status"));
            assertEquals("v", db.run("GET", "k"));
        }
    }

    @Test
    void anErrorInActiveExpiryIsShownAndExpiredKeysAreStillReclaimedOnceItIsGone() throws Exception {
        AtomicBoolean failing = new AtomicBoolean(true);
        AtomicLong now = new AtomicLong(1_700_000_000_000L);
        Clock clock = () -> {
            if (failing.get() && Thread.currentThread().getName().equals("qrrot-expirer")) {
                throw new OutOfMemoryError("injected: Java heap space");
            }
            return now.get();
        };
        try (Qrrot q = Qrrot.open(dir, QrrotOptions.defaults().withShards(8).withClock(clock))) {
            Db db = new Db(q);
            assertEquals("OK", db.run("SET", "session", "s", "PX", "10"));
            now.addAndGet(100);
            await("active expiry's status", "err: java.lang.OutOfMemoryError: injected: Java heap space",
                    () -> q.info().get("stats").get("active_expiry_status"));
            assertEquals("(integer) 1", db.run("DBSIZE"), "not reclaimed while active expiry fails");

            failing.set(false);
            await("the expired key, reclaimed without being read", "(integer) 0", () -> db.run("DBSIZE"));
            await("active expiry's status once it works", "ok",
                    () -> q.info().get("stats").get("active_expiry_status"));
        }
    }
}
