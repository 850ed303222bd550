package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.recovery.DataDirectory;
import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.ForwardingQrrot;
import io.qrrot.recovery.QrrotOptions;
import io.qrrot.storage.FileStorage;
import io.qrrot.storage.StorageFile;
import io.qrrot.testkit.ForwardingStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that stops while a SAVE is folding gives the fold up instead of waiting for it: the SAVE client
 * gets Redis-style {@code -ERR} naming why, no temp file is left, nothing is lost, and the database the
 * server ran on takes snapshots again once the server is gone.
 */
class SaveDuringShutdownTest {
    @TempDir
    Path dir;

    @Test
    void aSaveRunningWhenTheServerStopsIsAbandonedWithAnError() throws Exception {
        CountDownLatch folding = new CountDownLatch(1);
        CountDownLatch aborted = new CountDownLatch(1);
        // Holds the fold at its first spilled run until the server has asked for the abort.
        ForwardingStorage storage = new ForwardingStorage(FileStorage.INSTANCE) {
            @Override
            public StorageFile open(Path path, OpenMode mode) throws IOException {
                if (mode == OpenMode.CREATE_NEW && path.getFileName().toString().contains(".run-")
                        && folding.getCount() > 0) {
                    folding.countDown();
                    try {
                        aborted.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.open(path, mode);
            }
        };
        QrrotOptions options = QrrotOptions.defaults().withShards(8).withStorage(storage)
                .withCompactMemoryBytes(8192).withWal(64 * 1024, Long.MAX_VALUE, Long.MAX_VALUE);
        try (DurableQrrot db = DurableQrrot.open(dir.resolve("data"), options)) {
            ForwardingQrrot seen = new ForwardingQrrot(db) {
                @Override
                public void abortSnapshots() {
                    super.abortSnapshots();
                    aborted.countDown();
                }
            };
            QrrotServer server = TestBackends.start(seen, TestBackends.options());
            try (RawClient c = new RawClient(server.port())) {
                for (int i = 0; i < 2000; i++) {
                    c.command("SET", "k" + i, "v" + i);
                }
                for (int i = 0; i < 2000; i++) {
                    assertEquals("+OK\r\n", c.read());
                }
                c.command("SAVE");
                assertTrue(folding.await(30, TimeUnit.SECONDS), "the SAVE never started folding");
                Thread stopper = new Thread(server::close, "stopper");
                stopper.start();
                assertEquals("-ERR the snapshot was abandoned: the server is shutting down (every acknowledged"
                        + " write is in the WAL)\r\n", c.read());
                stopper.join(30_000);
                assertTrue(!stopper.isAlive(), "the server did not stop");
            } finally {
                server.close();
            }
            assertEquals(List.of(), snapshotFiles(), "no snapshot, no sorted run, no temp file");
            // The server is gone; its database takes snapshots again.
            assertEquals(2000, db.saveSnapshot().keys());
        }
    }

    private List<String> snapshotFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("data").resolve(DataDirectory.SNAPSHOT_DIR))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
