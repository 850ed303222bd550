package io.qrrot.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.EffectCodec;
import io.qrrot.engine.EffectFormatException;
import io.qrrot.engine.EffectLog;
import io.qrrot.engine.EffectVisitor;
import io.qrrot.engine.Engine;
import io.qrrot.engine.Session;
import io.qrrot.engine.store.EntryType;
import io.qrrot.testkit.TextReply;
import io.qrrot.wal.WalReader;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded random workload of every list command that writes (the pushes, the pops with and without counts,
 * LSET, LINSERT, many of them at one spot so that ranges of labels are relabelled, LREM from
 * either end, LTRIM, LMOVE in all four directions and onto its own key, RPOPLPUSH, LMPOP, the blocking forms on
 * keys that have elements, MULTI/EXEC blocks; and a LINSERT at one of two hot spots every fourth command, see
 * {@link Hot}) mixed with DEL, expiries, RENAME and COPY of lists, FLUSHALL, and
 * strings, hashes, sets and sorted sets on the same keys, run on a {@link DurableQrrot}. A second engine follows
 * the WAL record by record, so that the first command whose records replay differently is the one named; at
 * the end the database is reopened, which replays its whole WAL on an empty store. Every time, what is compared
 * is every live key's type, TTL and content ({@link StoreContents}: a list's labels and values) and, for a
 * list, LRANGE 0 -1, LLEN and PTTL as the engines answer them. Seeded: the seed is printed, {@code -Dseed=N}
 * repeats a run.
 */
