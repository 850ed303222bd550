package io.qrrot.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.storage.FileStorage;
import io.qrrot.testkit.ForwardingStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** INFO must not wait for a running compaction (which holds the compactor for minutes on a large data set). */
class InfoDuringCompactionTest {
    @TempDir
    Path dir;

    /** Holds the rename that installs a snapshot until released. */
    static final class HeldInstall extends ForwardingStorage {
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        HeldInstall() {
            super(FileStorage.INSTANCE);
        }

        @Override
        public void rename(Path from, Path to) throws IOException {
            if (to.getFileName().toString().endsWith(".qrrt")) {
                reached.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
            super.rename(from, to);
        }
    }

    @Test
    void infoAnswersWhileACompactionIsRunning() throws Exception {
        HeldInstall storage = new HeldInstall();
        QrrotOptions o = QrrotOptions.defaults().withShards(8).withStorage(storage)
                .withWal(64 * 1024, Long.MAX_VALUE, Long.MAX_VALUE);
        try (Qrrot q = Qrrot.open(dir, o)) {
            Db db = new Db(q);
            assertEquals("OK", db.run("SET", "a", "1"));
            CompletableFuture<Qrrot.SnapshotResult> save = CompletableFuture.supplyAsync(() -> {
                try {
                    return q.saveSnapshot();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertTrue(storage.reached.await(60, TimeUnit.SECONDS), "the compaction never reached its install step");
            try {
                // Before the fix this call waited on the compactor until the install was released: forever here.
                Map<String, Map<String, String>> info = CompletableFuture.supplyAsync(q::info).get(60, TimeUnit.SECONDS);
                assertEquals("", info.get("persistence").get("last_snapshot"));
            } finally {
                storage.release.countDown();
            }
            assertEquals(1, save.get(60, TimeUnit.SECONDS).keys());
        }
    }
}
