package io.qrrot.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.qrrot.testkit.FaultyStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongFunction;

/** Shared helpers for WAL tests. */
final class WalTestSupport {
    static final Path DIR = Path.of("/data/wal");

    private WalTestSupport() {
    }

    /** The seed for a randomized test: -Dqrrot.seed=… replays one. */
    static long seed() {
        String s = System.getProperty("qrrot.seed");
        return s != null && !s.isBlank() ? Long.parseLong(s.trim()) : System.nanoTime();
    }

    /** Deterministic options over fault-injecting storage: inline preallocation, no timer-driven writes. */
    static WalOptions memOptions(FaultyStorage storage) {
        return WalOptions.defaults().withStorage(storage).withSegmentBytes(4096).withBufferBytes(8192)
                .withFlushDelayMillis(60_000).withSyncIntervalMillis(60_000)
                .withPreallocation(WalOptions.Preallocation.INLINE).withWallClock(() -> 1_700_000_000_000L);
    }

    /**
     * A fresh storage holding a log of {@link #payload} 1 to {@code records}, written without preallocation
     * and fsynced once at the end; closed.
     */
    static FaultyStorage log(int records) throws Exception {
        FaultyStorage s = new FaultyStorage();
        try (Wal wal = Wal.open(DIR, memOptions(s).withPreallocation(WalOptions.Preallocation.NONE))) {
            for (int i = 1; i <= records; i++) {
                wal.append(payload(i));
            }
            wal.sync();
        }
        return s;
    }

    /** The segment files in {@link #DIR}, sorted. */
    static List<Path> segments(FaultyStorage s) {
        return s.list(DIR).stream().filter(p -> p.toString().endsWith(".wal")).toList();
    }

    /** Deletes the {@code *.broken} copies a repair left in {@link #DIR}, so the next repair starts afresh. */
    static void clearBroken(FaultyStorage s) throws IOException {
        for (Path p : s.list(DIR)) {
            if (p.toString().endsWith(".broken")) {
                s.delete(p);
            }
        }
    }

    static byte[] payload(long i) {
        int len = (int) ((i * 7919) % 300);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < len) {
            sb.append("r").append(i).append(';');
        }
        return sb.substring(0, len).getBytes(StandardCharsets.UTF_8);
    }

    record Rec(long lsn, byte[] payload) {
    }

    static List<Rec> readAll(Wal wal, long from) throws Exception {
        List<Rec> out = new ArrayList<>();
        try (WalReader r = wal.reader(from)) {
            while (r.next()) {
                out.add(new Rec(r.lsn(), r.payloadBytes()));
            }
        }
        return out;
    }

    /**
     * Reads the whole log from LSN 1, checking that the n-th record has LSN n and the payload {@code written(n)};
     * returns how many there are.
     */
    static long readPrefix(Wal wal, LongFunction<byte[]> written, String where) throws Exception {
        long n = 0;
        try (WalReader r = wal.reader(1)) {
            while (r.next()) {
                n++;
                assertEquals(n, r.lsn(), where);
                assertArrayEquals(written.apply(n), r.payloadBytes(), where);
            }
        }
        return n;
    }

    /** Every durability answer in order: "durable", or the failure message. */
    static final class Recorder implements DurabilityListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onDurable() {
            events.add("durable");
        }

        @Override
        public void onFailure(String message) {
            events.add(message);
        }

        /**
         * Waits (up to 10 s) until the events are {@code expected}, for a listener another thread may complete:
         * {@code flush()} with everysec writes on the caller's thread only if no other thread holds the I/O
         * lock at that moment.
         */
        void await(List<String> expected) throws InterruptedException {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!events.equals(expected) && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            org.junit.jupiter.api.Assertions.assertEquals(expected, List.copyOf(events));
        }
    }
}
