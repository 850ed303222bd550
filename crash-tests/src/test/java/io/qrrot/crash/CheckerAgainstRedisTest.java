package io.qrrot.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness and its checker on a server whose durability is known: Redis with an fsynced append-only file
 * loses nothing acknowledged across kill -9, and Redis without one loses everything — which the checker
 * must report. A checker that cannot fail proves nothing.
 */
@Tag("integration")
class CheckerAgainstRedisTest {
    static boolean redisInstalled() {
        return Files.isExecutable(Path.of("/usr/bin/redis-server"));
    }

    @Test
    void redisWithAppendfsyncAlwaysLosesNothing(@TempDir Path tmp) throws Exception {
        assumeTrue(redisInstalled(), "redis-server is not installed (.ci/run installs it)");
        Path dir = Files.createDirectories(tmp.resolve("redis"));
        long seed = Long.getLong("qrrot.seed", System.nanoTime());
        CrashLoop.Report report;
        try (ServerProcess redis = Servers.redis(dir, "always", true)) {
            report = CrashLoop.run(redis, new CrashLoop.Config(4, 4, 32, 4, 8, 150, 500, seed), System.out);
        }
        System.out.println(report.summary());
        assertEquals(0, report.lost(), report.summary());
        assertTrue(report.opsAcked() > 100, "the workload hardly ran: " + report.summary());
    }

    @Test
    void checkerCatchesAServerThatKeepsNothing(@TempDir Path tmp) throws Exception {
        assumeTrue(redisInstalled(), "redis-server is not installed (.ci/run installs it)");
        Path dir = Files.createDirectories(tmp.resolve("redis"));
        long seed = Long.getLong("qrrot.seed", System.nanoTime());
        CrashLoop.Report report;
        try (ServerProcess redis = Servers.redis(dir, "always", false)) {
            report = CrashLoop.run(redis, new CrashLoop.Config(2, 4, 32, 4, 8, 150, 400, seed), System.out);
        }
        System.out.println(report.summary());
        assertTrue(report.lost() > 0, "the checker missed lost writes: " + report.summary());
        assertTrue(report.violations().stream().anyMatch(v -> v.contains("accounts total 0 != 8000")),
                report.summary());
    }
}
