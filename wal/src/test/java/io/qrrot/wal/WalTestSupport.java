package io.qrrot.wal;

import io.qrrot.testkit.FaultyStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
}
