package io.qrrot.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.qrrot.engine.Clock;
import java.nio.file.Path;
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

    /** Waits until {@code value} returns {@code expected}; fails with the last value seen otherwise. */
    static void await(String what, String expected, Supplier<String> value) throws InterruptedException {
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
        SnapshotTempFaults storage = new SnapshotTempFaults();
        storage.failOn(SnapshotTempFaults.Step.OPEN, new OutOfMemoryError("injected: Java heap space"));
        QrrotOptions options = storage.compactingOnEveryWrite();
        try (Qrrot q = Qrrot.open(dir, options)) {
            Db db = new Db(q);
            assertEquals("OK", db.run("SET", "k", "v"));
            await("the compaction's status", "err: java.lang.OutOfMemoryError: injected: Java heap space",
                    () -> q.info().get("persistence").get("last_snapshot_status"));
            assertEquals("0", q.info().get("persistence").get("snapshots_written"));

            storage.clear();
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
