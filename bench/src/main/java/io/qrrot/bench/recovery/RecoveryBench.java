package io.qrrot.bench.recovery;

import io.qrrot.engine.CommandArgs;
import io.qrrot.bench.engine.NoReply;
import io.qrrot.engine.ReplySink;
import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.Qrrot;
import io.qrrot.recovery.QrrotOptions;
import io.qrrot.recovery.snapshot.SnapshotReader;
import io.qrrot.recovery.snapshot.SnapshotWriter;
import io.qrrot.storage.FileStorage;
import io.qrrot.wal.FsyncPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Restart and compaction figures for the durable database with N keys {@code key:0..key:N-1} of 16-byte
 * values (default 10M):
 * <ol>
 *   <li>load N keys through the WAL (fsync no), then snapshot: write time and file size;</li>
 *   <li>restart from the snapshot only;</li>
 *   <li>1M more writes, restart from snapshot + 1M WAL records;</li>
 *   <li>a second directory written with N keys and no snapshot, restart from the WAL only;</li>
 *   <li>RSS growth while a compaction runs under a steady write load.</li>
 * </ol>
 * Run: {@code java -Xmx4g --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -cp bench/target/benchmarks.jar
 * io.qrrot.bench.recovery.RecoveryBench [keys] [dir]}; {@code … RecoveryBench restart DIR} times one restart.
 * For restart measurements in fresh JVMs: {@code prepare KEYS DIR [WALKEYS]} (KEYS through the WAL, SAVE, then
 * WALKEYS more left in the WAL; WALKEYS -1: no snapshot at all), {@code append DIR FROM COUNT} (more keys into
 * the WAL), {@code fileorder SRC DST [bykey]} (a copy whose snapshot is in file order, as older releases
 * wrote; {@code bykey}: sorted by key bytes, an order unrelated to the hash) and
 * {@code warm ROUNDS DIR[@THREADS]...} (repeated restarts in one JVM, wall and CPU time).
 */
