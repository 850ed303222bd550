package io.qrrot.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * fsync and write failures injected with libfiu into a live {@code qrrot serve} process under concurrent
 * clients (SET/DEL/INCR on owned keys, MULTI/EXEC transfers, GETs checked against the model).
 *
 * <p>Each run starts the server under {@code fiu-run -x}, lets the clients work up to a seeded number of
 * acknowledged operations, turns the fault on with {@code fiu-ctrl}, and requires: the log fails (INFO's
 * {@code wal_last_status} names the operation, the file and the errno); every refused write, and a fresh
 * SET, gets exactly {@code IOERR write-ahead log failed: <wal_last_status>; writes are refused until
 * restart}; no write sent after the failure is acknowledged and the fresh SET is not applied; GETs keep
 * answering with model-consistent values on the clients' own connections and on a new one; SIGTERM stops
 * the failed server. A restart without the fault must then recover every acknowledged write, report
 * {@code wal_last_status:ok} and take writes again. Covered: fsync (EIO) with {@code always}, the
 * background fsync with {@code everysec}, pwrite with ENOSPC (a full disk), a start with fsync still
 * failing, and a broken build acknowledging before its WAL write, which the same checks must catch.
 *
 * <p>A write answered with an error has an unknown outcome: it may show on the failed server and may or
 * may not survive the restart; the runs print how often each happened.
 *
 * <p>Needs {@code fiu-run} and {@code fiu-ctrl} (Debian: fiu-utils); skipped without them. Replay with
 * {@code -Dqrrot.seed=SEED}.
 */
class LiveIoFailureTest {
    static final int CLIENTS = 4;
    static final int KEYS_PER_CLIENT = 32;
    static final int ACCOUNTS = 8;
    static final String REFUSAL_SUFFIX = "; writes are refused until restart";
    /** The exit status after SIGTERM: 0 for a clean stop, 1 for a server whose log had failed. */
    static final int CLEAN_STOP_EXIT = 0;
    static final int FAILED_LOG_STOP_EXIT = 1;

    @BeforeAll
    static void needsLibfiu() {
        assumeTrue(Fiu.available(), "fiu-run and fiu-ctrl are not on the PATH (Debian package fiu-utils): "
                + "the live I/O-failure tests are skipped");
    }

    /**
     * The WAL syncs its segments with FileChannel.force(false), which is fdatasync(2) on this JDK (fsync(2)
     * is left to directory syncs): failing fdatasync under load must fail the log cleanly.
     */
    @ParameterizedTest(name = "--fsync-thread {0}")
    @ValueSource(strings = {"loop", "writer"})
    void fsyncFailingUnderLoadRefusesWritesAndLosesNothingAcknowledged(String fsyncThread, @TempDir Path tmp)
            throws Exception {
        Run r = run(tmp, new Scenario("always", Fiu.FDATASYNC, Fiu.EIO, false, false,
                List.of("--fsync-thread", fsyncThread)));
        assertRefusedCleanly(r, "fsync", "Input/output error");
        assertRecovered(r);
    }

    /** With everysec the failing fsync is the background one; what was acknowledged was written and stays. */
    @Test
    void backgroundFsyncFailingWithEverysecRefusesWritesAndLosesNothingAcknowledged(@TempDir Path tmp) throws Exception {
        Run r = run(tmp, new Scenario("everysec", Fiu.FDATASYNC, Fiu.EIO, false, false, List.of()));
        assertRefusedCleanly(r, "fsync", "Input/output error");
        assertRecovered(r);
    }

    /** A positional FileChannel.write is pwrite64(2); ENOSPC is what a full disk answers. */
    @Test
    void writeFailingWithDiskFullUnderLoadRefusesWritesAndLosesNothingAcknowledged(@TempDir Path tmp) throws Exception {
        Run r = run(tmp, new Scenario("always", Fiu.PWRITE, Fiu.ENOSPC, false, false, List.of()));
        assertRefusedCleanly(r, "write", "No space left on device");
        assertRecovered(r);
    }

    /**
     * The checks must be able to fail: a server that acknowledges before its WAL write loses the writes of
     * the batch whose write fails, and the restart check must find them.
     */
    @Test
    void theChecksCatchAServerThatAcknowledgesBeforeTheWal(@TempDir Path tmp) throws Exception {
        Run r = run(tmp, new Scenario("always", Fiu.PWRITE, Fiu.ENOSPC, false, false, List.of("--unsafe-ack-before-wal")));
        assertFalse(r.errors.isEmpty(), "the fault never made a write fail; " + r.tag);
        assertFalse(r.restartViolations.isEmpty(),
                "acknowledged writes lost by the failed WAL write went unnoticed; " + r.tag);
    }

    // ------------------------------------------------------------------------------------------ one run

