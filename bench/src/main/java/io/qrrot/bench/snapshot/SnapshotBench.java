package io.qrrot.bench.snapshot;

import io.qrrot.bench.store.Keys;
import io.qrrot.recovery.snapshot.SnapshotInfo;
import io.qrrot.recovery.snapshot.SnapshotReader;
import io.qrrot.recovery.snapshot.SnapshotVisitor;
import io.qrrot.recovery.snapshot.SnapshotWriter;
import io.qrrot.storage.FileStorage;
import io.qrrot.storage.Storage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes a snapshot of N records {@code key:<i>} → 16-byte value, then reads it back several ways,
 * interleaved round by round so drift on a shared machine hits every variant alike:
 * <ul>
 *   <li>{@code write}: add every record ({@code write/add}, and its thread CPU time {@code write/add cpu},
 *       which contention on a shared machine inflates far less than wall time), then {@code write/finish}:
 *       footer, fsync, rename, directory fsync;</li>
 *   <li>{@code raw}: a plain FileChannel read of the whole file, the floor any reader pays;</li>
 *   <li>{@code verify/inline} and {@code verify/ahead}: every CRC checked, records visited by a no-op;</li>
 *   <li>{@code apply/inline} and {@code apply/ahead}: each key and value copied into an off-heap arena and
 *       the key hashed, roughly what loading into the store costs.</li>
 * </ul>
 * The file is in the page cache after it is written, so reads measure CPU, not the disk. CPU times
 * ({@code cpu}, {@code caller-cpu}: the calling thread only) show the work on the critical path when a
 * second core is free, which wall times on a contended machine do not.
 *
 * <pre>
 * java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -cp bench/target/benchmarks.jar \
 *     io.qrrot.bench.snapshot.SnapshotBench [records=10000000] [rounds=3] [dir=/tmp]
 * </pre>
 */
public final class SnapshotBench {
    private static final Storage FS = FileStorage.INSTANCE;
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private SnapshotBench() {
    }

    public static void main(String[] args) throws IOException {
        long records = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path base = Files.createTempDirectory(args.length > 2 ? Path.of(args[2]) : Path.of("/tmp"), "qrrot-snapbench");
        Path dir = base.resolve("snapshots");
        Map<String, List<Double>> times = new LinkedHashMap<>();
        Arena arena = new Arena(64 << 20);
        long[] finishNanos = new long[2];
        SnapshotInfo info = null;
        try {
            for (int round = 0; round <= rounds; round++) { // round 0 warms up and is not counted
                Map<String, Double> r = new LinkedHashMap<>();
                long t0 = System.nanoTime();
                info = write(dir, records, round, finishNanos);
                double write = seconds(t0);
                r.put("write", write);
                r.put("write/add", write - finishNanos[0] / 1e9);
                r.put("write/add cpu", finishNanos[1] / 1e9);
                r.put("write/finish", finishNanos[0] / 1e9);
                Path file = Path.of(info.file());
                r.put("raw", time(() -> rawRead(file)));
                SnapshotVisitor none = (t, k, v, e) -> { };
                timed(r, "verify/inline", () -> read(file, false, none));
                timed(r, "verify/ahead", () -> read(file, true, none));
                timed(r, "apply/inline", () -> read(file, false, arena));
                timed(r, "apply/ahead", () -> read(file, true, arena));
                StringBuilder line = new StringBuilder(round == 0 ? "warm-up" : "round " + round);
                for (Map.Entry<String, Double> e : r.entrySet()) {
                    line.append(String.format(" %s=%.3fs", e.getKey().replace(' ', '-'), e.getValue()));
                    if (round > 0) {
                        times.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
                    }
                }
                System.out.println(line);
                Files.delete(file);
            }
        } finally {
            deleteTree(base);
        }
        System.out.printf("records=%d file=%d bytes (%.1f B/record) blocks=%d arena-check=%d%n", info.recordCount(),
                info.fileSize(), (double) info.fileSize() / info.recordCount(), info.blockCount(), arena.check);
        for (Map.Entry<String, List<Double>> e : times.entrySet()) {
            double m = median(e.getValue());
            System.out.printf("median %-18s %7.3f s  %6.2f M records/s  %7.1f MB/s%n", e.getKey(), m,
                    records / m / 1e6, info.fileSize() / m / 1e6);
        }
        System.out.printf("read-ahead / inline: verify %.2f, apply %.2f (below 1 = read-ahead faster)%n",
                median(times.get("verify/ahead")) / median(times.get("verify/inline")),
                median(times.get("apply/ahead")) / median(times.get("apply/inline")));
    }

