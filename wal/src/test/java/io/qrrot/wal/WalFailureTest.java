package io.qrrot.wal;

import static io.qrrot.wal.WalTestSupport.DIR;
import static io.qrrot.wal.WalTestSupport.memOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.testkit.FaultyStorage;
import io.qrrot.wal.WalTestSupport.Recorder;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** A failed write or fsync is final: appends refused with IOERR, waiters failed, nothing falsely durable. */
class WalFailureTest {
    private static final String SEG1 = DIR.resolve("00000000000000000001.wal").toString();

    @Test
    void failedFsyncWithAlwaysFailsTheLogForGood() throws Exception {
        FaultyStorage storage = new FaultyStorage();
        try (Wal wal = Wal.open(DIR, memOptions(storage))) {
            long ok = wal.append(new byte[]{1});
            wal.flush();
            wal.durable(ok).get();
            storage.failOn(FaultyStorage.Op.FORCE, 1, false, "No space left on device");
            long lost = wal.append(new byte[]{2});
            Recorder r = new Recorder();
            wal.whenDurable(lost, r);
            CompletableFuture<Long> f = wal.durable(lost);
            wal.flush();
            ExecutionException e = assertThrows(ExecutionException.class, f::get);
            String expected = "IOERR write-ahead log failed: fsync of " + SEG1 + ": No space left on device;"
                    + " writes are refused until restart";
            assertInstanceOf(WalFailedException.class, e.getCause());
            assertEquals(expected, e.getCause().getMessage());
            assertEquals(List.of(expected), r.events);
            assertEquals(ok, wal.durableLsn());

            WalFailedException a = assertThrows(WalFailedException.class, () -> wal.append(new byte[]{3}));
            assertEquals(expected, a.getMessage());
            Recorder late = new Recorder();
            wal.whenDurable(lost, late);
            assertEquals(List.of(expected), late.events);
            Recorder early = new Recorder();
            wal.whenDurable(ok, early);
            assertEquals(List.of("durable"), early.events);
            assertEquals("fsync of " + SEG1 + ": No space left on device", wal.stats().lastStatus());
            assertThrows(WalFailedException.class, wal::roll);
            // The storage works again, the log stays failed until reopened.
            wal.flush();
            assertEquals(ok, wal.durableLsn());
        }
        try (Wal wal = Wal.open(DIR, memOptions(storage))) {
            assertTrue(wal.lastLsn() >= 1);
            assertEquals(wal.lastLsn() + 1, wal.append(new byte[]{4}));
        }
    }

    @Test
    void failedWriteWithEverysecFailsTheFlushingCallersWaiters() throws Exception {
        FaultyStorage storage = new FaultyStorage();
        try (Wal wal = Wal.open(DIR, memOptions(storage).withFsync(FsyncPolicy.EVERYSEC))) {
            long a = wal.append(new byte[]{1});
            Recorder r = new Recorder();
            wal.whenDurable(a, r);
            assertEquals(List.of(), r.events);
            wal.flush(); // this thread writes, or the WAL's background thread if it held the I/O lock just then
            r.await(List.of("durable"));
            assertEquals(a, wal.durableLsn());
            assertEquals(0, wal.stats().fsyncCount());
            wal.sync();
            assertEquals(1, wal.stats().fsyncCount());

            storage.failOn(FaultyStorage.Op.WRITE, 1, true, "Input/output error");
            long b = wal.append(new byte[]{2});
            Recorder r2 = new Recorder();
            wal.whenDurable(b, r2);
            wal.flush();
            String expected = "IOERR write-ahead log failed: write of " + SEG1 + ": Input/output error;"
                    + " writes are refused until restart";
            r2.await(List.of(expected));
            assertEquals(a, wal.durableLsn());
            assertEquals(expected, assertThrows(WalFailedException.class, () -> wal.append(new byte[1])).getMessage());
            assertEquals(expected, assertThrows(WalFailedException.class, wal::sync).getMessage());
        }
    }

    @Test
    void diskFullWhileRollingIsACleanError() throws Exception {
        FaultyStorage storage = new FaultyStorage();
        try (Wal wal = Wal.open(DIR, memOptions(storage).withPreallocation(WalOptions.Preallocation.NONE))) {
            wal.append(new byte[100]);
            wal.sync();
            storage.failOn(FaultyStorage.Op.OPEN, 1, true, "No space left on device");
            WalFailedException e = assertThrows(WalFailedException.class, wal::roll);
            assertEquals("IOERR write-ahead log failed: creating " + DIR.resolve("00000000000000000002.wal.tmp")
                    + ": No space left on device; writes are refused until restart", e.getMessage());
            assertFalse(wal.stats().lastStatus().equals("ok"));
        }
        storage.clearFaults();
        try (Wal wal = Wal.open(DIR, memOptions(storage))) {
            assertEquals(1, wal.lastLsn());
        }
    }

    @Test
    void closedLogRefusesAppendsAndOversizedPayloadIsRejected() throws Exception {
        FaultyStorage storage = new FaultyStorage();
        Wal wal = Wal.open(DIR, memOptions(storage).withMaxPayloadBytes(1000));
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> wal.append(new byte[1001]));
        assertEquals("record of 1001 bytes is above the WAL's maximum payload of 1000 bytes", big.getMessage());
        long lsn = wal.append(new byte[1000]);
        Recorder r = new Recorder();
        wal.whenDurable(lsn, r);
        Recorder never = new Recorder();
        wal.whenDurable(lsn + 5, never);
        wal.close();
        assertEquals(List.of("durable"), r.events);
        assertEquals(List.of("IOERR write-ahead log is closed"), never.events);
        assertEquals("IOERR write-ahead log is closed",
                assertThrows(WalFailedException.class, () -> wal.append(new byte[1])).getMessage());
    }
}