    /**
     * @param fsync          the server's --fsync policy
     * @param point          the libfiu fault point turned on under load
     * @param errno          what the failing calls set
     * @param fdatasyncDecoy first turn posix/io/sync/fdatasync on for a while: the log must not notice
     * @param faultAtStart   after the failed run, start once more with the fault on from exec: must exit
     * @param extra          more serve options
     */
    record Scenario(String fsync, String point, int errno, boolean fdatasyncDecoy, boolean faultAtStart,
                    List<String> extra) {
    }

    /** What one run saw; the tests assert on it. */
    static final class Run {
        String tag;
        Path dir;
        String status;
        long ackedBeforeFault;
        long ackedAtFailure;
        long readsChecked;
        long readsCheckedAfterFailure;
        Map<String, Long> errors;
        List<String> workerViolations;
        String refusedProbe;
        long refusedProbeExists;
        List<String> liveViolations;
        int faultyExit;
        List<String> faultyLog;
        int faultAtStartExit;
        String faultAtStartLine;
        String restartStatus;
        List<String> restartViolations;
        List<String> vanished;
        List<String> refusedVisibleLive;
        List<String> refusedAfterRestart;
        long ackedAfterRestart;
        Map<String, Long> errorsAfterRestart;
        List<String> violationsAfterRestart;
        List<String> finalViolations;
        String probeAfterRestart;
        int plainExit;
        /** Milliseconds per phase, for the log: where the run's time went. */
        final Map<String, Long> phaseMillis = new LinkedHashMap<>();
        private long phaseStart = System.nanoTime();

        void phase(String name) {
            long now = System.nanoTime();
            phaseMillis.put(name, (now - phaseStart) / 1_000_000);
            phaseStart = now;
        }
    }

