package io.qrrot.wal;

import static io.qrrot.wal.WalTestSupport.DIR;
import static io.qrrot.wal.WalTestSupport.memOptions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.qrrot.testkit.FaultyStorage;
import io.qrrot.testkit.FaultyStorage.CrashMode;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * Crash at every counted I/O operation of a scripted workload (appends, size and on-demand rolls,
 * retention, reopen), simulate a power cut (or a process kill), reopen and check: acknowledged records
 * are all there (always: after any cut; everysec/no: after a kill), the log is a prefix of what was
 * appended with no hole, and the reopened log takes new records.
 */
class WalCrashTest {
    private static final long WORKLOAD_SEED = 20240611L;

    /** What the workload did before the cut. */
    private static final class Outcome {
        final Map<Long, byte[]> appended = new HashMap<>();
        long maxAcked;
        long maxDropBound = 1;
    }

    @Test
    void alwaysKeepsEveryAcknowledgedRecordAfterAPowerCutAtEveryIo() throws Exception {
        crashEverywhere(FsyncPolicy.ALWAYS, new CrashMode[]{CrashMode.RANDOM, CrashMode.TORN,
            CrashMode.ZEROED_SECTORS}, true);
    }

    @Test
    void everysecAndNoKeepAcknowledgedRecordsAfterAKillAndAPrefixAfterAPowerCut() throws Exception {
        crashEverywhere(FsyncPolicy.EVERYSEC, new CrashMode[]{CrashMode.ALL}, true);
        crashEverywhere(FsyncPolicy.NO, new CrashMode[]{CrashMode.ALL}, true);
        crashEverywhere(FsyncPolicy.EVERYSEC, new CrashMode[]{CrashMode.RANDOM}, false);
        crashEverywhere(FsyncPolicy.NO, new CrashMode[]{CrashMode.SUBSET}, false);
    }

    private void crashEverywhere(FsyncPolicy policy, CrashMode[] modes, boolean ackedMustSurvive) throws Exception {
        FaultyStorage dry = new FaultyStorage();
        Outcome full = run(dry, policy);
        long total = dry.ioCount();
        assertTrue(total > 100, "workload too small: " + total + " I/O operations");
        assertTrue(full.maxAcked > 50, "workload acknowledged only " + full.maxAcked);
        long seed = WalTestSupport.seed();
        Random rnd = new Random(seed);
        for (long n = 1; n <= total + 1; n++) {
            for (CrashMode mode : modes) {
                FaultyStorage storage = new FaultyStorage().powerCutAt(n);
                Outcome o = run(storage, policy);
                FaultyStorage after = storage.crash(mode, rnd);
                String where = "seed=" + seed + " policy=" + policy + " cut at I/O " + n + " of " + total
                        + " mode=" + mode + "; last I/O: " + last(storage);
                check(after, policy, o, ackedMustSurvive, where);
            }
        }
    }

    private static String last(FaultyStorage s) {
        var h = s.history();
        return h.isEmpty() ? "none" : String.join(" | ", h.subList(Math.max(0, h.size() - 3), h.size()));
    }

    /** The scripted workload; stops at the first failure the cut causes. */
    private static Outcome run(FaultyStorage storage, FsyncPolicy policy) {
        Outcome o = new Outcome();
        Random rnd = new Random(WORKLOAD_SEED);
        WalOptions opts = memOptions(storage).withFsync(policy);
        Wal wal = null;
        try {
            wal = Wal.open(DIR, opts);
            for (int step = 0; step < 45; step++) {
                int what = rnd.nextInt(20);
                if (what < 15) {
                    int k = 1 + rnd.nextInt(6);
                    long last = 0;
                    for (int i = 0; i < k; i++) {
                        int len = rnd.nextInt(40) == 0 ? 5000 : rnd.nextInt(400);
                        byte[] p = new byte[len];
                        rnd.nextBytes(p);
                        last = wal.append(p);
                        o.appended.put(last, p);
                    }
                    wal.flush();
                    wal.durable(last).get();
                    o.maxAcked = Math.max(o.maxAcked, last);
                } else if (what < 17) {
                    wal.roll();
                } else if (what < 19) {
                    long bound = wal.firstLsn() + rnd.nextInt((int) Math.max(1, wal.lastLsn() - wal.firstLsn() + 1));
                    o.maxDropBound = Math.max(o.maxDropBound, bound);
                    wal.dropBelow(bound);
                } else {
                    wal.close();
                    wal = Wal.open(DIR, opts);
                }
            }
            wal.close();
            wal = null;
        } catch (WalFailedException | IOException e) {
            expectCut(storage, e);
        } catch (ExecutionException e) {
            expectCut(storage, e.getCause());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        } finally {
            if (wal != null) {
                try {
                    wal.close();
                } catch (IOException | RuntimeException ignored) {
                    // the storage is cut: closing fails too
                }
            }
        }
        return o;
    }

    private static void expectCut(FaultyStorage storage, Throwable e) {
        if (!storage.isCut()) {
            throw new AssertionError("failure without a cut", e);
        }
    }

    private static void check(FaultyStorage after, FsyncPolicy policy, Outcome o, boolean ackedMustSurvive,
                              String where) throws Exception {
        WalOptions opts = memOptions(after).withFsync(policy);
        long first;
        long last;
        try (Wal wal = Wal.open(DIR, opts)) {
            first = wal.firstLsn();
            last = 0;
            long expect = first;
            try (WalReader r = wal.reader(first)) {
                while (r.next()) {
                    assertEquals(expect, r.lsn(), where);
                    byte[] want = o.appended.get(r.lsn());
                    if (want == null) {
                        fail("recovered LSN " + r.lsn() + " was never appended; " + where);
                    }
                    assertArrayEquals(want, r.payloadBytes(), "payload of LSN " + r.lsn() + "; " + where);
                    last = r.lsn();
                    expect++;
                }
            }
            if (last == 0) {
                last = first - 1;
            }
            assertTrue(first <= o.maxDropBound, "retention dropped LSNs at or above " + o.maxDropBound
                    + ": log starts at " + first + "; " + where);
            if (ackedMustSurvive) {
                assertTrue(last >= o.maxAcked, "acknowledged LSN " + o.maxAcked + " lost, log ends at " + last
                        + "; " + where);
            }
            long lsn = wal.append(new byte[]{42});
            assertEquals(last + 1, lsn, where);
            wal.sync();
        } catch (WalCorruptionException e) {
            throw new AssertionError("reopen after the cut found corruption; " + where, e);
        }
        try (Wal wal = Wal.open(DIR, opts)) {
            assertEquals(last + 1, wal.lastLsn(), where);
            try (WalReader r = wal.reader(last + 1)) {
                assertTrue(r.next(), where);
                assertArrayEquals(new byte[]{42}, r.payloadBytes(), where);
            }
        }
    }
}
