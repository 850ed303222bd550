package io.qrrot.bench.wal;

import io.qrrot.wal.DurabilityListener;
import io.qrrot.wal.FsyncPolicy;
import io.qrrot.wal.Wal;
import io.qrrot.wal.WalOptions;
import io.qrrot.wal.WalStats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * WAL throughput and latency on the real disk, next to a raw {@code FileChannel.write + force} loop at the
 * same batch sizes, measured in the same run in interleaved rounds (medians reported, and the median of
 * the per-round ratios, which cancels most of the drift of a shared disk).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.qrrot.bench.wal.WalBench [--dir /tmp/qrrot-walbench]
 *     [--rounds 10] [--seconds 1]
 * </pre>
 *
 * WAL writers are spread over a few threads as a server spreads connections over event loops: each
 * thread appends a 100-byte record for every writer whose previous record is durable, registers a
 * durability listener (which unparks the thread), flushes once for the pass, and parks until a completion
 * arrives; one line also runs one OS thread per writer. Latency is append → told durable. The raw loop writes batches of
 * framed 100-byte records (120 bytes each, as the WAL frames them) into a preallocated file and fsyncs
 * after each batch, on one thread: the physical limit for that batch size.
 */
public final class WalBench {
    private static final int PAYLOAD = 100;
    private static final int FRAMED = 120;
    /** Threads the writers are spread over, as a server spreads connections over its event loops. */
    private static final int LOOPS = 2;

    private WalBench() {
    }

    /** One measurement. */
    record Result(String name, double recordsPerSecond, double p50Micros, double p99Micros, double batch) {
    }