    static Run run(Path tmp, Scenario s) throws Exception {
        long seed = Long.getLong("qrrot.seed", System.nanoTime());
        String point = s.point();
        List<String> extra = s.extra();
        Run r = new Run();
        r.tag = "seed=" + seed + " fsync=" + s.fsync() + " fault=" + point + " errno=" + s.errno()
                + (extra.isEmpty() ? "" : " " + extra);
        System.out.println("LiveIoFailureTest: " + r.tag);
        SplittableRandom random = new SplittableRandom(seed);
        r.dir = Files.createDirectories(tmp.resolve("data"));
        Path fifo = tmp.resolve("fiu");
        IoFailureModel model = new IoFailureModel(CLIENTS, KEYS_PER_CLIENT, ACCOUNTS);
        Map<String, String> live;

        ServerProcess faulty = Servers.qrrotUnderFiu(KillNineTest.jar(), r.dir, s.fsync(), extra, fifo);
        try {
            int port = faulty.start();
            r.phase("start under fiu-run");
            long pid = faulty.pid();
            assertTrue(Files.exists(Fiu.controlFifo(fifo, pid)),
                    "the server runs under fiu-run but libfiu's control fifo did not appear; " + r.tag);
            model.initialise(port);
            Load load = Load.start(model, port, random.nextLong());
            // The fault lands at a seeded point of the load, counted in acknowledged operations.
            load.await(model::acked, 100 + random.nextInt(400), "acknowledged operations before the fault", r.tag);
            if (s.fdatasyncDecoy()) {
                Fiu.enable(fifo, pid, Fiu.FDATASYNC, Fiu.EIO);
                load.await(model::acked, model.acked() + 100, "acknowledged operations while fdatasync fails", r.tag);
                Fiu.disable(fifo, pid, Fiu.FDATASYNC);
                assertEquals("ok", info(port).get("wal_last_status"),
                        "an fdatasync fault failed the log, so force(true) is not fsync here; " + r.tag);
            }
            r.phase("load before the fault");
            r.ackedBeforeFault = model.acked();
            Fiu.enable(fifo, pid, point, s.errno());
            r.status = awaitFailure(port, 20_000, r.tag);
            r.phase("fault until INFO shows it");
            model.logFailedBy(System.nanoTime());
            r.ackedAtFailure = model.acked();
            load.await(model::errorReplies, 100, "refused writes after the failure", r.tag);
            load.await(model::readsCheckedAfterFailure, 20, "checked GETs after the failure", r.tag);
            load.stop(r.tag);
            r.phase("load after the failure");
            r.readsChecked = model.readsChecked();
            r.readsCheckedAfterFailure = model.readsCheckedAfterFailure();
            r.errors = model.errors();
            r.workerViolations = model.violations();

            try (Jedis jedis = Clients.connect(port, 10_000)) {
                JedisDataException e = assertThrows(JedisDataException.class,
                        () -> jedis.set(IoFailureModel.PROBE_KEY, "refused"), "a write was taken after the log failed; " + r.tag);
                r.refusedProbe = e.getMessage();
                r.refusedProbeExists = jedis.exists(IoFailureModel.PROBE_KEY) ? 1 : 0;
            }
            live = model.read(port);
            r.refusedVisibleLive = model.unknownOutcomesApplied(live);
            r.liveViolations = new ArrayList<>(model.check(live));
            for (String k : model.unknownKeys(port)) {
                r.liveViolations.add("key '" + k + "' exists but no client wrote it");
            }
            r.phase("checks of the failed server");
            r.faultyExit = faulty.terminate(30_000);
            r.phase("SIGTERM of the failed server");
            r.faultyLog = logLines(faulty.log());
        } finally {
            faulty.close();
        }

        if (s.faultAtStart()) {
            ServerProcess refused = Servers.qrrotUnderFiu(KillNineTest.jar(), r.dir, s.fsync(), List.of(), fifo,
                    List.of(Fiu.enableCommand(point, s.errno())));
            long logFrom = Files.readAllLines(refused.log()).size();
            try {
                refused.start();
                throw new AssertionError("the server started although " + point + " fails; " + r.tag);
            } catch (IOException expected) {
                r.faultAtStartExit = refused.waitForExit(30_000);
            } finally {
                refused.close();
            }
            List<String> lines = Files.readAllLines(refused.log());
            r.faultAtStartLine = String.join("\n", lines.subList((int) logFrom, lines.size())).strip();
            r.phase("start with the fault on");
        }

        // The deliberately unsafe server is only run under the fault; its restart is a correct server.
        boolean unsafe = extra.contains("--unsafe-ack-before-wal");
        ServerProcess plain = Servers.qrrot(KillNineTest.jar(), r.dir, s.fsync(), unsafe ? List.of() : extra);
        try {
            int port = plain.start();
            r.phase("restart without fiu");
            r.restartStatus = info(port).get("wal_last_status");
            Map<String, String> after = model.read(port);
            r.restartViolations = new ArrayList<>(model.check(after));
            for (String k : model.unknownKeys(port)) {
                r.restartViolations.add("key '" + k + "' exists but no client wrote it");
            }
            r.vanished = model.changedUnknownOutcomes(live, after);
            r.refusedAfterRestart = model.unknownOutcomesApplied(after);
            if (!unsafe) {
                model.resolve(after);
                long ackedBefore = model.acked();
                Load load = Load.start(model, port, random.nextLong());
                load.await(model::acked, ackedBefore + 200, "acknowledged operations after the restart", r.tag);
                load.stop(r.tag);
                r.ackedAfterRestart = model.acked() - ackedBefore;
                r.errorsAfterRestart = model.errors();
                r.violationsAfterRestart = model.violations();
                r.finalViolations = model.check(model.read(port));
                try (Jedis jedis = Clients.connect(port, 10_000)) {
                    jedis.set(IoFailureModel.PROBE_KEY, "after-restart");
                    r.probeAfterRestart = jedis.get(IoFailureModel.PROBE_KEY);
                }
            }
            r.phase("checks and load after the restart");
            r.plainExit = plain.terminate(30_000);
            r.phase("SIGTERM");
        } finally {
            plain.close();
        }
        report(r);
        return r;
    }

    /** Everything the fault run must show: one clear refusal, consistent reads, nothing taken after it. */
    static void assertRefusedCleanly(Run r, String operation, String reason) {
        String tag = r.tag;
        assertTrue(r.status.startsWith(operation + " of ") && r.status.contains(r.dir.toString())
                        && r.status.endsWith(": " + reason),
                "wal_last_status must name the " + operation + ", the file under " + r.dir + " and '" + reason
                        + "', was: " + r.status + "; " + tag);
        String expected = "IOERR write-ahead log failed: " + r.status + REFUSAL_SUFFIX;
        assertFalse(r.errors.isEmpty(), "no client write was refused although the log failed; " + tag);
        assertEquals(Map.of(expected, r.errors.values().stream().mapToLong(Long::longValue).sum()), r.errors,
                "every refused write must carry the log's failure; " + tag);
        assertEquals(expected, r.refusedProbe, tag);
        assertEquals(0, r.refusedProbeExists, "a refused SET after the failure was applied in memory; " + tag);
        assertEquals(List.of(), r.workerViolations, "while the log failed; " + tag);
        assertEquals(List.of(), r.liveViolations, "reads of the failed server; " + tag);
        assertEquals(FAILED_LOG_STOP_EXIT, r.faultyExit, "the failed server's exit status after SIGTERM; " + tag);
    }

