package io.qrrot.wal;

import static io.qrrot.wal.WalTestSupport.DIR;
import static io.qrrot.wal.WalTestSupport.memOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qrrot.testkit.FaultyStorage;
import io.qrrot.wal.WalTestSupport.Recorder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Wal#fail}: a caller stops the log for a reason of its own, exactly as a failed fsync would. */
class WalFailStopTest {
    private static final String REASON = "the store could not apply the effect at LSN 2 (out of memory)";
    private static final String EXPECTED = "IOERR " + REASON + "; writes are refused until restart";

    /** Waits until the named thread sleeps in a timed park (the WAL writer with nothing to write). */
    private static void awaitParked(String name) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().equals(name) && t.getState() == Thread.State.TIMED_WAITING) {
                    return;
                }
            }
            Thread.sleep(1);
        }
        throw new AssertionError(name + " never parked");
    }

    @Test
    void anOutsideFailureRefusesAppendsFailsWaitersAndWritesNothingMore() throws Exception {
        FaultyStorage storage = new FaultyStorage();
        // everysec: once its writer thread has parked (for the 60 s flush delay), a buffered record is written
        // only by flush(), so the second record is still buffered when the log is failed.
        try (Wal wal = Wal.open(DIR, memOptions(storage).withFsync(FsyncPolicy.EVERYSEC))) {
            long ok = wal.append(new byte[]{1});
            wal.sync();
            awaitParked("qrrot-wal-writer " + DIR.getFileName());
            long pending = wal.append(new byte[]{2});
            Recorder waiting = new Recorder();
            wal.whenDurable(pending, waiting);

            WalFailedException f = wal.fail(REASON, new IllegalStateException("cause"));

            assertEquals(EXPECTED, f.getMessage());
            assertSame(f, wal.failure());
            assertEquals(List.of(EXPECTED), waiting.events);
            assertEquals(EXPECTED, assertThrows(WalFailedException.class, () -> wal.append(new byte[]{3})).getMessage());
            assertEquals(EXPECTED, assertThrows(WalFailedException.class, wal::roll).getMessage());
            assertEquals(REASON, wal.stats().lastStatus());
            assertEquals(ok, wal.durableLsn());
            Recorder done = new Recorder();
            wal.whenDurable(ok, done);
            assertEquals(List.of("durable"), done.events, "what was durable before stays durable");
            assertSame(f, wal.fail("a second reason", null), "the first failure stays");
            assertEquals(REASON, wal.stats().lastStatus());
        }
        try (Wal wal = Wal.open(DIR, memOptions(storage))) {
            assertEquals(1, wal.lastLsn(), "the record buffered when the log was failed was never written");
        }
    }
}
