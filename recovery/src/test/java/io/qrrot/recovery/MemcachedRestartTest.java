package io.qrrot.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.Memcached;
import io.qrrot.engine.Memcached.Op;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memcached items survive a restart, from the WAL and from a snapshot, with their flags, CAS uniques, bytes and
 * expiry; stores after the restart get CAS uniques above every one the database holds, and above every one given
 * out before once the clock has moved on (the counter starts at the clock's microseconds). CAS uniques are shown
 * less {@link #BASE}, the counter's start at {@link #START}.
 */
class MemcachedRestartTest {
    private static final long START = 1_700_000_000_000L;
    private static final long BASE = START * 1000;

    @TempDir
    Path dir;

    /** A memcached client of a database: runs a request, waits for durability, returns the reply lines. */
    private static final class McClient implements Memcached.Sink {
        private final Qrrot db;
        private final Qrrot.Session session;
        private final List<String> lines = new ArrayList<>();

        McClient(Qrrot db) {
            this.db = db;
            this.session = db.newSession();
        }

        List<String> run(Op op, int flags, int exptime, long number, String... args) {
            lines.clear();
            boolean retrieval = op == Op.GET || op == Op.GETS || op == Op.GAT || op == Op.GATS;
            long lsn = session.executeMemcached(new Memcached.Request().set(op, CommandArgs.of(args),
                    retrieval ? args.length : 1, flags, exptime, number), this);
            String failure = Db.awaitDurable(db, lsn, op + " " + String.join(" ", args));
            if (failure != null) {
                throw new AssertionError(failure);
            }
            return new ArrayList<>(lines);
        }

        String set(String key, int flags, int exptime, String value) {
            return run(Op.SET, flags, exptime, 0, key, value).get(0);
        }

        /** gets: "key flags value cas" per hit. */
        List<String> gets(String... keys) {
            List<String> out = run(Op.GETS, 0, 0, 0, keys);
            assertEquals("END", out.remove(out.size() - 1));
            return out;
        }

        @Override
        public void value(DirectBuffer key, int koff, int klen, int flags, DirectBuffer data, int off, int len,
                          long cas, long expiry) {
            lines.add(str(key, koff, klen) + " " + Integer.toUnsignedString(flags) + " " + str(data, off, len) + " "
                    + (cas - BASE));
        }

        @Override
        public void status(Memcached.Status status) {
            lines.add(status.name());
        }

        @Override
        public void number(long value) {
            lines.add(Long.toUnsignedString(value));
        }

        @Override
        public void error(String line) {
            lines.clear();
            lines.add(line);
        }

        private static String str(DirectBuffer b, int off, int len) {
            byte[] x = new byte[len];
            b.getBytes(off, x);
            return new String(x, StandardCharsets.ISO_8859_1);
        }
    }

    private static final List<String> BEFORE = List.of("a 5 abcdef 3", "b 4294967295 bee 2", "n 0 101 5");

    /** Stores a, b and n: CAS uniques 1 to 5, the highest on n. */
    private static void fill(DurableQrrot q) {
        McClient mc = new McClient(q);
        assertEquals("STORED", mc.set("a", 5, 0, "abc"));
        assertEquals("STORED", mc.set("b", -1, 1000, "bee"));
        assertEquals(List.of("STORED"), mc.run(Op.APPEND, 0, 0, 0, "a", "def"));
        assertEquals("STORED", mc.set("n", 0, 0, "100"));
        assertEquals(List.of("101"), mc.run(Op.INCR, 0, 0, 1, "n"));
        assertEquals(BEFORE, mc.gets("a", "b", "n"));
        assertEquals(5, lastCas(q));
    }

    private static long lastCas(DurableQrrot q) {
        return q.engine().memcached().lastCas() - BASE;
    }

    /** The items are as {@link #fill} left them, and a new store gets the next unique. */
    private static void check(DurableQrrot q, AtomicLong now, long nextCas) {
        McClient mc = new McClient(q);
        Db db = new Db(q);
        assertEquals(BEFORE, mc.gets("a", "b", "n"));
        assertEquals("(integer) " + (START + 1_000_000 - now.get()), db.run("PTTL", "b"));
        assertEquals("(integer) 3", db.run("EXISTS", "a", "b", "n"));
        assertEquals(nextCas - 1, lastCas(q));
        assertEquals("STORED", mc.set("new", 1, 0, "x"));
        assertEquals(List.of("new 1 x " + nextCas), mc.gets("new"));
        assertEquals(List.of("DELETED"), mc.run(Op.DELETE, 0, 0, 0, "new"));
        assertEquals(3, q.engine().stats().items());
        assertEquals("string=0,int=0,json=0,hash=0,list=0,set=0,zset=0,memcached=3",
                q.info().get("keyspace").get("qrrot_types"));
    }

    @Test
    void itemsSurviveAReopenFromTheWal() throws Exception {
        AtomicLong now = new AtomicLong(START);
        try (DurableQrrot q = DurableQrrot.open(dir, TestOptions.clocked(now))) {
            fill(q);
        }
        try (DurableQrrot q = DurableQrrot.open(dir, TestOptions.clocked(now))) {
            check(q, now, 6); // the same millisecond: the uniques replayed from the log raise the counter
        }
        now.addAndGet(1000);
        try (DurableQrrot q = DurableQrrot.open(dir, TestOptions.clocked(now))) {
            check(q, now, 1_000_001); // a second later: the clock's microseconds, above 6 though "new" is gone
        }
    }

    @Test
    void itemsSurviveASnapshotAndTheWalAfterIt() throws Exception {
        AtomicLong now = new AtomicLong(START);
        try (DurableQrrot q = DurableQrrot.open(dir, TestOptions.clocked(now))) {
            McClient mc = new McClient(q);
            assertEquals("STORED", mc.set("a", 5, 0, "abc"));
            assertEquals("STORED", mc.set("b", -1, 1000, "bee"));
            q.saveSnapshot();
            assertEquals(List.of("STORED"), mc.run(Op.APPEND, 0, 0, 0, "a", "def"));
            assertEquals("STORED", mc.set("n", 0, 0, "100"));
            assertEquals(List.of("101"), mc.run(Op.INCR, 0, 0, 1, "n"));
            assertEquals(BEFORE, mc.gets("a", "b", "n"));
        }
        try (DurableQrrot q = DurableQrrot.open(dir, TestOptions.clocked(now))) {
            check(q, now, 6);
            q.saveSnapshot(); // the items and the deletion of "new" folded in
        }
        now.addAndGet(2000);
        try (DurableQrrot q = DurableQrrot.open(dir, TestOptions.clocked(now))) {
            McClient mc = new McClient(q);
            assertEquals(BEFORE, mc.gets("a", "b", "n"));
            assertEquals(2_000_000, lastCas(q));
            assertEquals("STORED", mc.set("later", 0, 0, "y"));
            List<String> got = mc.gets("later");
            // Not 6 again, though "new" (which had 6) was deleted before the fold and nothing holds it.
            assertEquals(List.of("later 0 y 2000001"), got);
            Db db = new Db(q);
            assertEquals("bee", db.run("GET", "b"));
            assertEquals("string", db.run("TYPE", "b"));
        }
    }

    @Test
    void itemsSurviveASnapshotAlone() throws Exception {
        AtomicLong now = new AtomicLong(START);
        try (DurableQrrot q = DurableQrrot.open(dir, TestOptions.clocked(now))) {
            fill(q);
            q.saveSnapshot();
        }
        try (DurableQrrot q = DurableQrrot.open(dir, TestOptions.clocked(now))) {
            check(q, now, 6);
        }
    }
}
