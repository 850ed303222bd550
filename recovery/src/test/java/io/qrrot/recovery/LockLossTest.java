package io.qrrot.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deleting (or replacing) a data directory's {@code LOCK} used to let a second process open the directory
 * while the first wrote on: both wrote the same LSNs, and an acknowledged write was overwritten. Now the
 * holder stops writing when its lock file goes, and the second opener waits for that before it reads.
 */
class LockLossTest {
    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    QrrotOptions options() {
        return TestOptions.clocked(now);
    }

    /** Writes until one is refused (the holder saw its lock go) and returns the refusal; fails after 30 s. */
    private static String firstRefusal(Db db) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        for (int i = 0; System.nanoTime() < deadline; i++) {
            String r = db.run("SET", "probe", Integer.toString(i));
            if (!r.equals("OK")) {
                return r;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("writes were still taken 30 s after the lock file was deleted");
    }

    @Test
    void aDeletedLockFileStopsTheHoldersWritesAndASecondOpenerFindsEverything() throws Exception {
        Path lock = dir.resolve(DataDirectory.LOCK_FILE);
        try (Qrrot first = Qrrot.open(dir, options())) {
            Db a = new Db(first);
            for (int i = 0; i < 50; i++) {
                assertEquals("OK", a.run("SET", "k" + i, "v" + i));
            }
            // While the lock file is there, a second open is refused.
            IOException busy = assertThrows(IOException.class, () -> Qrrot.open(dir, options()));
            assertTrue(busy.getMessage().startsWith("data directory " + dir + " is in use by another qrrot process"),
                    busy.getMessage());

            Files.delete(lock);
            assertEquals("(error) IOERR the lock file " + lock + " was deleted while this process had the data"
                    + " directory open, so another process may open it and write to the same log; writes are refused"
                    + " until restart", firstRefusal(a));
            assertEquals("v7", a.run("GET", "k7"), "reads go on");

            try (Qrrot second = Qrrot.open(dir, options())) {
                Db b = new Db(second);
                for (int i = 0; i < 50; i++) {
                    assertEquals("v" + i, b.run("GET", "k" + i));
                }
                assertEquals("OK", b.run("SET", "from-second", "yes"));
                assertTrue(a.run("SET", "from-first", "no").startsWith("(error) IOERR the lock file "));
            }
        }
        try (Qrrot again = Qrrot.open(dir, options())) {
            Db c = new Db(again);
            assertEquals("yes", c.run("GET", "from-second"));
            assertEquals("(nil)", c.run("GET", "from-first"));
            assertEquals("v49", c.run("GET", "k49"));
        }
    }

    @Test
    void aReplacedLockFileStopsTheHoldersWritesToo() throws Exception {
        Path lock = dir.resolve(DataDirectory.LOCK_FILE);
        try (Qrrot first = Qrrot.open(dir, options())) {
            Db a = new Db(first);
            assertEquals("OK", a.run("SET", "k", "v"));
            Path other = dir.resolve("LOCK.other");
            Files.writeString(other, "1\n");
            Files.move(other, lock, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertEquals("(error) IOERR the lock file " + lock + " was replaced while this process had the data"
                    + " directory open, so another process may open it and write to the same log; writes are refused"
                    + " until restart", firstRefusal(a));
        }
    }
}
