package io.qrrot.bench.store;

import io.qrrot.engine.store.EntryType;
import io.qrrot.engine.store.Keyspace;
import io.qrrot.engine.store.KeyspaceConfig;
import io.qrrot.engine.store.Shard;
import io.qrrot.engine.store.StoreStats;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Loads {@code key:0 .. key:<n-1>} with 16-byte values into a fresh keyspace and prints the bytes per key
 * all-in (off-heap allocated bytes + index table bytes) and the slowest single put (which includes any
 * index rehash), by the wall clock and by this thread's CPU time. Run: {@code java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -cp
 * bench/target/benchmarks.jar io.qrrot.bench.store.StoreFootprint [keys] [shards] [presize:true|false]}.
 */
public final class StoreFootprint {
    private StoreFootprint() {
    }

    private static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    }

    /**
     * Random finds and overwrites, timed both by the wall clock and by this thread's CPU time: on a shared
     * machine the CPU time per operation is the steadier figure.
     */
    private static void measureRandomOps(Keyspace keyspace, long keys, byte[] keyBytes, UnsafeBuffer key,
                                         UnsafeBuffer value) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        io.qrrot.engine.store.EntryView view = new io.qrrot.engine.store.EntryView();
        int ops = 5_000_000;
        for (int round = 0; round < 3; round++) {
            for (int mode = 0; mode < 2; mode++) {
                long x = 0x9E3779B97F4A7C15L + round;
                long sink = 0;
                long cpu0 = threads.getCurrentThreadCpuTime();
                long wall0 = System.nanoTime();
                for (int i = 0; i < ops; i++) {
                    x ^= x << 13;
                    x ^= x >>> 7;
                    x ^= x << 17;
                    int length = Keys.write(keyBytes, (x >>> 1) % keys);
                    long hash = keyspace.hash(keyBytes, 0, length);
                    Shard shard = keyspace.shardFor(hash);
                    shard.lock();
                    try {
                        if (mode == 0) {
                            if (shard.find(key, 0, length, hash, view)) {
                                sink += view.value().getLong(0);
                            }
                        } else {
                            shard.put(key, 0, length, hash, EntryType.STRING, 0, value, 0, 16);
                        }
                    } finally {
                        shard.unlock();
                    }
                }
                long cpu = threads.getCurrentThreadCpuTime() - cpu0;
                long wall = System.nanoTime() - wall0;
                System.out.printf("round %d random %s: %.0f ns/op CPU time, %.0f ns/op wall clock (%d)%n", round,
                        mode == 0 ? "find" : "put ", (double) cpu / ops, (double) wall / ops, sink & 1);
            }
        }
    }

    public static void main(String[] args) {
        long keys = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        int shards = args.length > 1 ? Integer.parseInt(args[1]) : KeyspaceConfig.DEFAULT_SHARDS;
        boolean presize = args.length > 2 && Boolean.parseBoolean(args[2]);
        KeyspaceConfig config = KeyspaceConfig.defaults().withShards(shards).withExpectedKeys(presize ? keys : 0);
        byte[] keyBytes = new byte[32];
        UnsafeBuffer key = new UnsafeBuffer(keyBytes);
        UnsafeBuffer value = new UnsafeBuffer(new byte[16]);
        value.setMemory(0, 16, (byte) 'v');
        long worst = 0;
        long worstAt = -1;
        long worstResize = 0;
        int resizes = 0;
        long[] resizeNanos = new long[1 << 16];
        long over1ms = 0;
        long worstCpu = 0;
        long[] resizeCpuNanos = new long[1 << 16];
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        StoreStats before = new StoreStats();
        StoreStats after = new StoreStats();
        long start = System.nanoTime();
        try (Keyspace keyspace = new Keyspace(config)) {
            for (long i = 0; i < keys; i++) {
                int length = Keys.write(keyBytes, i);
                long hash = keyspace.hash(keyBytes, 0, length);
                Shard shard = keyspace.shardFor(hash);
                long took;
                long tookCpu;
                shard.lock();
                try {
                    shard.addStatsTo(before.reset());
                    long c0 = threads.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    shard.put(key, 0, length, hash, EntryType.STRING, 0, value, 0, 16);
                    took = System.nanoTime() - t0;
                    tookCpu = threads.getCurrentThreadCpuTime() - c0;
                    shard.addStatsTo(after.reset());
                } finally {
                    shard.unlock();
                }
                worstCpu = Math.max(worstCpu, tookCpu);
                if (after.indexBytes() != before.indexBytes()) {
                    if (resizes < resizeNanos.length) {
                        resizeNanos[resizes] = took;
                        resizeCpuNanos[resizes] = tookCpu;
                    }
                    resizes++;
                    worstResize = Math.max(worstResize, took);
                }
                if (took > worst) {
                    worst = took;
                    worstAt = i;
                }
                if (took > 1_000_000) {
                    over1ms++;
                }
            }
            long elapsed = System.nanoTime() - start;
            StoreStats s = keyspace.stats(new StoreStats());
            System.out.printf("config: %s%n", config);
            System.out.printf("keys: %d in %.1f s (%.0f ns/put incl. timing)%n", s.entries(), elapsed / 1e9,
                    (double) elapsed / keys);
            System.out.printf("off-heap allocated: %d B, blocks in use: %d B, live entry bytes: %d B%n",
                    s.allocatedBytes(), s.blockBytes(), s.liveBytes());
            System.out.printf("index tables: %d B%n", s.indexBytes());
            System.out.printf("bytes per key all-in (allocated + index): %.1f%n", (double) s.totalBytes() / s.entries());
            System.out.printf("  of which off-heap: %.1f, index: %.1f, live entry bytes: %.1f%n",
                    (double) s.allocatedBytes() / s.entries(), (double) s.indexBytes() / s.entries(),
                    (double) s.liveBytes() / s.entries());
            System.out.printf("worst single put: %.3f ms (put #%d); puts over 1 ms: %d%n", worst / 1e6, worstAt, over1ms);
            long[] sorted = java.util.Arrays.copyOf(resizeNanos, Math.min(resizes, resizeNanos.length));
            java.util.Arrays.sort(sorted);
            System.out.printf("index resizes: %d; put that resized a shard index: median %.3f ms, p99 %.3f ms, max %.3f ms%n",
                    resizes, percentile(sorted, 0.5) / 1e6, percentile(sorted, 0.99) / 1e6, worstResize / 1e6);
            long[] sortedCpu = java.util.Arrays.copyOf(resizeCpuNanos, Math.min(resizes, resizeCpuNanos.length));
            java.util.Arrays.sort(sortedCpu);
            System.out.printf("thread CPU time (excludes waiting for a core and GC threads): worst put %.3f ms;"
                    + " resizing puts median %.3f ms, p99 %.3f ms, max %.3f ms%n", worstCpu / 1e6,
                    percentile(sortedCpu, 0.5) / 1e6, percentile(sortedCpu, 0.99) / 1e6,
                    sortedCpu.length == 0 ? 0 : sortedCpu[sortedCpu.length - 1] / 1e6);
            measureRandomOps(keyspace, keys, keyBytes, key, value);
            for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                System.out.printf("gc %s: %d collections, %d ms%n", gc.getName(), gc.getCollectionCount(), gc.getCollectionTime());
            }
        }
    }
}
