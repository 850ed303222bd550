package io.qrrot.bench.engine;

import io.qrrot.engine.Clock;
import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.EffectLog;
import io.qrrot.engine.Engine;
import io.qrrot.engine.EngineConfig;
import io.qrrot.engine.EngineStats;
import io.qrrot.engine.Session;

/**
 * Loads {@code key:0 .. key:<n-1>} with 16-byte values through {@code SET} commands and prints the memory per
 * key (off-heap allocated + index tables, from {@link Engine#stats()}) and the Java heap in use. Run:
 * {@code java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * io.qrrot.bench.engine.EngineFootprint [keys] [shards]}.
 */
public final class EngineFootprint {
    private EngineFootprint() {
    }

    /**
     * Random GET, SET (16-byte values) and INCR through {@code execute}, timed by this thread's CPU time and
     * by the wall clock: on a shared machine the CPU time per command is the steadier figure. INCR runs on
     * extra integer keys {@code key:<keys> ..}, up to a million of them.
     */
    private static void measureCommands(Engine engine, Session s, long keys) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        CommandArgs a = new CommandArgs();
        NoReply r = new NoReply();
        long ints = Math.min(keys, 1_000_000);
        for (long i = 0; i < ints; i++) {
            a.clear();
            a.add(BenchKeys.SET);
            BenchKeys.addKey(a, keys + i);
            a.add(new byte[] {'1'});
            engine.execute(s, a, r, EffectLog.NONE);
        }
        EffectLog log = (buf, off, len) -> len;
        int ops = 3_000_000;
        String[] names = {"GET ", "SET ", "INCR"};
        for (int round = 0; round < 3; round++) {
            for (int mode = 0; mode < 3; mode++) {
                long x = 0x9E3779B97F4A7C15L + round;
                long cpu0 = threads.getCurrentThreadCpuTime();
                long wall0 = System.nanoTime();
                for (int i = 0; i < ops; i++) {
                    x ^= x << 13;
                    x ^= x >>> 7;
                    x ^= x << 17;
                    long n = x >>> 1;
                    a.clear();
                    if (mode == 0) {
                        a.add(BenchKeys.GET);
                        BenchKeys.addKey(a, n % keys);
                    } else if (mode == 1) {
                        a.add(BenchKeys.SET);
                        BenchKeys.addKey(a, n % keys);
                        BenchKeys.addValue(a, x);
                    } else {
                        a.add(BenchKeys.INCR);
                        BenchKeys.addKey(a, keys + n % ints);
                    }
                    engine.execute(s, a, r, log);
                }
                long cpu = threads.getCurrentThreadCpuTime() - cpu0;
                long wall = System.nanoTime() - wall0;
                System.out.printf("round %d random %s: %.0f ns/op CPU time, %.0f ns/op wall clock (%d)%n", round,
                        names[mode], (double) cpu / ops, (double) wall / ops, r.sum & 1);
            }
        }
    }

    public static void main(String[] argv) {
        long keys = argv.length > 0 ? Long.parseLong(argv[0]) : 10_000_000L;
        int shards = argv.length > 1 ? Integer.parseInt(argv[1]) : 256;
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long heapBefore = rt.totalMemory() - rt.freeMemory();
        try (Engine engine = new Engine(EngineConfig.defaults().withShards(shards).withExpectedKeys(keys), Clock.SYSTEM)) {
            Session s = engine.newSession();
            CommandArgs a = new CommandArgs();
            NoReply r = new NoReply();
            long t0 = System.nanoTime();
            for (long i = 0; i < keys; i++) {
                a.clear();
                a.add(BenchKeys.SET);
                BenchKeys.addKey(a, i);
                BenchKeys.addValue(a, i);
                engine.execute(s, a, r, EffectLog.NONE);
            }
            long took = System.nanoTime() - t0;
            System.gc();
            long heapAfter = rt.totalMemory() - rt.freeMemory();
            EngineStats st = engine.stats();
            System.out.printf("keys: %d loaded with SET in %.1f s (%.0f ns per SET)%n", st.keys(), took / 1e9,
                    (double) took / keys);
            System.out.printf("off-heap allocated: %d B (%.1f B/key), live entry bytes %.1f B/key%n",
                    st.allocatedBytes(), (double) st.allocatedBytes() / keys, (double) st.liveBytes() / keys);
            System.out.printf("index tables: %d B (%.1f B/key)%n", st.indexBytes(), (double) st.indexBytes() / keys);
            System.out.printf("bytes per key all-in (allocated + index): %.1f%n",
                    (double) (st.allocatedBytes() + st.indexBytes()) / keys);
            System.out.printf("Java heap growth after load (includes the index tables): %.1f MiB%n",
                    (heapAfter - heapBefore) / 1048576.0);
            measureCommands(engine, s, keys);
            s.close();
        }
    }
}