@Timeout(600)
class ListReplayTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final String[] LKEYS = {"l1", "l2", "l3", "l4"};
    /** The value LINSERT mostly takes as its pivot: inserts before its first occurrence go to one spot. */
    private static final String PIVOT = "P";

    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(NOW);

    QrrotOptions options() {
        return TestOptions.clocked(now);
    }

    /** Small lists, many inserts at one spot. Compared after every command. */
    @Test
    void replayRebuildsTheSameSmallLists() throws IOException {
        run(5000, false, 1);
    }

    /**
     * With "big" growing past ten thousand elements (many nodes: splits, merges, a directory that grows), LINSERTs
     * in its middle and at its hot spot relabelling windows of it, and elements past a node's size.
     */
    @Test
    void replayRebuildsTheSameLargeLists() throws IOException {
        run(4000, true, 40);
    }

    /** What the workload did, counted from its records: so that a run shows it covered what it is for. */
    static final class Coverage {
        int midpointInserts;
        int windowRelabels;
        int wholeRelabels;
        int biggest;

        @Override
        public String toString() {
            return midpointInserts + " LINSERTs between neighbours, " + windowRelabels + " relabelled windows, "
                    + wholeRelabels + " relabelled whole lists, the longest list " + biggest + " elements";
        }
    }

    private void run(int commands, boolean big, int compareEvery) throws IOException {
        long seed = Long.getLong("seed", System.nanoTime());
        System.out.println("ListReplayTest seed=" + seed + " (-Dseed=" + seed + " to repeat), " + commands
                + " commands" + (big ? ", a big list" : ""));
        Random r = new Random(seed);
        Gen gen = new Gen(r, big);
        List<String> history = new ArrayList<>();
        Coverage coverage = new Coverage();
        long t0 = System.nanoTime();
        Map<String, String> last;
        long records;
        int errors = 0;
        try (DurableQrrot q = DurableQrrot.open(dir, options());
             Engine follower = options().newEngine(0)) {
            Db db = new Db(q);
            Hot hot = new Hot(big ? 3000 : 300);
            long applied = 0;
            for (int i = 0; i <= commands; i++) {
                String[] cmd = i < commands ? gen.command() : new String[] {"EXEC"}; // an open MULTI runs
                String[] insert = hot.insert(db, gen, i, "");
                cmd = insert != null ? insert : cmd;
                String reply = step(db, gen, cmd, history);
                hot.after(db, cmd, history);
                errors += reply.startsWith("(error)") || reply.contains("EXECABORT") ? 1 : 0;
                String where = "seed=" + seed + ", command " + i + ", last commands:\n  "
                        + String.join("\n  ", history.subList(Math.max(0, history.size() - 12), history.size()));
                assertFalse(reply.contains("could not apply"), where + "\nreply: " + reply);
                // The follower applies what the WAL holds by now (the command's records, an expiry's deletions).
                long before = applied;
                applied = follow(q, follower, applied, where);
                if (cmd[0].equals("LINSERT")) {
                    count(q, before, applied, coverage);
                }
                if (i % compareEvery == 0 || i == commands) {
                    assertSameLists(q.engine(), follower, now.get(), where);
                    coverage.biggest = Math.max(coverage.biggest, longest(q.engine()));
                }
                if (r.nextInt(60) == 0) {
                    now.addAndGet(2L * r.nextInt(1500)); // keys expire (the expiries set are odd, the clock even)
                }
            }
            last = contents(q.engine(), now.get());
            records = applied;
        }
        long t1 = System.nanoTime();
        // The WAL replayed on an empty store, by recovery.
        try (DurableQrrot q = DurableQrrot.open(dir, options())) {
            String where = "seed=" + seed + ": the WAL replayed on an empty store, last commands: "
                    + history.subList(Math.max(0, history.size() - 20), history.size());
            CollectionFoldTest.assertSameKeys(last, contents(q.engine(), now.get()), where);
            assertTrue(last.values().stream().anyMatch(v -> v.startsWith("list ")), "the workload leaves lists");
        }
        System.out.printf("  %d records (%d commands refused), %s; run in %.1f s, replayed in %.1f s%n", records,
                errors, coverage, (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
        // Relabelling a whole list (a rare path: ListLabelsTest, and ListFoldTest's push) is counted, not required.
        assertTrue(coverage.windowRelabels > 0, "LINSERT relabelled: " + coverage);
        if (big) {
            assertTrue(coverage.biggest > 10_000, "the big list grew: " + coverage);
        }
    }

    /**
     * LINSERTs at one spot, again and again, on two lists the workload does not touch (but with a FLUSHALL): in
     * "hot-small", kept at three elements by an LPOP after each, with a TTL, and in "hot-big", until their labels
     * there meet and a range of them is relabelled.
     */
    static final class Hot {
        final int bigSize;

        Hot(int bigSize) {
            this.bigSize = bigSize;
        }

        /** One command in four (outside MULTI): a LINSERT at a hot spot, to run instead of the workload's. */
        String[] insert(Db db, Gen gen, int i, String tag) {
            if (i % 4 != 0 || gen.inMulti) {
                return null;
            }
            if (db.run("EXISTS", "hot-small").equals("(integer) 0")) {
                db.run("RPUSH", "hot-small", "a", PIVOT, "b");
                db.run("PEXPIRE", "hot-small", "1000000001");
            }
            if (db.run("EXISTS", "hot-big").equals("(integer) 0")) {
                for (int from = 0; from < bigSize; from += 500) {
                    List<String> push = new ArrayList<>(List.of("RPUSH", "hot-big"));
                    for (int j = from; j < Math.min(bigSize, from + 500); j++) {
                        push.add(j == bigSize / 2 ? PIVOT : "h" + j);
                    }
                    db.run(push.toArray(String[]::new));
                }
            }
            return new String[] {"LINSERT", i % 8 == 0 ? "hot-small" : "hot-big", "BEFORE", PIVOT, "x" + tag + i};
        }

        /** After a LINSERT into "hot-small", its head goes: three elements again. */
        void after(Db db, String[] cmd, List<String> history) {
            if (cmd[0].equals("LINSERT") && cmd[1].equals("hot-small")) {
                history.add("LPOP hot-small");
                db.run("LPOP", "hot-small");
            }
        }
    }

    /**
     * Runs one command of the workload on {@code db} and returns its reply. A blocking form waits when its keys
     * are empty (outside MULTI): the first of them is given an element first.
     */
    static String step(Db db, Gen gen, String[] cmd, List<String> history) {
        if (gen.blocking(cmd) && !gen.inMulti) {
            boolean any = false;
            for (String k : gen.blockingKeys(cmd)) {
                any |= !db.run("TYPE", k).equals("none");
            }
            if (!any) {
                String[] push = {"RPUSH", gen.blockingKeys(cmd).get(0), gen.value()};
                history.add(String.join(" ", push));
                db.run(push);
            }
        }
        gen.track(cmd);
        history.add(shorten(cmd));
        return db.run(cmd);
    }

    /** Applies the WAL's records after LSN {@code applied} to {@code follower}; returns the last LSN applied. */
    private static long follow(DurableQrrot q, Engine follower, long applied, String where) throws IOException {
        try (WalReader reader = q.wal().reader(applied + 1)) {
            while (reader.next()) {
                DirectBuffer rec = reader.payload();
                try {
                    follower.applyEffect(rec, 0, rec.capacity());
                } catch (RuntimeException e) {
                    throw new AssertionError(where + "\nreplaying record " + reader.lsn() + " "
                            + describe(reader.payloadBytes()) + ": " + e, e);
                }
                applied = reader.lsn();
            }
        }
        return applied;
    }

    /** Counts LINSERT's kinds of records among LSNs {@code from + 1..to}. */
    static void count(DurableQrrot q, long from, long to, Coverage coverage) throws IOException {
        // The background expirer may have appended a record the WAL has not written yet: read what is written.
        to = Math.min(to, q.wal().durableLsn());
        if (to <= from) {
            return;
        }
        try (WalReader reader = q.wal().reader(from + 1, to)) {
            while (reader.next()) {
                int[] ops = new int[4]; // list element puts, list element deletes, DELs, puts in one op at most
                DirectBuffer rec = reader.payload();
                EffectCodec.decode(rec, 0, rec.capacity(), new Visitor() {
                    byte lastOp;
                    int run;

                    @Override
                    public void delete(DirectBuffer key, int koff, int klen) {
                        ops[2]++;
                        lastOp = 0;
                    }

                    @Override
                    public void elementPut(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element,
                                           int eoff, int elen, DirectBuffer payload, int poff, int plen) {
                        if (type == EntryType.LIST) {
                            ops[0]++;
                            run = lastOp == 1 ? run + 1 : 1;
                            lastOp = 1;
                            ops[3] = Math.max(ops[3], run);
                        }
                    }

                    @Override
                    public void elementDelete(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element,
                                              int eoff, int elen) {
                        if (type == EntryType.LIST) {
                            ops[1]++;
                            lastOp = 2;
                        }
                    }
                });
                if (ops[0] == 1 && ops[1] == 0 && ops[2] == 0) {
                    coverage.midpointInserts++;
                } else if (ops[1] > 0 && ops[3] > 1 && ops[2] == 0) {
                    coverage.windowRelabels++;
                } else if (ops[2] > 0 && ops[3] > 1) {
                    coverage.wholeRelabels++;
                }
            }
        }
    }

    // ---- the workload ----

    /** The workload's commands. */
    static final class Gen {
        final Random r;
        final boolean big;
        boolean inMulti;

        Gen(Random r, boolean big) {
            this.r = r;
            this.big = big;
        }

        String lkey() {
            if (big && r.nextInt(3) == 0) {
                return "big";
            }
            return LKEYS[r.nextInt(LKEYS.length)];
        }

        String value() {
            switch (r.nextInt(40)) {
                case 0: case 1: case 2: case 3: case 4: case 5:
                    return PIVOT;
                case 6:
                    return "";
                case 7:
                    // Now and then an element past a node's 4 KiB: a node of its own.
                    return r.nextInt(8) == 0 ? "L" + r.nextInt(3) + "-" + "x".repeat(4100 + r.nextInt(3000))
                            : "long-" + "y".repeat(r.nextInt(300));
                case 8: case 9:
                    return Integer.toString(r.nextInt(20) - 10);
                default:
                    return "v" + r.nextInt(25);
            }
        }

        String index() {
            return Integer.toString(r.nextInt(5) == 0 ? r.nextInt(400) - 200 : r.nextInt(12) - 6);
        }

        String side() {
            return r.nextBoolean() ? "LEFT" : "RIGHT";
        }

        String timeout() {
            return new String[] {"0", "0.5", "1", "3"}[r.nextInt(4)];
        }

        String[] push(String cmd, String k, int n) {
            List<String> a = new ArrayList<>(List.of(cmd, k));
            for (int i = 0; i < n; i++) {
                a.add(value());
            }
            return a.toArray(String[]::new);
        }

        /** A burst of pushes onto "big": values b0..b999, so that LINSERTs find pivots all along it. */
        String[] bigBurst() {
            List<String> a = new ArrayList<>(List.of(r.nextInt(4) == 0 ? "LPUSH" : "RPUSH", "big"));
            for (int i = 0, n = 100 + r.nextInt(300); i < n; i++) {
                a.add("b" + r.nextInt(1000));
            }
            return a.toArray(String[]::new);
        }

        String[] command() {
            while (true) {
                String[] cmd = anyCommand();
                // "big" is to grow: what would delete it or make it another type runs on it now and then only.
                boolean transaction = cmd[0].equals("MULTI") || cmd[0].equals("EXEC") || cmd[0].equals("DISCARD");
                if (transaction && inMulti == cmd[0].equals("MULTI") && r.nextInt(10) != 0) {
                    continue; // mostly no nested MULTI, no EXEC without one (a few, for their errors)
                }
                if (!big || !hurtsBig(cmd) || r.nextInt(100) == 0) {
                    return cmd;
                }
            }
        }

        private static boolean hurtsBig(String[] cmd) {
            switch (cmd[0]) {
                case "FLUSHALL":
                    return true;
                case "DEL": case "RENAME": case "SET": case "HSET": case "SADD": case "ZADD": case "LTRIM":
                case "PEXPIRE":
                    return cmd[1].equals("big") || cmd[0].equals("RENAME") && cmd[2].equals("big");
                case "COPY":
                    return cmd[2].equals("big");
                default:
                    return false;
            }
        }

        private String[] anyCommand() {
            String k = lkey();
            if (big && r.nextInt(10) == 0) {
                return bigBurst();
            }
            switch (r.nextInt(50)) {
                case 0: case 1: case 2:
                    return push("RPUSH", k, 1 + (r.nextInt(6) == 0 ? r.nextInt(30) : r.nextInt(3)));
                case 3: case 4: case 5:
                    return push("LPUSH", k, 1 + (r.nextInt(6) == 0 ? r.nextInt(30) : r.nextInt(3)));
                case 6:
                    return push(r.nextBoolean() ? "LPUSHX" : "RPUSHX", k, 1 + r.nextInt(3));
                case 7: case 8:
                    return new String[] {r.nextBoolean() ? "LPOP" : "RPOP", k};
                case 9:
                    return new String[] {r.nextBoolean() ? "LPOP" : "RPOP", k,
                        Integer.toString(r.nextInt(5) == 0 ? r.nextInt(100) : r.nextInt(4))};
                case 10: case 11:
                    return new String[] {"LSET", k, index(), value()};
                case 12: case 13: case 14: case 15: case 16: case 17: case 18: case 19: case 20:
                    // Mostly at the first P: the same spot again and again, until its neighbours' labels meet.
                    return new String[] {"LINSERT", k, r.nextInt(3) == 0 ? "AFTER" : "BEFORE",
                        r.nextInt(6) == 0 ? value() : big && k.equals("big") && r.nextBoolean()
                                ? "b" + r.nextInt(1000) : PIVOT, value()};
                case 21: case 22:
                    return new String[] {"LREM", k, Integer.toString(r.nextInt(7) - 3), value()};
                case 23:
                    return new String[] {"LTRIM", k, Integer.toString(r.nextInt(6) - 1),
                        Integer.toString(r.nextInt(4) == 0 ? r.nextInt(10) - 5 : -1 - r.nextInt(3))};
                case 24: case 25: {
                    String to = r.nextInt(4) == 0 ? k : lkey();
                    return new String[] {"LMOVE", k, to, side(), side()};
                }
                case 26:
                    return new String[] {"RPOPLPUSH", k, r.nextInt(3) == 0 ? k : lkey()};
                case 27: {
                    int n = 1 + r.nextInt(3);
                    List<String> a = new ArrayList<>(List.of("LMPOP", Integer.toString(n)));
                    for (int i = 0; i < n; i++) {
                        a.add(i == 0 ? k : anyKey());
                    }
                    a.add(side());
                    if (r.nextBoolean()) {
                        a.add("COUNT");
                        a.add(Integer.toString(1 + r.nextInt(r.nextInt(4) == 0 ? 50 : 4)));
                    }
                    return a.toArray(String[]::new);
                }
                case 28:
                    return r.nextBoolean() ? new String[] {"BLPOP", k, lkey(), timeout()}
                            : new String[] {"BRPOP", k, timeout()};
                case 29:
                    return r.nextInt(3) == 0 ? new String[] {"BRPOPLPUSH", k, lkey(), timeout()}
                            : new String[] {"BLMOVE", k, r.nextInt(3) == 0 ? k : lkey(), side(), side(), timeout()};
                case 30: {
                    int n = 1 + r.nextInt(2);
                    List<String> a = new ArrayList<>(List.of("BLMPOP", timeout(), Integer.toString(n)));
                    for (int i = 0; i < n; i++) {
                        a.add(i == 0 ? k : lkey());
                    }
                    a.add(side());
                    if (r.nextBoolean()) {
                        a.add("COUNT");
                        a.add(Integer.toString(1 + r.nextInt(6)));
                    }
                    return a.toArray(String[]::new);
                }
                case 31:
                    return new String[] {"MULTI"};
                case 32: case 33:
                    return new String[] {"EXEC"};
                case 34:
                    return new String[] {"PEXPIRE", anyKey(), Integer.toString(1 + 2 * r.nextInt(1500))};
                case 35:
                    return new String[] {"PERSIST", anyKey()};
                case 36: case 46:
                    return new String[] {"DEL", r.nextInt(5) == 0 ? anyKey() : k};
                case 37:
                    return new String[] {"RENAME", k, anyKey()};
                case 38:
                    return r.nextBoolean() ? new String[] {"COPY", k, anyKey(), "REPLACE"}
                            : new String[] {"COPY", k, anyKey()};
                case 39:
                    return new String[] {"SET", otherKey(), value()};
                case 40:
                    return new String[] {"HSET", otherKey(), value(), value()};
                case 41:
                    return new String[] {"SADD", otherKey(), value()};
                case 42:
                    return new String[] {"ZADD", otherKey(), Integer.toString(r.nextInt(9)), value()};
                case 43:
                    return new String[] {"LRANGE", k, "0", "-1"};
                case 44:
                    return new String[] {"LPOS", k, PIVOT, "RANK", Integer.toString(r.nextBoolean() ? 1 : -1)};
                case 45:
                    return r.nextInt(40) == 0 ? new String[] {"FLUSHALL"} : new String[] {"DISCARD"};
                default:
                    // A small list pushed whole: pivots and values for what follows.
                    return new String[] {"RPUSH", k, "a", PIVOT, "b", PIVOT, "c"};
            }
        }

        /** Mostly a key of another type, now and then a list's: it then holds that type until a DEL. */
        String otherKey() {
            return r.nextInt(4) == 0 ? lkey() : new String[] {"s1", "h1", "z1", "l9"}[r.nextInt(4)];
        }

        String anyKey() {
            if (r.nextInt(6) == 0) {
                return new String[] {"s1", "h1", "l9"}[r.nextInt(3)];
            }
            return lkey();
        }

        boolean blocking(String[] cmd) {
            return cmd[0].startsWith("B");
        }

        /** The keys whose emptiness makes a blocking form wait: all of BLPOP's, BLMPOP's; BLMOVE's source. */
        List<String> blockingKeys(String[] cmd) {
            switch (cmd[0]) {
                case "BLPOP":
                case "BRPOP":
                    return List.of(cmd).subList(1, cmd.length - 1);
                case "BLMPOP":
                    return List.of(cmd).subList(3, 3 + Integer.parseInt(cmd[2]));
                default:
                    return List.of(cmd[1]);
            }
        }

        void track(String[] cmd) {
            if (cmd[0].equals("MULTI")) {
                inMulti = true;
            } else if (cmd[0].equals("EXEC") || cmd[0].equals("DISCARD")) {
                inMulti = false;
            }
        }
    }

    private static String shorten(String[] cmd) {
        StringBuilder sb = new StringBuilder();
        for (String a : cmd) {
            sb.append(sb.length() == 0 ? "" : " ").append(a.length() > 40 ? a.substring(0, 20) + "…(" + a.length()
                    + " bytes)" : a);
        }
        return sb.length() > 400 ? sb.substring(0, 400) + "…" : sb.toString();
    }

    // ---- what is compared ----

    /**
     * Every key alive at {@code now} (key hex → its text), as {@link StoreContents#entries} shows it (a list: its
     * labels and values, expiry last), and for a list (key hex + " list") LLEN and LRANGE 0 -1 as the engine
     * answers them. Reads only.
     */
    static TreeMap<String, String> contents(Engine e, long now) {
        TreeMap<String, String> out = new TreeMap<>();
        TreeMap<String, String> entries = StoreContents.entries(e);
        try (Session s = e.newSession()) {
            entries.forEach((hexKey, v) -> {
                if (!alive(v, now)) {
                    return; // not read: a read would delete it (lazy expiry) and log nothing
                }
                String key = new String(HexFormat.of().parseHex(hexKey), StandardCharsets.UTF_8);
                out.put(hexKey, v);
                if (v.startsWith(EntryType.LIST + " ")) {
                    out.put(hexKey + " list", "list " + read(e, s, "LLEN", key) + " "
                            + read(e, s, "LRANGE", key, "0", "-1"));
                }
            });
        }
        return out;
    }

    /** What of {@link #contents} is still alive at {@code now}. */
    static TreeMap<String, String> alive(Map<String, String> contents, long now) {
        TreeMap<String, String> out = new TreeMap<>();
        contents.forEach((k, v) -> {
            String entry = k.endsWith(" list") ? contents.get(k.substring(0, k.length() - 5)) : v;
            if (alive(entry, now)) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static boolean alive(String entry, long now) {
        long expiry = Long.parseLong(entry.substring(entry.lastIndexOf(' ') + 1));
        return expiry == 0 || expiry > now;
    }

    /**
     * The live store and another: the same keys alive, the same lists, the same PTTLs. And in the live one, each
     * list's elements in label order are what LRANGE 0 -1 answers.
     */
    static void assertSameLists(Engine live, Engine other, long now, String where) {
        Map<String, String> expected = contents(live, now);
        Map<String, String> actual = contents(other, now);
        CollectionFoldTest.assertSameKeys(expected, actual, where);
        try (Session s = live.newSession(); Session o = other.newSession()) {
            expected.forEach((hexKey, v) -> {
                if (hexKey.endsWith(" list")) {
                    return;
                }
                String key = new String(HexFormat.of().parseHex(hexKey), StandardCharsets.UTF_8);
                assertEquals(read(live, s, "PTTL", key), read(other, o, "PTTL", key), where + ": PTTL " + key);
                if (v.startsWith(EntryType.LIST + " ")) {
                    assertEquals(labelOrder(v), read(live, s, "LRANGE", key, "0", "-1"), where + ": the order of "
                            + key);
                }
            });
        }
    }

    /** A list's values in label order, as LRANGE would render them, from its {@link StoreContents} text. */
    private static String labelOrder(String entry) {
        String elements = entry.substring(entry.indexOf('{') + 1, entry.lastIndexOf('}'));
        TextReply reply = new TextReply();
        String[] parts = elements.isEmpty() ? new String[0] : elements.split(",");
        reply.array(parts.length);
        for (String p : parts) {
            byte[] value = HexFormat.of().parseHex(p.substring(p.indexOf('=') + 1));
            reply.bulk(new UnsafeBuffer(value), 0, value.length);
        }
        return reply.text();
    }

    /** A read on an engine: logs nothing (only alive keys are read, so no lazy expiry deletes one). */
    static String read(Engine e, Session s, String... args) {
        TextReply reply = new TextReply();
        e.execute(s, CommandArgs.of(args), reply, EffectLog.NONE);
        return reply.text();
    }

    /** The length of the longest list in an engine. */
    static int longest(Engine e) {
        int[] most = {0};
        StoreContents.entries(e).forEach((k, v) -> {
            if (v.startsWith(EntryType.LIST + " ")) {
                most[0] = Math.max(most[0], v.split("=", -1).length - 1);
            }
        });
        return most[0];
    }

    /** A record's ops as text, list labels as numbers: for failure messages. */
    static String describe(byte[] rec) {
        StringBuilder sb = new StringBuilder("[");
        try {
            EffectCodec.decode(new UnsafeBuffer(rec), 0, rec.length, new Visitor() {
                @Override
                public void put(byte type, DirectBuffer key, int koff, int klen, DirectBuffer value, int voff,
                                int vlen, long expiry) {
                    sb.append(" PUT ").append(text(key, koff, klen)).append(" type ").append(type);
                }

                @Override
                public void delete(DirectBuffer key, int koff, int klen) {
                    sb.append(" DEL ").append(text(key, koff, klen));
                }

                @Override
                public void expire(DirectBuffer key, int koff, int klen, long expiry) {
                    sb.append(" EXPIRE ").append(text(key, koff, klen)).append(' ').append(expiry);
                }

                @Override
                public void clear() {
                    sb.append(" CLEAR");
                }

                @Override
                public void createAsTable(byte type, DirectBuffer key, int koff, int klen) {
                    sb.append(" AS_TABLE ").append(text(key, koff, klen));
                }

                @Override
                public void elementPut(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff,
                                       int elen, DirectBuffer payload, int poff, int plen) {
                    sb.append(" EPUT(").append(type).append(") ").append(text(key, koff, klen)).append(' ')
                            .append(element(type, element, eoff, elen)).append('=')
                            .append(text(payload, poff, Math.min(plen, 30)));
                }

                @Override
                public void elementDelete(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element,
                                          int eoff, int elen) {
                    sb.append(" EDEL(").append(type).append(") ").append(text(key, koff, klen)).append(' ')
                            .append(element(type, element, eoff, elen));
                }
            });
        } catch (EffectFormatException e) {
            return "(not decodable: " + e.getMessage() + ")";
        }
        String s = sb.append(" ]").toString();
        return s.length() > 2000 ? s.substring(0, 2000) + "…" : s;
    }

    private static String element(byte type, DirectBuffer b, int off, int len) {
        if (type == EntryType.LIST && len == 8) {
            return "#" + (b.getLong(off, ByteOrder.BIG_ENDIAN) ^ Long.MIN_VALUE);
        }
        return "'" + text(b, off, len) + "'";
    }

    private static String text(DirectBuffer b, int off, int len) {
        byte[] x = new byte[len];
        b.getBytes(off, x);
        return new String(x, StandardCharsets.UTF_8);
    }

    /** An effect visitor that ignores what it does not override. */
    abstract static class Visitor implements EffectVisitor {
        @Override
        public void put(byte type, DirectBuffer key, int koff, int klen, DirectBuffer value, int voff, int vlen,
                        long expiry) {
        }

        @Override
        public void delete(DirectBuffer key, int koff, int klen) {
        }

        @Override
        public void expire(DirectBuffer key, int koff, int klen, long expiry) {
        }

        @Override
        public void clear() {
        }

        @Override
        public void elementPut(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff,
                               int elen, DirectBuffer payload, int poff, int plen) {
        }

        @Override
        public void elementDelete(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff,
                                  int elen) {
        }
    }
}