    public static void main(String[] args) throws Exception {
        Path base = Path.of("/tmp/qrrot-walbench");
        int rounds = 10;
        double seconds = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> base = Path.of(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        long nanos = (long) (seconds * 1e9);
        Map<String, List<Result>> all = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        Map<FsyncPolicy, Wal> wals = new LinkedHashMap<>();
        Path rawDir = fresh(base.resolve("raw"));
        try (FileChannel raw = preallocated(rawDir.resolve("raw.log"))) {
            // One log per policy, opened once: segment preallocation happens up front, as in a server.
            for (FsyncPolicy p : FsyncPolicy.values()) {
                Wal wal = Wal.open(fresh(base.resolve("wal-" + p.name().toLowerCase(Locale.ROOT))),
                        WalOptions.defaults().withFsync(p));
                wals.put(p, wal);
                run(wal, 16, LOOPS, 500_000_000L); // warm-up: JIT
            }
            Thread.sleep(2000); // let the background preallocation of the next segments finish
            for (int round = 1; round <= rounds; round++) {
                System.err.printf("round %d of %d%n", round, rounds);
                for (int writers : new int[]{1, 16, 64}) {
                    Result w = wal(wals.get(FsyncPolicy.ALWAYS), writers, writers == 1 ? 1 : LOOPS, nanos);
                    add(all, w);
                    int batch = Math.max(1, (int) Math.round(w.batch()));
                    Result same = raw(raw, "raw write+force, batch = writers (" + writers + ")", writers, true, nanos);
                    add(all, same);
                    Result measured = raw(raw, "raw write+force, batch = WAL's measured (" + writers + " writers)",
                            batch, true, nanos);
                    add(all, measured);
                    ratio(ratios, "always " + writers + " writers / raw at batch " + writers, w, same);
                    ratio(ratios, "always " + writers + " writers / raw at the WAL's measured batch", w, measured);
                }
                add(all, wal(wals.get(FsyncPolicy.ALWAYS), 64, 64, nanos));
                for (FsyncPolicy p : new FsyncPolicy[]{FsyncPolicy.EVERYSEC, FsyncPolicy.NO}) {
                    add(all, wal(wals.get(p), 1, 1, nanos));
                    add(all, wal(wals.get(p), 64, LOOPS, nanos));
                }
                Result rawNoForce = raw(raw, "raw write, no force, batch 1", 1, false, nanos);
                add(all, rawNoForce);
                ratio(ratios, "everysec 1 writer / raw write batch 1", find(all, "wal everysec, 1 writer"), rawNoForce);
                ratio(ratios, "no 1 writer / raw write batch 1", find(all, "wal no, 1 writer"), rawNoForce);
            }
        } finally {
            for (Wal w : wals.values()) {
                w.close();
            }
            delete(base);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-62s %12s %10s %10s %8s %s%n", "scenario (100-byte records)", "records/s",
                "p50 us", "p99 us", "batch", "rounds");
        for (Map.Entry<String, List<Result>> e : all.entrySet()) {
            List<Result> rs = e.getValue();
            System.out.printf(Locale.ROOT, "%-62s %12.0f %10.1f %10.1f %8.1f %d%n", e.getKey(),
                    median(rs, Result::recordsPerSecond), median(rs, Result::p50Micros),
                    median(rs, Result::p99Micros), median(rs, Result::batch), rs.size());
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-62s %8s  %s%n", "ratio of records/s, same round", "median", "per round");
        for (Map.Entry<String, List<Double>> e : ratios.entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).toArray();
            double[] sorted = v.clone();
            Arrays.sort(sorted);
            double med = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                    : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
            StringBuilder per = new StringBuilder();
            for (double x : v) {
                per.append(String.format(Locale.ROOT, "%.2f ", x));
            }
            System.out.printf(Locale.ROOT, "%-62s %8.2f  %s%n", e.getKey(), med, per.toString().trim());
        }
    }

    private static Result find(Map<String, List<Result>> all, String name) {
        List<Result> rs = all.get(name);
        return rs.get(rs.size() - 1);
    }

    /** Records/s of {@code a} over {@code b}, measured back to back in the same round. */
    private static void ratio(Map<String, List<Double>> ratios, String name, Result a, Result b) {
        ratios.computeIfAbsent(name, k -> new ArrayList<>()).add(a.recordsPerSecond() / b.recordsPerSecond());
    }

    private static void add(Map<String, List<Result>> all, Result r) {
        System.err.printf(Locale.ROOT, "  %-62s %10.0f/s p50 %.1f us p99 %.1f us batch %.1f%n", r.name(),
                r.recordsPerSecond(), r.p50Micros(), r.p99Micros(), r.batch());
        all.computeIfAbsent(r.name(), k -> new ArrayList<>()).add(r);
    }

    private static double median(List<Result> rs, java.util.function.ToDoubleFunction<Result> f) {
        double[] v = rs.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    // ------------------------------------------------------------------------------------------------ WAL

    static Result wal(Wal wal, int writers, int threads, long nanos) throws Exception {
        WalStats before = wal.stats();
        long t0 = System.nanoTime();
        Loop[] loops = run(wal, writers, threads, nanos);
        long elapsed = System.nanoTime() - t0;
        WalStats after = wal.stats();
        double batch = (after.writtenLsn() - before.writtenLsn())
                / (double) Math.max(1, after.writes() - before.writes());
        long ops = 0;
        long[][] lat = new long[loops.length][];
        for (int i = 0; i < loops.length; i++) {
            ops += loops[i].count;
            lat[i] = Arrays.copyOf(loops[i].lat, (int) Math.min(loops[i].count, loops[i].lat.length));
        }
        long[] merged = merge(lat);
        String shape = writers == 1 ? "1 writer"
                : threads == writers ? writers + " writer threads"
                : writers + " writers on " + threads + " threads";
        return new Result("wal " + before.fsync().name().toLowerCase(Locale.ROOT) + ", " + shape,
                ops * 1e9 / elapsed, pct(merged, 0.50), pct(merged, 0.99), batch);
    }

    /**
     * One thread serving some writers the way a server's event loop serves connections: every writer
     * whose last record is durable appends a new one, then one flush for the pass (the end of the read
     * batch), then the thread parks until a completion arrives.
     */
    private static final class Loop implements Runnable {
        final Wal wal;
        final int writers;
        final AtomicBoolean stop;
        final CountDownLatch start;
        final long[] startedAt;
        final boolean[] inflight;
        final AtomicIntegerArray done;
        final DurabilityListener[] listeners;
        final long[] lat = new long[1 << 17];
        final byte[] payload = new byte[PAYLOAD];
        volatile Thread thread;
        volatile String failure;
        long count;

        Loop(Wal wal, int writers, AtomicBoolean stop, CountDownLatch start) {
            this.wal = wal;
            this.writers = writers;
            this.stop = stop;
            this.start = start;
            this.startedAt = new long[writers];
            this.inflight = new boolean[writers];
            this.done = new AtomicIntegerArray(writers);
            this.listeners = new DurabilityListener[writers];
            for (int i = 0; i < writers; i++) {
                int id = i;
                listeners[i] = new DurabilityListener() {
                    @Override
                    public void onDurable() {
                        done.set(id, 1);
                        LockSupport.unpark(thread);
                    }

                    @Override
                    public void onFailure(String message) {
                        failure = message;
                        done.set(id, 1);
                        LockSupport.unpark(thread);
                    }
                };
            }
        }

        @Override
        public void run() {
            thread = Thread.currentThread();
            try {
                start.await();
            } catch (InterruptedException e) {
                return;
            }
            while (!stop.get()) {
                for (int i = 0; i < writers; i++) {
                    if (!inflight[i]) {
                        inflight[i] = true;
                        startedAt[i] = System.nanoTime();
                        wal.whenDurable(wal.append(payload), listeners[i]);
                    }
                }
                wal.flush();
                boolean any = false;
                while (!any) {
                    for (int i = 0; i < writers; i++) {
                        if (done.get(i) == 1) {
                            done.set(i, 0);
                            inflight[i] = false;
                            lat[(int) (count & (lat.length - 1))] = System.nanoTime() - startedAt[i];
                            count++;
                            any = true;
                        }
                    }
                    if (failure != null) {
                        throw new IllegalStateException(failure);
                    }
                    if (!any) {
                        LockSupport.park(this);
                    }
                }
            }
        }
    }

    private static Loop[] run(Wal wal, int writers, int threads, long nanos) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean stop = new AtomicBoolean();
        Loop[] loops = new Loop[threads];
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int share = writers / threads + (t < writers % threads ? 1 : 0);
            loops[t] = new Loop(wal, share, stop, start);
            ts[t] = new Thread(loops[t], "bench-loop-" + t);
            ts[t].start();
        }
        start.countDown();
        Thread.sleep(nanos / 1_000_000);
        stop.set(true);
        for (int t = 0; t < threads; t++) {
            LockSupport.unpark(ts[t]);
            ts[t].join();
        }
        return loops;
    }

