package io.qrrot.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key in a snapshot whose TTL has passed by the time the database reopens is still loaded, because the
 * records after the snapshot were made while it lived and may act on it: an EXPIRE that extended its TTL must
 * keep it, and a field put into a hash (which keeps the hash's TTL) must not make a new hash without one. The
 * compactor, likewise, keeps a key that a record after its seal may have seen alive.
 */
class ExpiryAcrossRestartTest {
    private static final long START = 1_700_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void recordsAfterTheSnapshotActOnKeysThatHaveSinceExpired() throws Exception {
        AtomicLong now = new AtomicLong(START);
        try (Qrrot q = Qrrot.open(dir, TestOptions.clocked(now))) {
            Db db = new Db(q);
            assertEquals("OK", db.run("SET", "k", "v", "PX", "1000"));
            assertEquals("(integer) 1", db.run("HSET", "h", "f", "1"));
            assertEquals("(integer) 1", db.run("PEXPIRE", "h", "1000"));
            assertEquals("(integer) 1", db.run("SADD", "s", "a"));
            assertEquals("(integer) 1", db.run("PEXPIRE", "s", "1000"));
            q.saveSnapshot();
            // After the snapshot, while all three live: k's TTL is extended, h and s gain an element.
            now.addAndGet(500);
            assertEquals("(integer) 1", db.run("PEXPIRE", "k", "100000"));
            assertEquals("(integer) 1", db.run("HSET", "h", "g", "2"));
            assertEquals("(integer) 1", db.run("SADD", "s", "b"));
        }
        now.addAndGet(5_000); // past the snapshot's TTLs of k, h and s
        for (int round = 0; round < 2; round++) {
            try (Qrrot q = Qrrot.open(dir, TestOptions.clocked(now))) {
                Db db = new Db(q);
                assertEquals("v", db.run("GET", "k"), "round " + round);
                assertEquals("(integer) 0", db.run("EXISTS", "h", "s"), "round " + round);
                q.saveSnapshot(); // the second round opens from this snapshot alone
            }
        }
    }

    @Test
    void theFoldKeepsAKeyExpiringAfterTheSeal() throws Exception {
        AtomicLong now = new AtomicLong(START);
        try (Qrrot q = Qrrot.open(dir, TestOptions.clocked(now))) {
            Db db = new Db(q);
            assertEquals("OK", db.run("SET", "k", "v", "PX", "1000"));
            assertEquals("(integer) 1", db.run("HSET", "h", "f", "1"));
            assertEquals("(integer) 1", db.run("PEXPIRE", "h", "1000"));
            q.saveSnapshot();
            now.addAndGet(500);
            assertEquals("(integer) 1", db.run("PEXPIRE", "k", "100000"));
            assertEquals("(integer) 1", db.run("HSET", "h", "g", "2"));
            now.addAndGet(5_000);
            q.saveSnapshot(); // folds the records above into the snapshot: k extended, h expired
        }
        try (Qrrot q = Qrrot.open(dir, TestOptions.clocked(now))) {
            Db db = new Db(q);
            assertEquals("v", db.run("GET", "k"));
            assertEquals("(integer) 0", db.run("EXISTS", "h"));
        }
    }
}
