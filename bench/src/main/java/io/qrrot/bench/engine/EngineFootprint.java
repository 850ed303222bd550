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
            s.close();
        }
    }
}
