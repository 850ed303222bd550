package io.qrrot.cli.testing;

import io.qrrot.recovery.snapshot.SnapshotFormat;
import io.qrrot.testkit.Effects;
import io.qrrot.wal.Wal;
import io.qrrot.wal.WalOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Effect records of hash operations ({@link Effects}) appended to the WAL of a closed data directory: how the
 * tools' tests get hashes into a log and a snapshot before the hash commands exist.
 */
public final class HashRecords {
    private HashRecords() {
    }

    /** One record: an ELEMENTS_PUT of the fields and values (alternating) at {@code key}. */
    public static byte[] hset(String key, String... fieldsAndValues) {
        return new Effects().hset(key, List.of(fieldsAndValues)).record();
    }

    /** One record: an ELEMENTS_DEL of the fields at {@code key}. */
    public static byte[] hdel(String key, String... fields) {
        return new Effects().hdel(key, List.of(fields)).record();
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

}