    private static SnapshotInfo write(Path dir, long records, int round, long[] finishNanos) throws IOException {
        byte[] key = new byte[24];
        byte[] value = new byte[16];
        UnsafeBuffer keyBuf = new UnsafeBuffer(key);
        UnsafeBuffer valueBuf = new UnsafeBuffer(value);
        key[0] = 'k';
        key[1] = 'e';
        key[2] = 'y';
        key[3] = ':';
        long cpu0 = CPU.getCurrentThreadCpuTime();
        try (SnapshotWriter w = SnapshotWriter.begin(FS, dir, 1000L + round, System.currentTimeMillis())) {
            for (long i = 0; i < records; i++) {
                int keyLength = Keys.write(key, i);
                valueBuf.putLong(0, i * 0x9E3779B97F4A7C15L);
                valueBuf.putLong(8, i);
                w.add((byte) 1, keyBuf, 0, keyLength, valueBuf, 0, 16, 0);
            }
            finishNanos[1] = CPU.getCurrentThreadCpuTime() - cpu0;
            long t0 = System.nanoTime();
            SnapshotInfo info = w.finish();
            finishNanos[0] = System.nanoTime() - t0;
            return info;
        }
    }

    private static void read(Path file, boolean readAhead, SnapshotVisitor visitor) throws IOException {
        try (SnapshotReader r = SnapshotReader.open(FS, file, readAhead)) {
            r.read(visitor);
        }
    }

    private static void rawRead(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = 0;
            int n;
            while ((n = ch.read(buf.clear(), pos)) > 0) {
                pos += n;
            }
        }
    }

    /** Copies each record into off-heap memory and hashes the key: a stand-in for loading the store. */
    private static final class Arena implements SnapshotVisitor {
        private final UnsafeBuffer memory;
        private int at;
        long check;

        Arena(int size) {
            memory = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        }

        @Override
        public void onRecord(byte type, DirectBuffer key, DirectBuffer value, long expiryMillis) {
            int need = key.capacity() + value.capacity() + 16;
            if (at + need > memory.capacity()) {
                at = 0;
            }
            memory.putLong(at, expiryMillis);
            memory.putByte(at + 8, type);
            memory.putBytes(at + 16, key, 0, key.capacity());
            memory.putBytes(at + 16 + key.capacity(), value, 0, value.capacity());
            long h = 0xcbf29ce484222325L;
            for (int i = 0; i < key.capacity(); i++) {
                h = (h ^ key.getByte(i)) * 0x100000001b3L;
            }
            check += h & 1;
            at += need;
        }
    }

    private interface Step {
        void run() throws IOException;
    }

    /** Wall time, and CPU time of the calling thread (the read-ahead thread's is not in it). */
    private static void timed(Map<String, Double> r, String name, Step step) throws IOException {
        long cpu0 = CPU.getCurrentThreadCpuTime();
        r.put(name, time(step));
        r.put(name + " caller-cpu", (CPU.getCurrentThreadCpuTime() - cpu0) / 1e9);
    }

    private static double time(Step step) throws IOException {
        long t0 = System.nanoTime();
        step.run();
        return seconds(t0);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p)) {
            try (var s = Files.list(p)) {
                for (Path c : s.toList()) {
                    deleteTree(c);
                }
            }
        }
        Files.deleteIfExists(p);
    }
}
