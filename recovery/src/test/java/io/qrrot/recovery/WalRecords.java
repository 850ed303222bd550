package io.qrrot.recovery;

import io.qrrot.recovery.snapshot.SnapshotFormat;
import io.qrrot.wal.Wal;
import io.qrrot.wal.WalOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Effect records (built by hand with {@link io.qrrot.testkit.Effects}) appended to the WAL of a closed data
 * directory, as the database would have logged them: the next open replays them.
 */
final class WalRecords {
    private WalRecords() {
    }

    /** Appends records to the WAL of the closed data directory {@code dir}, after the newest snapshot's base LSN. */
    static void append(Path dir, List<byte[]> records) throws IOException {
        long base = 0;
        Path snapshots = dir.resolve(DataDirectory.SNAPSHOT_DIR);
        if (Files.isDirectory(snapshots)) {
            try (Stream<Path> s = Files.list(snapshots)) {
                base = Math.max(0, s.mapToLong(p -> SnapshotFormat.parseLsn(p.getFileName().toString())).max()
                        .orElse(0));
            }
        }
        try (Wal wal = Wal.open(dir.resolve(DataDirectory.WAL_DIR), WalOptions.defaults().withSegmentBytes(64 * 1024)
                .withFirstLsn(base + 1).withPreallocation(WalOptions.Preallocation.NONE), base)) {
            for (byte[] r : records) {
                wal.append(r);
            }
        }
    }
}