public final class RecoveryBench {
    private static final byte[] VALUE = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("restart")) {
            // Only the restart of an existing data directory (e.g. to compare JVM flags).
            restart("restart", Path.of(args[1]), QrrotOptions.defaults().withFsync(FsyncPolicy.NO), -1);
            return;
        }
        if (args.length >= 3 && args[0].equals("warm")) {
            // Warm restarts in one JVM, alternating directories and load thread counts: CPU and wall per restart.
            warm(Integer.parseInt(args[1]), java.util.Arrays.copyOfRange(args, 2, args.length));
            return;
        }
        if (args.length == 4 && args[0].equals("append")) {
            // COUNT more keys from key:FROM on, left in the WAL of an existing directory.
            try (Qrrot db = Qrrot.open(Path.of(args[1]), QrrotOptions.defaults().withFsync(FsyncPolicy.NO)
                    .withWal(64L << 20, Long.MAX_VALUE, Long.MAX_VALUE))) {
                fill(db, Long.parseLong(args[2]), Long.parseLong(args[3]));
            }
            return;
        }
        if (args.length >= 3 && args[0].equals("fileorder")) {
            // A copy of a data directory whose snapshot is in file order (no hash-order flag), records in the
            // same order: what older releases wrote and read, to compare with them and with the serial path.
            fileOrderCopy(Path.of(args[1]), Path.of(args[2]), args.length > 3 && args[3].equals("bykey"));
            return;
        }
        if (args.length >= 3 && args[0].equals("prepare")) {
            // A data directory to time restarts of: N keys, a snapshot, then M more keys left in the WAL.
            prepare(Long.parseLong(args[1]), Path.of(args[2]), args.length > 3 ? Long.parseLong(args[3]) : 0);
            return;
        }
        long keys = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        Path root = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("qrrot-recovery-bench");
        Path snapDir = root.resolve("snap");
        Path walDir = root.resolve("walonly");
        delete(snapDir);
        delete(walDir);
        QrrotOptions base = QrrotOptions.defaults().withFsync(FsyncPolicy.NO)
                .withWal(64L << 20, Long.MAX_VALUE, Long.MAX_VALUE);
        System.out.printf("keys=%d dir=%s%n", keys, root);

        try (Qrrot db = Qrrot.open(snapDir, base)) {
            long t = System.nanoTime();
            fill(db, 0, keys);
            System.out.printf("load %d keys through the WAL: %.2f s%n", keys, secs(t));
            t = System.nanoTime();
            Qrrot.SnapshotResult r = db.saveSnapshot();
            System.out.printf("snapshot write: %.2f s, %d bytes (%.1f B/key)%n", secs(t), r.bytes(),
                    r.bytes() / (double) keys);
        }
        restart("restart from snapshot only", snapDir, base, keys);

        try (Qrrot db = Qrrot.open(snapDir, base)) {
            fill(db, keys, 1_000_000);
        }
        restart("restart from snapshot + 1M WAL records", snapDir, base, keys + 1_000_000);

        try (Qrrot db = Qrrot.open(walDir, base)) {
            fill(db, 0, keys);
        }
        restart("restart from the WAL only", walDir, base, keys);
        delete(walDir);

        compactionRss(snapDir, base);
        delete(snapDir);
    }

    private static void warm(int rounds, String[] specs) throws IOException {
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        QrrotOptions o = QrrotOptions.defaults().withFsync(FsyncPolicy.NO);
        for (int round = 0; round < rounds; round++) {
            for (String spec : specs) {
                // DIR or DIR@THREADS
                String[] parts = spec.split("@");
                if (parts.length > 1) {
                    System.setProperty("qrrot.recovery.loadThreads", parts[1]);
                } else {
                    System.clearProperty("qrrot.recovery.loadThreads");
                }
                System.gc();
                long cpu = os.getProcessCpuTime();
                long t = System.nanoTime();
                try (DurableQrrot db = DurableQrrot.open(Path.of(parts[0]), o)) {
                    System.out.printf("round %d %s: %.3f s wall, %.3f s cpu (%s)%n", round, spec, secs(t),
                            (os.getProcessCpuTime() - cpu) / 1e9, db.recoverySummary());
                }
            }
        }
    }

    /** With {@code byKey} the records are written sorted by key bytes: an order unrelated to the key hash. */
    private static void fileOrderCopy(Path src, Path dst, boolean byKey) throws IOException {
        delete(dst);
        try (Stream<Path> all = Files.walk(src)) {
            for (Path p : all.sorted().toList()) {
                Path to = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else if (!p.getFileName().toString().endsWith(".qrrt")) {
                    Files.copy(p, to);
                }
            }
        }
        try (Stream<Path> snaps = Files.list(src.resolve("snapshots"))) {
            for (Path p : snaps.filter(f -> f.toString().endsWith(".qrrt")).toList()) {
                try (SnapshotReader r = SnapshotReader.open(FileStorage.INSTANCE, p);
                     SnapshotWriter w = SnapshotWriter.begin(FileStorage.INSTANCE, dst.resolve("snapshots"),
                             r.info().baseLsn(), r.info().createdMillis(), false)) {
                    if (byKey) {
                        java.util.List<byte[][]> all = new java.util.ArrayList<>();
                        r.read((type, key, value, expiry) -> {
                            byte[] k = new byte[key.capacity()];
                            byte[] v = new byte[value.capacity()];
                            key.getBytes(0, k);
                            value.getBytes(0, v);
                            all.add(new byte[][] {k, v, {type}, java.nio.ByteBuffer.allocate(8).putLong(expiry).array()});
                        });
                        all.sort((a, b) -> java.util.Arrays.compareUnsigned(a[0], b[0]));
                        for (byte[][] rec : all) {
                            w.add(rec[2][0], rec[0], rec[1], java.nio.ByteBuffer.wrap(rec[3]).getLong());
                        }
                    } else {
                        r.read((type, key, value, expiry) -> {
                            try {
                                w.add(type, key, value, expiry);
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
                    }
                    w.finish();
                }
            }
        }
    }

    private static void prepare(long keys, Path dir, long walKeys) throws IOException {
        delete(dir);
        QrrotOptions base = QrrotOptions.defaults().withFsync(FsyncPolicy.NO)
                .withWal(64L << 20, Long.MAX_VALUE, Long.MAX_VALUE);
        try (Qrrot db = Qrrot.open(dir, base)) {
            long t = System.nanoTime();
            fill(db, 0, keys);
            System.out.printf("load %d keys through the WAL: %.2f s%n", keys, secs(t));
            if (walKeys >= 0) {
                t = System.nanoTime();
                Qrrot.SnapshotResult r = db.saveSnapshot();
                System.out.printf("snapshot write: %.2f s, %d bytes (%.1f B/key)%n", secs(t), r.bytes(),
                        r.bytes() / (double) keys);
            }
            fill(db, keys, Math.max(0, walKeys));
        }
    }

    private static void restart(String what, Path dir, QrrotOptions o, long expected) throws IOException {
        System.gc();
        long t = System.nanoTime();
        try (DurableQrrot db = DurableQrrot.open(dir, o)) {
            double s = secs(t);
            long n = db.engine().stats().keys();
            System.out.printf("%s: %.2f s (%d keys%s)%n", what, s, n, n == expected || expected < 0 ? "" : ", EXPECTED " + expected);
        }
    }

    /**
     * Compacts a full database while one thread writes steadily; samples VmRSS every 5 ms. The compaction time
     * under load is the figure to take from here; for RSS use {@link CompactionRssBench}: this JVM just loaded
     * the data, runs without the launcher's flags and its writer allocates, so its RSS says little.
     */
    private static void compactionRss(Path dir, QrrotOptions o) throws Exception {
        try (Qrrot db = Qrrot.open(dir, o)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong writes = new AtomicLong();
            Thread writer = new Thread(() -> {
                Qrrot.Session s = db.newSession();
                CommandArgs a = new CommandArgs();
                long i = 0;
                while (!stop.get()) {
                    set(s, a, "key:" + (i++ % 5_000_000));
                    if ((i & 63) == 0) {
                        db.endOfBatch();
                    }
                    writes.incrementAndGet();
                    if ((i & 1023) == 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // about 1M writes/s at most
                    }
                }
            });
            writer.start();
            Thread.sleep(3000); // steady state: heap and WAL buffers at their working size
            long before = rss();
            AtomicLong peak = new AtomicLong(before);
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    peak.accumulateAndGet(rss(), Math::max);
                    java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
                }
            });
            sampler.start();
            long w0 = writes.get();
            long t = System.nanoTime();
            Qrrot.SnapshotResult r = db.saveSnapshot();
            double s = secs(t);
            long w1 = writes.get();
            sampling.set(false);
            sampler.join();
            stop.set(true);
            writer.join();
            System.out.printf("compaction under load: %.2f s, %d keys, writes meanwhile %d (%.0f/s); RSS before %d MiB,"
                            + " peak %d MiB, growth %.1f%%%n", s, r.keys(), w1 - w0, (w1 - w0) / s, before >> 20,
                    peak.get() >> 20, 100.0 * (peak.get() - before) / before);
        }
    }

    private static void fill(Qrrot db, long from, long count) {
        Qrrot.Session s = db.newSession();
        CommandArgs a = new CommandArgs();
        for (long i = from; i < from + count; i++) {
            set(s, a, "key:" + i);
            if ((i & 1023) == 0) {
                db.endOfBatch();
            }
        }
        db.endOfBatch();
    }

    private static void set(Qrrot.Session s, CommandArgs a, String key) {
        a.clear();
        a.add(SET);
        a.add(key.getBytes(StandardCharsets.US_ASCII));
        a.add(VALUE);
        s.execute(a, NO_REPLY);
    }

    private static final byte[] SET = "SET".getBytes(StandardCharsets.US_ASCII);

    private static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return 0;
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void delete(Path p) throws IOException {
        if (Files.exists(p)) {
            try (Stream<Path> s = Files.walk(p)) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static final ReplySink NO_REPLY = new NoReply();
}
