package io.qrrot.recovery;

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
 * Builds effect records by hand, op by op, as the engine logs them ({@link EffectCodec}), and appends them to
 * the WAL of a closed data directory: how tests put element operations in a log before commands make them.
 */
final class Effects {
    private final ExpandableArrayBuffer buf = new ExpandableArrayBuffer(256);
    private int length = EffectCodec.HEADER_LENGTH;
    private int ops;

    boolean isEmpty() {
        return ops == 0;
    }

    Effects put(byte type, String key, byte[] value, long expiry) {
        UnsafeBuffer k = bytes(key);
        UnsafeBuffer v = new UnsafeBuffer(value);
        length += EffectCodec.encodePut(buf, length, type, k, 0, k.capacity(), v, 0, v.capacity(), expiry);
        ops++;
        return this;
    }

    Effects del(String key) {
        UnsafeBuffer k = bytes(key);
        length += EffectCodec.encodeDel(buf, length, k, 0, k.capacity());
        ops++;
        return this;
    }

    Effects expire(String key, long expiry) {
        UnsafeBuffer k = bytes(key);
        length += EffectCodec.encodeExpire(buf, length, k, 0, k.capacity(), expiry);
        ops++;
        return this;
    }

    Effects clear() {
        length += EffectCodec.encodeClear(buf, length);
        ops++;
        return this;
    }

    /** ELEMENTS_PUT of a hash: fields and values alternating. */
    Effects hset(String key, List<String> fieldsAndValues) {
        UnsafeBuffer k = bytes(key);
        int op = length;
        length += EffectCodec.encodeElementsHead(buf, length, EffectCodec.OP_ELEMENTS_PUT, EffectCodec.TYPE_HASH, k,
                0, k.capacity());
        for (int i = 0; i < fieldsAndValues.size(); i += 2) {
            UnsafeBuffer f = bytes(fieldsAndValues.get(i));
            UnsafeBuffer v = bytes(fieldsAndValues.get(i + 1));
            length += EffectCodec.encodeElementPut(buf, length, f, 0, f.capacity(), v, 0, v.capacity());
            EffectCodec.addElementCount(buf, op);
        }
        ops++;
        return this;
    }

    /** ELEMENTS_DEL of a hash. */
    Effects hdel(String key, List<String> fields) {
        UnsafeBuffer k = bytes(key);
        int op = length;
        length += EffectCodec.encodeElementsHead(buf, length, EffectCodec.OP_ELEMENTS_DEL, EffectCodec.TYPE_HASH, k,
                0, k.capacity());
        for (String field : fields) {
            UnsafeBuffer f = bytes(field);
            length += EffectCodec.encodeElementDel(buf, length, f, 0, f.capacity());
            EffectCodec.addElementCount(buf, op);
        }
        ops++;
        return this;
    }

    /** The record: its header and ops. */
    byte[] record() {
        EffectCodec.encodeHeader(buf, 0, ops);
        byte[] out = new byte[length];
        buf.getBytes(0, out);
        EffectCodec.validate(new UnsafeBuffer(out), 0, out.length);
        return out;
    }

    private static UnsafeBuffer bytes(String s) {
        return new UnsafeBuffer(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Appends records to the WAL of the closed data directory {@code dir}, after the newest snapshot's base LSN
     * (as recovery opens it), and closes the log: the next open replays them.
     */
    static void append(Path dir, List<byte[]> records) throws IOException {
        long base = 0;
        Path snapshots = dir.resolve(DataDirectory.SNAPSHOT_DIR);
        if (Files.isDirectory(snapshots)) {
            try (Stream<Path> s = Files.list(snapshots)) {
                base = s.mapToLong(p -> SnapshotFormat.parseLsn(p.getFileName().toString())).max().orElse(0);
            }
            base = Math.max(base, 0);
        }
        try (Wal wal = Wal.open(dir.resolve(DataDirectory.WAL_DIR), WalOptions.defaults().withSegmentBytes(64 * 1024)
                .withFirstLsn(base + 1).withPreallocation(WalOptions.Preallocation.NONE), base)) {
            for (byte[] r : records) {
                wal.append(r);
            }
        }
    }
}
