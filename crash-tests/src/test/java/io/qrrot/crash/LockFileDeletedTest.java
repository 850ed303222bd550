package io.qrrot.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Two real servers and one data directory whose {@code LOCK} was deleted under the first: the second starts,
 * the first stops writing, and no acknowledged write of either is overwritten (before, both wrote the same
 * LSNs and an acknowledged write was lost).
 */
class LockFileDeletedTest {
    @Test
    void aSecondServerOnADirectoryWhoseLockWasDeletedNeverWritesAlongsideTheFirst(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        try (ServerProcess first = Servers.qrrot(KillNineTest.jar(), dir, "always", List.of());
             ServerProcess second = Servers.qrrot(KillNineTest.jar(), dir, "always", List.of())) {
            int p1 = first.start();
            try (Jedis a = new Jedis("127.0.0.1", p1)) {
                for (int i = 0; i < 3; i++) {
                    assertEquals("OK", a.set("first:" + i, "v" + i));
                }
                Files.delete(dir.resolve("LOCK"));
                int p2 = second.start();
                try (Jedis b = new Jedis("127.0.0.1", p2)) {
                    JedisDataException refused = assertThrows(JedisDataException.class, () -> a.set("first:late", "x"));
                    assertEquals("IOERR the lock file " + dir.resolve("LOCK") + " was deleted while this process had"
                            + " the data directory open, so another process may open it and write to the same log;"
                            + " writes are refused until restart", refused.getMessage());
                    assertEquals("v2", a.get("first:2"), "the first server still serves reads");
                    assertEquals("v1", b.get("first:1"), "the second found the first's acknowledged writes");
                    assertEquals("OK", b.set("second:0", "w0"));
                }
            }
            assertEquals(1, first.terminate(30_000), "the first server stops with its log failed");
            assertEquals(0, second.terminate(30_000));
        }
        try (ServerProcess again = Servers.qrrot(KillNineTest.jar(), dir, "always", List.of())) {
            int p = again.start();
            try (Jedis c = new Jedis("127.0.0.1", p)) {
                for (int i = 0; i < 3; i++) {
                    assertEquals("v" + i, c.get("first:" + i));
                }
                assertEquals("w0", c.get("second:0"));
                assertTrue(c.get("first:late") == null, "a refused write is absent");
            }
        }
    }
}
