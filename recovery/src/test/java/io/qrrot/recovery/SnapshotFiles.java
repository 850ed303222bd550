package io.qrrot.recovery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Finding the snapshot files tests wrote. */
final class SnapshotFiles {
    private SnapshotFiles() {
    }

    /** The newest {@code .qrrt} file in {@code dir} (names sort by base LSN). */
    static Path newest(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".qrrt")).sorted().reduce((a, b) -> b)
                    .orElseThrow();
        }
    }

    /** The newest snapshot of the data directory {@code dataDir}. */
    static Path newestOf(Path dataDir) throws IOException {
        return newest(dataDir.resolve(DataDirectory.SNAPSHOT_DIR));
    }
}
