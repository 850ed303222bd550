package io.qrrot.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.wal.FsyncPolicy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableQrrotTest {
    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    QrrotOptions options() {
        return TestOptions.clocked(now);
    }

    @Test
    void acknowledgedWritesSurviveReopen() throws IOException {
        try (Qrrot q = Qrrot.open(dir, options())) {
            Db db = new Db(q);
            assertEquals("OK", db.run("SET", "name", "ivan"));
            assertEquals("(integer) 1", db.run("INCR", "visits"));
            assertEquals("(integer) 2", db.run("INCR", "visits"));
            assertEquals("OK", db.run("PUT", "profile", "{\"age\": 29}", "json"));
            assertEquals("OK", db.run("SET", "gone", "x"));
            assertEquals("(integer) 1", db.run("DEL", "gone"));
            assertEquals("OK", db.run("MULTI"));
            assertEquals("QUEUED", db.run("SET", "a", "1"));
            assertEquals("QUEUED", db.run("INCRBY", "a", "5"));
            assertEquals("[OK, (integer) 6]", db.run("EXEC"));
        }
        try (Qrrot q = Qrrot.open(dir, options())) {
            Db db = new Db(q);
            assertEquals("ivan", db.run("GET", "name"));
            assertEquals("2", db.run("GET", "visits"));
            assertEquals("{\"age\":29}", db.run("JSON.GET", "profile"));
            assertEquals("(nil)", db.run("GET", "gone"));
            assertEquals("6", db.run("GET", "a"));
            assertEquals("(integer) 4", db.run("DBSIZE"));
        }
    }

    @Test
    void expiryIsAbsoluteAcrossRestarts() throws IOException {
        try (Qrrot q = Qrrot.open(dir, options())) {
            assertEquals("OK", new Db(q).run("SET", "session", "s1", "PX", "1000"));
        }
        now.addAndGet(400);
        try (Qrrot q = Qrrot.open(dir, options())) {
            assertEquals("(integer) 600", new Db(q).run("PTTL", "session"));
        }
        now.addAndGet(601); // expired once now > expiry, as in Redis
        try (Qrrot q = Qrrot.open(dir, options())) {
            assertEquals("(nil)", new Db(q).run("GET", "session"));
        }
    }

    @Test
    void snapshotsFoldTheWalAndRestartFromThem() throws IOException {
        try (Qrrot q = Qrrot.open(dir, options())) {
            Db db = new Db(q);
            for (int i = 0; i < 500; i++) {
                db.run("SET", "k" + i, "v" + i);
            }
            Qrrot.SnapshotResult first = q.saveSnapshot();
            assertEquals(500, first.keys());
            for (int i = 0; i < 500; i += 2) {
                db.run("DEL", "k" + i);
            }
            db.run("SET", "k1", "changed", "PX", "100000");
            db.run("SET", "new", "n");
            db.run("PEXPIRE", "k3", "5000");
            db.run("PERSIST", "k5");
            Qrrot.SnapshotResult second = q.saveSnapshot();
            assertEquals(251, second.keys());
            assertTrue(second.baseLsn() > first.baseLsn());
            assertEquals(second.baseLsn(), q.saveSnapshot().baseLsn(), "nothing new: the same snapshot");
            db.run("SET", "after", "a");
        }
        assertEquals(2, snapshotFiles().size(), "the newest snapshot and one fallback are kept");
        try (Qrrot q = Qrrot.open(dir, options())) {
            Db db = new Db(q);
            assertEquals("(integer) 252", db.run("DBSIZE"));
            assertEquals("changed", db.run("GET", "k1"));
            assertEquals("(integer) 100000", db.run("PTTL", "k1"));
            assertEquals("(integer) 5000", db.run("PTTL", "k3"));
            assertEquals("(nil)", db.run("GET", "k2"));
            assertEquals("a", db.run("GET", "after"));
            String recovery = q.info().get("persistence").get("recovery");
            assertTrue(recovery.contains("from snapshot snapshot-"), recovery);
            assertTrue(recovery.contains("(251 keys) + 1 WAL records"), recovery);
        }
    }

    @Test
    void aBacklogLargerThanTheMemoryBudgetIsFoldedInOnePass() throws IOException {
        QrrotOptions small = options().withCompactMemoryBytes(4096);
        try (Qrrot q = Qrrot.open(dir, small)) {
            Db db = new Db(q);
            for (int i = 0; i < 300; i++) {
                db.run("SET", "k" + i, "v" + i);
            }
            Qrrot.SnapshotResult r = q.saveSnapshot();
            assertEquals(300, r.keys());
            assertEquals(q.info().get("persistence").get("wal_last_lsn"), Long.toString(r.baseLsn()));
            for (int i = 0; i < 300; i += 3) {
                db.run("DEL", "k" + i);
            }
            assertEquals(200, q.saveSnapshot().keys());
        }
        try (Qrrot q = Qrrot.open(dir, small)) {
            Db db = new Db(q);
            assertEquals("(integer) 200", db.run("DBSIZE"));
            assertEquals("v1", db.run("GET", "k1"));
            assertEquals("(nil)", db.run("GET", "k3"));
        }
    }

    @Test
    void flushAllIsFoldedIntoTheSnapshot() throws IOException {
        try (Qrrot q = Qrrot.open(dir, options())) {
            Db db = new Db(q);
            db.run("SET", "a", "1");
            q.saveSnapshot();
            db.run("FLUSHALL");
            db.run("SET", "b", "2");
            assertEquals(1, q.saveSnapshot().keys());
        }
        try (Qrrot q = Qrrot.open(dir, options())) {
            Db db = new Db(q);
            assertEquals("(nil)", db.run("GET", "a"));
            assertEquals("2", db.run("GET", "b"));
        }
    }

    @Test
    void aCorruptNewestSnapshotFallsBackToThePreviousOneAndItsWal() throws IOException {
        try (Qrrot q = Qrrot.open(dir, options())) {
            Db db = new Db(q);
            for (int i = 0; i < 200; i++) {
                db.run("SET", "k" + i, "first" + i);
            }
            q.saveSnapshot();
            for (int i = 0; i < 200; i++) {
                db.run("SET", "k" + i, "second" + i);
            }
            q.saveSnapshot();
            db.run("SET", "tail", "t");
        }
        List<Path> snaps = snapshotFiles();
        Path newest = snaps.get(snaps.size() - 1);
        flipByte(newest, Files.size(newest) / 2);
        try (Qrrot q = Qrrot.open(dir, options())) {
            Db db = new Db(q);
            assertEquals("second7", db.run("GET", "k7"));
            assertEquals("t", db.run("GET", "tail"));
            assertEquals("(integer) 201", db.run("DBSIZE"));
            String recovery = q.info().get("persistence").get("recovery");
            assertTrue(recovery.contains("snapshot " + newest.getFileName() + " is corrupt and was moved aside as "
                    + newest.getFileName() + ".broken"), recovery);
        }
        assertTrue(Files.exists(newest.resolveSibling(newest.getFileName() + ".broken")));
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefused() throws IOException {
        String inUse = "data directory " + dir + " is in use by another qrrot process (pid "
                + ProcessHandle.current().pid() + ") (lock file " + dir.resolve("LOCK")
                + "); stop that process or choose another directory";
        try (Qrrot q = Qrrot.open(dir, options())) {
            assertEquals("OK", new Db(q).run("SET", "k", "first"));
            IOException e = assertThrows(IOException.class, () -> Qrrot.open(dir, options()));
            assertEquals(inUse, e.getMessage());
            assertEquals("OK", new Db(q).run("SET", "k", "second"), "the refused open left the open one alone");
        }
        // close released the lock: the directory opens again, with what was written, and is locked again.
        try (Qrrot q = Qrrot.open(dir, options())) {
            Db db = new Db(q);
            assertEquals("second", db.run("GET", "k"));
            assertEquals("OK", db.run("SET", "k", "third"));
            assertEquals(inUse, assertThrows(IOException.class, () -> Qrrot.open(dir, options())).getMessage());
        }
        try (Qrrot q = Qrrot.open(dir, options())) {
            assertEquals("third", new Db(q).run("GET", "k"));
        }
    }

    @Test
    void everyFsyncPolicyKeepsWhatItAcknowledgedAcrossAnOrderlyClose() throws IOException {
        for (FsyncPolicy p : FsyncPolicy.values()) {
            Path d = dir.resolve(p.name());
            try (Qrrot q = Qrrot.open(d, options().withFsync(p))) {
                Db db = new Db(q);
                for (int i = 0; i < 100; i++) {
                    db.run("INCR", "n");
                }
            }
            try (Qrrot q = Qrrot.open(d, options().withFsync(p))) {
                assertEquals("100", new Db(q).run("GET", "n"), p.name());
            }
        }
    }

    @Test
    void infoReportsPersistenceAndMemory() throws IOException {
        try (Qrrot q = Qrrot.open(dir, options())) {
            new Db(q).run("SET", "a", "1");
            var info = q.info();
            assertEquals("ok", info.get("persistence").get("wal_last_status"));
            assertEquals("always", info.get("persistence").get("wal_fsync"));
            assertEquals("keys=1,expires=0,avg_ttl=0", info.get("keyspace").get("db0"));
            assertTrue(Long.parseLong(info.get("memory").get("used_memory")) > 0);
        }
    }

    private List<Path> snapshotFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("snapshots"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".qrrt")).sorted().toList();
        }
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 0x10));
            b.rewind();
            ch.write(b, offset);
        }
    }
}
