package io.qrrot.wal;

import static io.qrrot.wal.WalTestSupport.DIR;
import static io.qrrot.wal.WalTestSupport.memOptions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qrrot.testkit.FaultyStorage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link WalOptions#syncOnFlush()} with {@code always}: {@link Wal#flush()} on an idle log writes and fsyncs the
 * batch on the calling thread, which is then told the outcome itself, with no hand-off to the writer thread.
 */
class WalSyncOnFlushTest {
    private static final String SEG1 = DIR.resolve("00000000000000000001.wal").toString();

    /** Records the outcome and the thread it was reported on. */
    private static final class Outcome implements DurabilityListener {
        volatile String what;
        volatile Thread thread;

        @Override
        public void onDurable() {
            thread = Thread.currentThread();
            what = "durable";
        }

        @Override
        public void onFailure(String message) {
            thread = Thread.currentThread();
            what = message;
        }
    }

    /**
     * Waits until the writer thread is parked: it checks for pending records once when it starts, and
     * only a wake-up or its (here 60 s) timer moves it after that, so the test thread's flush is the one that
     * writes.
     */
    private static void awaitIdleWriter() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            int writers = 0;
            int parked = 0;
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().startsWith("qrrot-wal-writer")) {
                    writers++;
                    parked += t.getState() == Thread.State.TIMED_WAITING ? 1 : 0;
                }
            }
            if (writers > 0 && parked == writers) {
                return;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("the WAL writer thread never went idle");
    }

    @Test
    void flushFsyncsTheBatchOnTheCallingThread() throws Exception {
        FaultyStorage storage = new FaultyStorage();
        try (Wal wal = Wal.open(DIR, memOptions(storage).withSyncOnFlush(true))) {
            awaitIdleWriter();
            long first = wal.append(new byte[]{1});
            long second = wal.append(new byte[]{2, 2});
            Outcome o = new Outcome();
            wal.whenDurable(second, o);
            long fsyncs = wal.stats().fsyncCount();

            wal.flush();

            // Durable when flush returns, reported on this thread, both records under one fsync.
            assertEquals(second, wal.durableLsn());
            assertEquals("durable", o.what);
            assertSame(Thread.currentThread(), o.thread);
            assertEquals(fsyncs + 1, wal.stats().fsyncCount());
            assertEquals("caller", wal.stats().toInfo().get("wal_fsync_thread"));
            List<WalTestSupport.Rec> back = WalTestSupport.readAll(wal, first);
            assertEquals(List.of(first, second), back.stream().map(WalTestSupport.Rec::lsn).toList());
            assertArrayEquals(new byte[]{2, 2}, back.get(1).payload());

            wal.flush(); // nothing pending: no fsync
            assertEquals(fsyncs + 1, wal.stats().fsyncCount());
        }
    }

    @Test
    void aFailedFsyncOnTheCallingThreadFailsTheLogForGood() throws Exception {
        FaultyStorage storage = new FaultyStorage();
        try (Wal wal = Wal.open(DIR, memOptions(storage).withSyncOnFlush(true))) {
            long ok = wal.append(new byte[]{1});
            wal.flush();
            assertEquals(ok, wal.durableLsn());

            storage.failOn(FaultyStorage.Op.FORCE, 1, false, "Input/output error");
            awaitIdleWriter();
            long lost = wal.append(new byte[]{2});
            Outcome o = new Outcome();
            wal.whenDurable(lost, o);
            wal.flush();

            String expected = "IOERR write-ahead log failed: fsync of " + SEG1 + ": Input/output error;"
                    + " writes are refused until restart";
            assertEquals(expected, o.what);
            assertSame(Thread.currentThread(), o.thread);
            assertEquals(ok, wal.durableLsn());
            WalFailedException refused = assertThrows(WalFailedException.class, () -> wal.append(new byte[]{3}));
            assertEquals(expected, refused.getMessage());
            assertEquals(List.of(ok), WalTestSupport.readAll(wal, 1).stream().map(WalTestSupport.Rec::lsn).toList());
        }
    }

    @Test
    void withEverysecTheOptionChangesNothing() throws Exception {
        FaultyStorage storage = new FaultyStorage();
        try (Wal wal = Wal.open(DIR, memOptions(storage).withFsync(FsyncPolicy.EVERYSEC).withSyncOnFlush(true))) {
            long fsyncs = wal.stats().fsyncCount();
            long lsn = wal.append(new byte[]{1});
            wal.flush();
            assertEquals(lsn, wal.durableLsn()); // written: durable for everysec
            assertEquals(fsyncs, wal.stats().fsyncCount()); // but not fsynced by flush
            assertEquals("writer", wal.stats().toInfo().get("wal_fsync_thread"));
        }
    }
}
