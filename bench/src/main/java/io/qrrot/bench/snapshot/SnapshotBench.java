package io.qrrot.bench.snapshot;

import io.qrrot.recovery.snapshot.SnapshotInfo;
import io.qrrot.recovery.snapshot.SnapshotReader;
import io.qrrot.recovery.snapshot.SnapshotVisitor;
import io.qrrot.recovery.snapshot.SnapshotWriter;
import io.qrrot.wal.io.FileStorage;
import io.qrrot.wal.io.Storage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes a snapshot of N records {@code key:<i>} → 16-byte value, then reads it back several ways,
 * interleaved round by round so drift on a shared machine hits every variant alike:
 * <ul>
 *   <li>{@code write}: add every record ({@code write/add}), then {@code write/finish}: footer, fsync,
 *       rename, directory fsync;</li>
 *   <li>{@code raw}: a plain FileChannel read of the whole file, the floor any reader pays;</li>
 *   <li>{@code verify/inline} and {@code verify/ahead}: every CRC checked, records visited by a no-op;</li>
 *   <li>{@code apply/inline} and {@code apply/ahead}: each key and value copied into an off-heap arena and
 *       the key hashed, roughly what loading into the store costs.</li>
 * </ul>
 * The file is in the page cache after it is written, so reads measure CPU, not the disk.
 *
 * <pre>
 * java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -cp bench/target/benchmarks.jar \
 *     io.qrrot.bench.snapshot.SnapshotBench [records=10000000] [rounds=3] [dir=/tmp]
 * </pre>
 */
public final class SnapshotBench {
    private static final Storage FS = FileStorage.INSTANCE;

    private SnapshotBench() {
    }

    public static void main(String[] args) throws IOException {
        long records = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path base = Files.createTempDirectory(args.length > 2 ? Path.of(args[2]) : Path.of("/tmp"), "qrrot-snapbench");
        Path dir = base.resolve("snapshots");
        String[] variants = {"write", "write/add", "write/finish", "raw", "verify/inline", "verify/ahead", "apply/inline", "apply/ahead"};
        List<List<Double>> times = new ArrayList<>();
        for (int v = 0; v < variants.length; v++) {
            times.add(new ArrayList<>());
        }
        Arena arena = new Arena(64 << 20);
        long[] finishNanos = new long[1];
        SnapshotInfo info = null;
        try {
            for (int round = 0; round <= rounds; round++) { // round 0 warms up and is not counted
                long t0 = System.nanoTime();
                info = write(dir, records, round, finishNanos);
                double write = seconds(t0);
                double finish = finishNanos[0] / 1e9;
                Path file = Path.of(info.file());
                double raw = time(() -> rawRead(file));
                double verifyInline = time(() -> read(file, false, (t, k, v, e) -> { }));
                double verifyAhead = time(() -> read(file, true, (t, k, v, e) -> { }));
                double applyInline = time(() -> read(file, false, arena));
                double applyAhead = time(() -> read(file, true, arena));
                double[] r = {write, write - finish, finish, raw, verifyInline, verifyAhead, applyInline, applyAhead};
                StringBuilder line = new StringBuilder(round == 0 ? "warm-up " : "round " + round + " ");
                for (int v = 0; v < variants.length; v++) {
                    line.append(String.format(" %s=%.3fs", variants[v], r[v]));
                    if (round > 0) {
                        times.get(v).add(r[v]);
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
        for (int v = 0; v < variants.length; v++) {
            double m = median(times.get(v));
            System.out.printf("median %-14s %7.3f s  %6.2f M records/s  %7.1f MB/s%n", variants[v], m,
                    records / m / 1e6, info.fileSize() / m / 1e6);
        }
        System.out.printf("read-ahead / inline: verify %.2f, apply %.2f (below 1 = read-ahead faster)%n",
                median(times.get(5)) / median(times.get(4)), median(times.get(7)) / median(times.get(6)));
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
        try (SnapshotWriter w = SnapshotWriter.begin(FS, dir, 1000L + round, System.currentTimeMillis())) {
            for (long i = 0; i < records; i++) {
                int keyLength = 4 + putDigits(key, 4, i);
                valueBuf.putLong(0, i * 0x9E3779B97F4A7C15L);
                valueBuf.putLong(8, i);
                w.add((byte) 1, keyBuf, 0, keyLength, valueBuf, 0, 16, 0);
            }
            long t0 = System.nanoTime();
            SnapshotInfo info = w.finish();
            finishNanos[0] = System.nanoTime() - t0;
            return info;
        }
    }

    private static int putDigits(byte[] dst, int at, long v) {
        int n = 1;
        for (long x = v; x >= 10; x /= 10) {
            n++;
        }
        for (int i = at + n - 1; i >= at; i--) {
            dst[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return n;
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
