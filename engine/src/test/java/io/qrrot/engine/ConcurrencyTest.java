package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Several threads hammer overlapping keys: INCR counters, MULTI transfers and WATCH-based optimistic
 * transfers between accounts, plain SET/DEL noise, and readers that check the accounts' sum in one atomic
 * MGET. Counters and the sum must come out exact, and replaying the log must rebuild the same state.
 */
class ConcurrencyTest {
    static final int THREADS = 4;
    static final int OPS = 20_000;
    static final int ACCOUNTS = 8;
    static final long START = 1000;

    @Test
    void invariantsHoldUnderContention() throws Exception {
        long seed = Long.getLong("qrrot.seed", System.nanoTime());
        try (Harness h = new Harness(EngineConfig.defaults().withShards(4), 1_700_000_000_000L)) {
            for (int i = 0; i < ACCOUNTS; i++) {
                h.call("SET", "acct" + i, Long.toString(START));
            }
            AtomicLong incrs = new AtomicLong();
            AtomicLong watchedCommits = new AtomicLong();
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final Random r = new Random(seed + t);
                Thread th = new Thread(() -> {
                    Session s = h.engine.newSession();
                    TreeSink sink = new TreeSink();
                    try {
                        go.await();
                        for (int i = 0; i < OPS; i++) {
                            int kind = r.nextInt(10);
                            if (kind < 3) {
                                call(h, s, sink, "INCR", "counter" + r.nextInt(3));
                                incrs.incrementAndGet();
                            } else if (kind < 5) {
                                transfer(h, s, sink, r);
                            } else if (kind < 7) {
                                if (watchedTransfer(h, s, sink, r)) {
                                    watchedCommits.incrementAndGet();
                                }
                            } else if (kind < 8) {
                                long sum = sumOfAccounts(h, s, sink);
                                if (sum != ACCOUNTS * START) {
                                    problems.add("an atomic MGET saw the accounts sum to " + sum);
                                }
                            } else if (kind < 9) {
                                call(h, s, sink, "SET", "noise" + r.nextInt(5), "v" + i);
                            } else {
                                call(h, s, sink, "DEL", "noise" + r.nextInt(5), "counter-missing");
                            }
                        }
                    } catch (Throwable e) {
                        problems.add(e.toString());
                    } finally {
                        s.close();
                    }
                });
                threads.add(th);
                th.start();
            }
            go.countDown();
            for (Thread th : threads) {
                th.join();
            }
            assertTrue(problems.isEmpty(), "seed=" + seed + " " + problems);
            long counters = 0;
            for (int i = 0; i < 3; i++) {
                Object v = h.call("GET", "counter" + i);
                counters += v == null ? 0 : Long.parseLong((String) v);
            }
            assertEquals(incrs.get(), counters, "seed=" + seed + " INCRs lost or doubled");
            assertEquals(ACCOUNTS * START, sumOfAccounts(h, h.session, h.sink), "seed=" + seed + " money created or lost");
            assertTrue(watchedCommits.get() > 0, "seed=" + seed + " no WATCHed transaction ever committed");
            try (Engine replayed = h.replay(1)) {
                assertEquals(Harness.dump(h.engine), Harness.dump(replayed), "seed=" + seed + " replayed state");
            }
        }
    }

    static Object call(Harness h, Session s, TreeSink sink, String... args) {
        CommandArgs a = new CommandArgs();
        for (String x : args) {
            a.add(x.getBytes(StandardCharsets.UTF_8));
        }
        h.engine.execute(s, a, sink, h.log);
        return sink.take();
    }

    private static void transfer(Harness h, Session s, TreeSink sink, Random r) {
        int from = r.nextInt(ACCOUNTS);
        int to = r.nextInt(ACCOUNTS);
        String n = Integer.toString(r.nextInt(50));
        call(h, s, sink, "MULTI");
        call(h, s, sink, "DECRBY", "acct" + from, n);
        call(h, s, sink, "INCRBY", "acct" + to, n);
        Object res = call(h, s, sink, "EXEC");
        if (!(res instanceof List) || ((List<?>) res).size() != 2) {
            throw new AssertionError("EXEC of a transfer replied " + res);
        }
    }

    /** Read both balances, then write both only if neither changed meanwhile (WATCH). */
    private static boolean watchedTransfer(Harness h, Session s, TreeSink sink, Random r) {
        String from = "acct" + r.nextInt(ACCOUNTS);
        String to = "acct" + r.nextInt(ACCOUNTS);
        if (from.equals(to)) {
            return false;
        }
        call(h, s, sink, "WATCH", from, to);
        long a = Long.parseLong((String) call(h, s, sink, "GET", from));
        long b = Long.parseLong((String) call(h, s, sink, "GET", to));
        long n = r.nextInt(50);
        call(h, s, sink, "MULTI");
        call(h, s, sink, "SET", from, Long.toString(a - n));
        call(h, s, sink, "SET", to, Long.toString(b + n));
        Object res = call(h, s, sink, "EXEC");
        return res instanceof List;
    }

    private static long sumOfAccounts(Harness h, Session s, TreeSink sink) {
        String[] args = new String[ACCOUNTS + 1];
        args[0] = "MGET";
        for (int i = 0; i < ACCOUNTS; i++) {
            args[i + 1] = "acct" + i;
        }
        List<?> vals = (List<?>) call(h, s, sink, args);
        long sum = 0;
        for (Object v : vals) {
            sum += Long.parseLong((String) v);
        }
        return sum;
    }
}
