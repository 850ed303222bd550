package io.qrrot.cli.testing;

import io.qrrot.engine.EffectCodec;
import io.qrrot.recovery.snapshot.SnapshotFormat;
import io.qrrot.wal.Wal;
import io.qrrot.wal.WalOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Effect records of hash operations, built as the engine logs them, appended to the WAL of a closed data
 * directory: how the tools' tests get hashes into a log and a snapshot before the hash commands exist.
 */
public final class HashRecords {
    private HashRecords() {
    }

    /** One record: an ELEMENTS_PUT of the fields and values (alternating) at {@code key}. */
    public static byte[] hset(String key, String... fieldsAndValues) {
        return elements(EffectCodec.OP_ELEMENTS_PUT, key, fieldsAndValues);
    }

    /** One record: an ELEMENTS_DEL of the fields at {@code key}. */
    public static byte[] hdel(String key, String... fields) {
        return elements(EffectCodec.OP_ELEMENTS_DEL, key, fields);
    }

    private static byte[] elements(byte op, String key, String... args) {
        ExpandableArrayBuffer b = new ExpandableArrayBuffer(128);
        UnsafeBuffer k = bytes(key);
        int at = EffectCodec.HEADER_LENGTH;
        int head = at;
        at += EffectCodec.encodeElementsHead(b, at, op, EffectCodec.TYPE_HASH, k, 0, k.capacity());
        boolean put = op == EffectCodec.OP_ELEMENTS_PUT;
        for (int i = 0; i < args.length; i += put ? 2 : 1) {
            UnsafeBuffer e = bytes(args[i]);
            if (put) {
                UnsafeBuffer v = bytes(args[i + 1]);
                at += EffectCodec.encodeElementPut(b, at, e, 0, e.capacity(), v, 0, v.capacity());
            } else {
                at += EffectCodec.encodeElementDel(b, at, e, 0, e.capacity());
            }
            EffectCodec.addElementCount(b, head);
        }
        EffectCodec.encodeHeader(b, 0, 1);
        byte[] out = new byte[at];
        b.getBytes(0, out);
        return out;
    }

    /** Appends records to the WAL of the closed data directory {@code dir}, after its newest snapshot. */
    public static void append(Path dir, List<byte[]> records) throws IOException {
        long base = 0;
        Path snapshots = dir.resolve("snapshots");
        if (Files.isDirectory(snapshots)) {
            try (Stream<Path> s = Files.list(snapshots)) {
                base = Math.max(0, s.mapToLong(p -> SnapshotFormat.parseLsn(p.getFileName().toString())).max()
                        .orElse(0));
            }
        }
        try (Wal wal = Wal.open(dir.resolve("wal"), WalOptions.defaults().withFirstLsn(base + 1)
                .withPreallocation(WalOptions.Preallocation.NONE), base)) {
            for (byte[] r : records) {
                wal.append(r);
            }
        }
    }

    private static UnsafeBuffer bytes(String s) {
        return new UnsafeBuffer(s.getBytes(StandardCharsets.UTF_8));
    }
}
