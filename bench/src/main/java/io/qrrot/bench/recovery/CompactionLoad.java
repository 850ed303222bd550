package io.qrrot.bench.recovery;

import io.qrrot.engine.CommandArgs;
import io.qrrot.bench.engine.NoReply;
import io.qrrot.bench.store.Keys;
import io.qrrot.engine.ReplySink;
import io.qrrot.recovery.Qrrot;
import io.qrrot.recovery.QrrotOptions;
import io.qrrot.wal.FsyncPolicy;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The measured process of {@link CompactionRssBench}: a server-like JVM (the launcher's flags) that opens a
 * data directory, runs a steady write load that allocates nothing per write, and compacts when told to.
 *
 * <p>Protocol, one line each. Stdin: {@code compact} (runs {@link Qrrot#saveSnapshot()}, the compactor's own
 * fold, on this process's main thread), {@code stop}. Stdout, every time in {@link System#nanoTime()} (the
 * monotonic clock, the same in every process of the machine):
 * <ul>
 *   <li>{@code OPENED nanos recoverySeconds keys}</li>
 *   <li>{@code STAT nanos writes maxWriteMicros heapUsed heapCommitted youngGcs oldGcs walBytesSinceSnapshot
 *       directBuffers directBufferBytes} once a second ({@code writes} is the running total, {@code maxWriteMicros} the slowest write of that
 *       second)</li>
 *   <li>{@code COMPACT_START nanos writes} and {@code COMPACT_END nanos writes keys bytes}</li>
 * </ul>
 * The once-a-second report allocates a little (MXBeans, formatting); the write loop allocates nothing.
 *
 * <p>Run only by {@link CompactionRssBench}: {@code CompactionLoad DIR KEYS RATE FSYNC}, RATE writes/s (0: as
 * fast as one thread can).
 */
public final class CompactionLoad {
    private static final byte[] SET = "SET".getBytes(StandardCharsets.US_ASCII);
    private static final int BATCH = 64;

    private final Qrrot db;
    private final long keys;
    private final long rate;
    private final AtomicBoolean stop = new AtomicBoolean();
    private volatile long writes;
    private volatile long maxWriteNanos;
    private volatile long walBytes;

    private CompactionLoad(Qrrot db, long keys, long rate) {
        this.db = db;
        this.keys = keys;
        this.rate = rate;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long keys = Long.parseLong(args[1]);
        long rate = Long.parseLong(args[2]);
        FsyncPolicy fsync = FsyncPolicy.parse(args[3]);
        // Compaction only on command, so the driver picks the moment; the fold is the background compactor's.
        QrrotOptions options = QrrotOptions.defaults().withFsync(fsync)
                .withWal(QrrotOptions.defaults().walSegmentBytes(), Long.MAX_VALUE, Long.MAX_VALUE);
        PrintStream out = System.out;
        long t0 = System.nanoTime();
        try (Qrrot db = Qrrot.open(dir, options)) {
            out.printf("OPENED %d %.2f %s%n", System.nanoTime(), (System.nanoTime() - t0) / 1e9,
                    db.info().get("keyspace").get("db0"));
            CompactionLoad load = new CompactionLoad(db, keys, rate);
            Thread writer = new Thread(load::write, "bench-writer");
            writer.start();
            Thread reporter = new Thread(() -> load.report(out), "bench-reporter");
            reporter.setDaemon(true);
            reporter.start();
            Thread walWatch = new Thread(load::watchWal, "bench-wal-bytes");
            walWatch.setDaemon(true);
            walWatch.start();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("compact")) {
                    out.printf("COMPACT_START %d %d%n", System.nanoTime(), load.writes);
                    Qrrot.SnapshotResult r = db.saveSnapshot();
                    out.printf("COMPACT_END %d %d %d %d%n", System.nanoTime(), load.writes, r.keys(), r.bytes());
                } else if (line.equals("stop")) {
                    break;
                } else {
                    throw new IllegalArgumentException("unknown command '" + line + "': compact or stop");
                }
            }
            load.stop.set(true);
            writer.join();
        }
        out.printf("CLOSED %d%n", System.nanoTime());
    }

    /** Overwrites random keys {@code key:0..keys-1} with 16-byte values at {@link #rate}, allocation-free. */
    private void write() {
        Qrrot.Session s = db.newSession();
        CommandArgs a = new CommandArgs();
        byte[] key = new byte[32];
        byte[] value = new byte[16];
        long seed = 0x9E3779B97F4A7C15L;
        long start = System.nanoTime();
        long n = 0;
        long slowest = 0;
        long slowestSince = start;
        while (!stop.get()) {
            for (int i = 0; i < BATCH; i++) {
                seed ^= seed << 13;
                seed ^= seed >>> 7;
                seed ^= seed << 17;
                int keyLength = Keys.write(key, Math.floorMod(seed, keys));
                hex(n + i, value);
                a.clear();
                a.add(SET);
                a.add(key, 0, keyLength);
                a.add(value);
                long w0 = System.nanoTime();
                s.execute(a, NO_REPLY);
                slowest = Math.max(slowest, System.nanoTime() - w0);
            }
            long w0 = System.nanoTime();
            db.endOfBatch();
            long now = System.nanoTime();
            slowest = Math.max(slowest, now - w0);
            n += BATCH;
            writes = n;
            if (now - slowestSince >= 1_000_000_000L) {
                maxWriteNanos = slowest;
                slowest = 0;
                slowestSince = now;
            }
            if (rate > 0) {
                long due = start + n * 1_000_000_000L / rate;
                if (due > now) {
                    LockSupport.parkNanos(due - now);
                }
            }
        }
    }

    private void report(PrintStream out) {
        List<GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
        long next = System.nanoTime();
        while (true) {
            next += 1_000_000_000L;
            LockSupport.parkNanos(next - System.nanoTime());
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            long young = 0;
            long old = 0;
            for (GarbageCollectorMXBean gc : gcs) {
                // ParallelGC: "PS Scavenge" (young) and "PS MarkSweep" (full); G1/Serial named likewise.
                if (gc.getName().contains("Scavenge") || gc.getName().contains("Young") || gc.getName().equals("Copy")) {
                    young += gc.getCollectionCount();
                } else {
                    old += gc.getCollectionCount();
                }
            }
            long directCount = 0;
            long directBytes = 0;
            for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
                if (pool.getName().equals("direct")) {
                    directCount = pool.getCount();
                    directBytes = pool.getMemoryUsed();
                }
            }
            out.printf("STAT %d %d %d %d %d %d %d %d %d %d%n", System.nanoTime(), writes, maxWriteNanos / 1000,
                    heap.getUsed(), heap.getCommitted(), young, old, walBytes,
                    directCount, directBytes);
        }
    }

    /**
     * Keeps {@link #walBytes} current from INFO on a thread of its own: INFO waits while a compaction runs
     * (it reads the compactor's state under the compactor's lock), and the once-a-second report must not.
     */
    private void watchWal() {
        while (true) {
            walBytes = Long.parseLong(db.info().get("persistence").get("wal_bytes_since_snapshot"));
            LockSupport.parkNanos(200_000_000L);
        }
    }

    /** Fills {@code dst} (16 bytes) with {@code v} as hex digits, so each write stores a different value. */
    static void hex(long v, byte[] dst) {
        for (int i = dst.length - 1; i >= 0; i--) {
            dst[i] = (byte) "0123456789abcdef".charAt((int) (v & 15));
            v >>>= 4;
        }
    }

    static final ReplySink NO_REPLY = new NoReply();
}