    // ------------------------------------------------------------------------------------------------ raw

    private static final long RAW_FILE = 64L << 20;

    /** A zero-filled, fsynced 64 MiB file, as the WAL's preallocated segments are. */
    static FileChannel preallocated(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
        for (long p = 0; p < RAW_FILE; p += zeros.capacity()) {
            zeros.clear();
            ch.write(zeros, p);
        }
        ch.force(false); // fdatasync, as the WAL does: like for like
        return ch;
    }

    static Result raw(FileChannel ch, String name, int batch, boolean force, long nanos) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(batch * FRAMED);
        for (int i = 0; i < batch * FRAMED; i++) {
            buf.put(i, (byte) i);
        }
        long[] lat = new long[1 << 16];
        int n = 0;
        long pos = 0;
        long records = 0;
        long t0 = System.nanoTime();
        long end = t0 + nanos;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            if (pos + buf.capacity() > RAW_FILE) {
                pos = 0;
            }
            buf.clear();
            while (buf.hasRemaining()) {
                pos += ch.write(buf, pos);
            }
            if (force) {
                ch.force(false); // fdatasync, as the WAL does: like for like
            }
            lat[n & (lat.length - 1)] = System.nanoTime() - now;
            n++;
            records += batch;
        }
        long elapsed = System.nanoTime() - t0;
        long[] l = Arrays.copyOf(lat, Math.min(n, lat.length));
        Arrays.sort(l);
        return new Result(name, records * 1e9 / elapsed, pct(l, 0.50), pct(l, 0.99), batch);
    }

    // ------------------------------------------------------------------------------------------- helpers

    private static long[] merge(long[][] lat) {
        int total = 0;
        for (long[] l : lat) {
            total += l == null ? 0 : l.length;
        }
        long[] out = new long[total];
        int at = 0;
        for (long[] l : lat) {
            if (l != null) {
                System.arraycopy(l, 0, out, at, l.length);
                at += l.length;
            }
        }
        Arrays.sort(out);
        return out;
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1000.0;
    }

    private static Path fresh(Path dir) throws IOException {
        delete(dir);
        Files.createDirectories(dir);
        return dir;
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
