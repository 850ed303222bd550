package io.qrrot.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 of the real {@code qrrot serve} process, again and again, under concurrent clients (owned keys
 * with SET/DEL/absolute expiries, shared INCR counters, MULTI/EXEC transfers, hashes, sets, leaderboards, and
 * queues: RPUSH, LPOP, BLMOVE to a processing list and LREM from it), with small WAL segments and a small
 * compaction threshold so kills land in segment rolls, compaction and snapshot install too. What is checked
 * after each restart is in {@link Checker}.
 *
 * <p>Default: a few dozen kills in all. {@code -Pcrash-long} ({@code -Dqrrot.crash.long=true}): 1,000 kills
 * (500 per fsync policy). Replay with {@code -Dqrrot.seed=SEED}.
 */
class KillNineTest {
    static final boolean LONG = Boolean.getBoolean("qrrot.crash.long");

    static Path jar() {
        Path jar = Path.of(System.getProperty("qrrot.jar", "../cli/target/qrrot.jar")).toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(jar), "the qrrot jar is built by the cli module first: " + jar);
        return jar;
    }

    static CrashLoop.Report run(Path tmp, String fsync, int cycles, List<String> extra) throws Exception {
        long seed = Long.getLong("qrrot.seed", System.nanoTime());
        Path dir = Files.createDirectories(tmp.resolve("data-" + fsync));
        CrashLoop.Report report;
        try (ServerProcess server = Servers.qrrot(jar(), dir, fsync, extra)) {
            report = CrashLoop.run(server, new CrashLoop.Config(cycles, 4, 32, 4, 8, 100, 700, seed), System.out);
        }
        System.out.println(report.summary());
        return report;
    }

    /** Both ways of fsyncing a batch: on the event loop that read it, and on the WAL's writer thread. */
    @ParameterizedTest(name = "--fsync-thread {0}")
    @ValueSource(strings = {"loop", "writer"})
    void fsyncAlwaysLosesNothingAcknowledged(String fsyncThread, @TempDir Path tmp) throws Exception {
        CrashLoop.Report r = run(tmp, "always", LONG ? 500 : 12, List.of("--fsync-thread", fsyncThread));
        assertEquals(0, r.lost(), r.summary());
        assertTrue(r.opsAcked() > 100, "the workload hardly ran: " + r.summary());
    }

    @Test
    void fsyncEverysecLosesNothingAcknowledgedOnAProcessKill(@TempDir Path tmp) throws Exception {
        CrashLoop.Report r = run(tmp, "everysec", LONG ? 500 : 12, List.of());
        assertEquals(0, r.lost(), r.summary());
        assertTrue(r.opsAcked() > 100, "the workload hardly ran: " + r.summary());
    }

    /** A checker that cannot fail proves nothing: a server that replies before its WAL write must be caught. */
    @Test
    void theCheckerCatchesAServerThatAcknowledgesBeforeTheWal(@TempDir Path tmp) throws Exception {
        CrashLoop.Report r = run(tmp, "always", 8, List.of("--unsafe-ack-before-wal"));
        assertTrue(r.lost() > 0, "acknowledged-but-unwritten writes went unnoticed: " + r.summary());
    }
}