    /** The restart without the fault: everything acknowledged is there, the log is ok, writes are taken. */
    static void assertRecovered(Run r) {
        String tag = r.tag;
        assertEquals("ok", r.restartStatus, tag);
        assertEquals(List.of(), r.restartViolations, "after the restart; " + tag);
        assertEquals(Map.of(), r.errorsAfterRestart, "writes after the restart; " + tag);
        assertEquals(List.of(), r.violationsAfterRestart, "writes after the restart; " + tag);
        assertEquals(List.of(), r.finalViolations, "after the second load; " + tag);
        assertEquals("after-restart", r.probeAfterRestart, tag);
        assertEquals(CLEAN_STOP_EXIT, r.plainExit, "exit status after SIGTERM; " + tag);
    }

    static void report(Run r) {
        System.out.printf("LiveIoFailureTest: %s%n  wal_last_status: %s%n  acknowledged before the fault %d, "
                        + "by the failure %d; GETs checked %d, after the failure %d%n  error replies: %s%n  refused probe: %s%n"
                        + "  worker violations: %s%n  live violations: %s%n  exit after SIGTERM: %d%n"
                        + "  restart: wal_last_status %s, violations %s%n"
                        + "  writes answered with an error but applied: %d on the failed server, %d after the restart%n"
                        + "  unknown-outcome writes visible before the restart that changed after it: %d %s%n"
                        + "  after restart: acknowledged %d, errors %s, violations %s / %s, exit %d%n"
                        + "  server log of the fault run (without stack traces):%n    %s%n"
                        + "  start with the fault on: exit %d, said: %s%n  phases (ms): %s%n",
                r.tag, r.status, r.ackedBeforeFault, r.ackedAtFailure, r.readsChecked, r.readsCheckedAfterFailure, r.errors, r.refusedProbe,
                r.workerViolations, r.liveViolations, r.faultyExit, r.restartStatus, r.restartViolations,
                r.refusedVisibleLive.size(), r.refusedAfterRestart.size(),
                r.vanished.size(), r.vanished.subList(0, Math.min(5, r.vanished.size())), r.ackedAfterRestart,
                r.errorsAfterRestart, r.violationsAfterRestart, r.finalViolations, r.plainExit,
                String.join(String.format("%n    "), r.faultyLog), r.faultAtStartExit, r.faultAtStartLine, r.phaseMillis);
    }

    /** The server's output without stack trace lines. */
    static List<String> logLines(Path log) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            String t = line.strip();
            if (!t.startsWith("at ") && !t.startsWith("... ") && !t.isEmpty()) {
                out.add(line);
            }
        }
        return out;
    }

    /** Polls INFO until the log reports a failure; returns {@code wal_last_status}. */
    static String awaitFailure(int port, long timeoutMillis, String tag) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            String status = info(port).get("wal_last_status");
            if (status != null && !status.equals("ok")) {
                return status;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the fault was enabled but the write-ahead log still reports '" + status
                        + "' after " + timeoutMillis + " ms: the fault never fired; " + tag);
            }
            Thread.sleep(20);
        }
    }

    /** INFO persistence as a map. */
    static Map<String, String> info(int port) {
        Map<String, String> m = new LinkedHashMap<>();
        try (Jedis jedis = Clients.connect(port, 10_000)) {
            for (String line : jedis.info("persistence").split("\r?\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && !line.startsWith("#")) {
                    m.put(line.substring(0, colon), line.substring(colon + 1));
                }
            }
        }
        return m;
    }

    /** The worker threads of one load phase. */
    static final class Load {
        final IoFailureModel model;
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Thread> threads = new ArrayList<>();

        private Load(IoFailureModel model) {
            this.model = model;
        }

        static Load start(IoFailureModel model, int port, long seed) {
            Load l = new Load(model);
            SplittableRandom seeds = new SplittableRandom(seed);
            for (int c = 0; c < model.clients; c++) {
                Thread t = new Thread(new IoFailureWorker(model, c, port, seeds.nextLong(), l.stop), "io-client-" + c);
                t.start();
                l.threads.add(t);
            }
            return l;
        }

        /**
         * Waits until {@code counter} reaches {@code target}: the point of the load is counted in operations,
         * not time. Fails when every worker has quit (a dropped connection or a reply timeout) or when the
         * count stalls for a minute.
         */
        void await(LongSupplier counter, long target, String what, String tag) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 60_000;
            while (counter.getAsLong() < target) {
                if (threads.stream().noneMatch(Thread::isAlive)) {
                    throw new AssertionError("every client quit before " + target + " " + what + " (got "
                            + counter.getAsLong() + "): " + model.violations() + "; " + tag);
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("waited 60 s for " + target + " " + what + ", got "
                            + counter.getAsLong() + ": the server stopped answering; " + model.violations() + "; " + tag);
                }
                Thread.sleep(5);
            }
        }

        void stop(String tag) throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(IoFailureWorker.REPLY_TIMEOUT_MILLIS + 10_000);
                if (t.isAlive()) {
                    throw new AssertionError(t.getName() + " is still waiting for a reply; " + tag);
                }
            }
        }
    }
}
