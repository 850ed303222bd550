package io.qrrot.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.testkit.FaultyStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many threads appending with {@code always}: LSNs are unique and consecutive, every completion arrives
 * only after an fsync that covers its LSN, and the log reads back exactly what each thread appended.
 */
class WalConcurrencyTest {
    /**
     * With syncOnFlush the flushing threads fsync themselves while the log is idle and hand off to the writer
     * when it is busy; without, the writer does every fsync. Either way, nobody is told early.
     */
    @ParameterizedTest(name = "syncOnFlush {0}")
    @ValueSource(booleans = {false, true})
    void manyWritersWithAlwaysAreToldOnlyAfterTheCoveringFsync(boolean syncOnFlush) throws Exception {
        FaultyStorage storage = new FaultyStorage().recordHistory(false);
        WalOptions opts = WalTestSupport.memOptions(storage).withSegmentBytes(64 * 1024).withFlushDelayMillis(1)
                .withSyncOnFlush(syncOnFlush);
        int threads = 16;
        int perThread = 300;
        Map<Long, byte[]> byLsn = new ConcurrentHashMap<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        try (Wal wal = Wal.open(WalTestSupport.DIR, opts)) {
            CountDownLatch start = new CountDownLatch(1);
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int id = t;
                ts[t] = new Thread(() -> {
                    try {
                        start.await();
                        long prev = 0;
                        for (int i = 0; i < perThread; i++) {
                            byte[] p = ("t" + id + "-" + i).getBytes();
                            long lsn = wal.append(p);
                            assertTrue(lsn > prev, "LSNs of one thread must increase");
                            prev = lsn;
                            byLsn.put(lsn, p);
                            CountDownLatch done = new CountDownLatch(1);
                            wal.whenDurable(lsn, new DurabilityListener() {
                                @Override
                                public void onDurable() {
                                    // Told durable: the fsynced image must already hold this record.
                                    if (wal.durableLsn() < lsn) {
                                        error.compareAndSet(null, new AssertionError("LSN " + lsn
                                                + " reported durable before the durable LSN reached it"));
                                    }
                                    done.countDown();
                                }

                                @Override
                                public void onFailure(String message) {
                                    error.compareAndSet(null, new AssertionError(message));
                                    done.countDown();
                                }
                            });
                            if ((i & 3) == 0) {
                                wal.flush();
                            }
                            done.await();
                            if (!durableImageHas(storage, lsn, p)) {
                                error.compareAndSet(null, new AssertionError("LSN " + lsn
                                        + " acknowledged but not in the fsynced image"));
                            }
                        }
                    } catch (Throwable e) {
                        error.compareAndSet(null, e);
                    }
                });
                ts[t].start();
            }
            start.countDown();
            for (Thread t : ts) {
                t.join();
            }
            if (error.get() != null) {
                throw new AssertionError(error.get());
            }
            long total = (long) threads * perThread;
            assertEquals(total, byLsn.size());
            assertEquals(total, wal.lastLsn());
            try (WalReader r = wal.reader(1)) {
                for (long l = 1; l <= total; l++) {
                    assertTrue(r.next());
                    assertEquals(l, r.lsn());
                    assertArrayEquals(byLsn.get(l), r.payloadBytes());
                }
            }
            WalStats s = wal.stats();
            assertTrue(s.writes() < total, "group commit should batch: " + s.writes() + " writes for " + total);
        }
    }

    /** Whether the durable (fsynced) bytes of the segments hold record {@code lsn} with {@code payload}. */
    private static boolean durableImageHas(FaultyStorage storage, long lsn, byte[] payload) throws IOException {
        for (Path p : storage.durableNames()) {
            long first = WalFormat.parseSegmentName(p);
            if (first < 0 || first > lsn) {
                continue;
            }
            ByteBuffer b = ByteBuffer.wrap(storage.durableContents(p)).order(WalFormat.BYTE_ORDER);
            int off = WalFormat.HEADER_LENGTH;
            while (off + 16 <= b.limit()) {
                int len = b.getInt(off);
                if (len == 0) {
                    break;
                }
                if (b.getLong(off + 8) == lsn) {
                    byte[] got = new byte[len - 16];
                    b.get(off + 16, got);
                    return java.util.Arrays.equals(got, payload);
                }
                off += (len + 7) & -8;
            }
        }
        return false;
    }

    @Test
    void realDiskRoundTripWithEveryPolicy(@TempDir Path tmp) throws Exception {
        for (FsyncPolicy policy : FsyncPolicy.values()) {
            Path dir = tmp.resolve(policy.name().toLowerCase());
            WalOptions opts = WalOptions.defaults().withFsync(policy).withSegmentBytes(32 * 1024);
            try (Wal wal = Wal.open(dir, opts)) {
                long last = 0;
                for (int i = 0; i < 5000; i++) {
                    last = wal.append(("value-" + i).getBytes());
                    if (i % 50 == 49) {
                        wal.flush();
                    }
                }
                wal.flush();
                assertEquals(last, wal.durable(last).get());
                wal.roll();
                assertTrue(wal.stats().segments() > 3, "rolls with background preallocation: " + wal.stats());
            }
            try (Wal wal = Wal.open(dir, opts)) {
                assertEquals(5000, wal.lastLsn());
                try (WalReader r = wal.reader(4990)) {
                    assertTrue(r.next());
                    assertArrayEquals("value-4989".getBytes(), r.payloadBytes());
                }
                WalCheck.Report rep = WalCheck.check(dir, false);
                assertEquals(WalCheck.Status.CLEAN, rep.status(), rep.lines().toString());
                assertEquals(5000, rep.records());
            }
        }
    }
}
