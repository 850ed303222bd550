package io.qrrot.crash;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import redis.clients.jedis.Jedis;

/**
 * The kill -9 loop: start the server, check it against the history, let several clients write for a random
 * while, SIGKILL it mid-work (every fourth time SIGTERM it, which must exit 0 within
 * {@link #GRACEFUL_STOP_LIMIT_MILLIS}), and again. A final start checks the last crash and stops the server
 * cleanly.
 */
public final class CrashLoop {
    static final String PROBE_KEY = "probe";
    /** How long a SIGTERM may take: the WAL is synced and a running compaction given up, whatever its size. */
    static final long GRACEFUL_STOP_LIMIT_MILLIS = 20_000;

    /**
     * @param cycles        kills
     * @param clients       concurrent client connections
     * @param keysPerClient owned keys per client (reused: overwritten, expired and deleted again and again)
     * @param counters      shared INCR counters
     * @param accounts      accounts for MULTI/EXEC transfers
     * @param minRunMillis  shortest time the clients write before a kill
     * @param maxRunMillis  longest time
     * @param seed          everything random derives from it
     */
    public record Config(int cycles, int clients, int keysPerClient, int counters, int accounts,
                         long minRunMillis, long maxRunMillis, long seed) {
    }

    /** What a run found. {@code lost} counts every violation of the rules in {@link Checker}. */
    public record Report(String server, long seed, int cycles, long opsSent, long opsAcked, long keysVerified,
                         long lost, List<String> violations, List<Long> recoveryMillis) {
        public long recoveryPercentile(double q) {
            if (recoveryMillis.isEmpty()) {
                return 0;
            }
            List<Long> sorted = new ArrayList<>(recoveryMillis);
            Collections.sort(sorted);
            return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(q * sorted.size())));
        }

        public String summary() {
            return String.format("%s: seed=%d cycles=%d ops sent=%d acknowledged=%d keys verified=%d lost=%d "
                            + "recovery ms p50=%d p99=%d max=%d%s", server, seed, cycles, opsSent, opsAcked,
                    keysVerified, lost, recoveryPercentile(0.5), recoveryPercentile(0.99), recoveryPercentile(1.0),
                    violations.isEmpty() ? "" : "\nfirst violations:\n  " + String.join("\n  ",
                            violations.subList(0, Math.min(20, violations.size()))));
        }
    }

    private CrashLoop() {
    }

    public static Report run(ServerUnderTest server, Config cfg, PrintStream log) throws Exception {
        SplittableRandom random = new SplittableRandom(cfg.seed());
        History history = new History(cfg.clients(), cfg.keysPerClient(), cfg.counters(), cfg.accounts());
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        List<Long> recovery = new ArrayList<>();
        long verified = 0;
        long lost = 0;
        for (int cycle = 0; cycle <= cfg.cycles(); cycle++) {
            int port = server.start();
            if (cycle > 0) {
                recovery.add(server.lastStartMillis());
            }
            if (cycle == 0) {
                initialise(history, port);
            } else {
                Checker.Result r = Checker.check(history, port);
                verified += r.keysVerified();
                lost += r.violations().size();
                for (String v : r.violations()) {
                    violations.add("after kill " + cycle + ": " + v);
                }
            }
            probeWrite(port, violations, cycle);
            if (cycle == cfg.cycles()) {
                server.close();
                break;
            }
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            int violationsBefore = violations.size();
            for (int c = 0; c < cfg.clients(); c++) {
                Thread t = new Thread(new ClientWorker(history, c, port, random.nextLong(), stop, violations),
                        "crash-client-" + c);
                t.start();
                threads.add(t);
            }
            long runMillis = cfg.minRunMillis() + random.nextLong(Math.max(1, cfg.maxRunMillis() - cfg.minRunMillis()));
            Thread.sleep(runMillis);
            // Every fourth cycle a SIGTERM instead: it gives up a running compaction (its spilled runs and
            // temp snapshot deleted), and must still exit cleanly and promptly with nothing lost.
            boolean graceful = cycle % 4 == 3;
            if (graceful) {
                long t0 = System.nanoTime();
                int exit = server.terminate(GRACEFUL_STOP_LIMIT_MILLIS);
                if (exit != 0) {
                    violations.add("stop " + (cycle + 1) + ": SIGTERM exited with " + exit + " after "
                            + (System.nanoTime() - t0) / 1_000_000 + " ms, not 0");
                }
            } else {
                server.kill();
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join(60_000);
                if (t.isAlive()) {
                    throw new IllegalStateException(t.getName() + " did not stop after the kill");
                }
            }
            lost += violations.size() - violationsBefore;
            if (log != null && (cycle % 10 == 0 || cycle == cfg.cycles() - 1)) {
                log.printf("%s: %s %d/%d after %d ms, %d ops acknowledged so far, %d violations%n",
                        server.describe(), graceful ? "SIGTERM" : "kill", cycle + 1, cfg.cycles(), runMillis,
                        history.opsAcked(), lost);
            }
        }
        return new Report(server.describe(), cfg.seed(), cfg.cycles(), history.opsSent(), history.opsAcked(),
                verified, lost, List.copyOf(violations), recovery);
    }

    private static void initialise(History history, int port) {
        try (Jedis jedis = Clients.connect(port, 10_000)) {
            for (int j = 0; j < history.accounts; j++) {
                jedis.set(History.accountKey(j), Long.toString(History.ACCOUNT_START));
            }
        }
    }

    /** The server must take writes again after every recovery. */
    private static void probeWrite(int port, List<String> violations, int cycle) {
        try (Jedis jedis = Clients.connect(port, 10_000)) {
            String v = "after-" + cycle;
            String ok = jedis.set(PROBE_KEY, v);
            String back = jedis.get(PROBE_KEY);
            if (!"OK".equals(ok) || !v.equals(back)) {
                violations.add("cycle " + cycle + ": the recovered server did not take a write: SET answered " + ok
                        + ", GET answered " + back);
            }
        }
    }
}
