package io.qrrot.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.EffectCodec;
import io.qrrot.engine.EffectLog;
import io.qrrot.engine.Engine;
import io.qrrot.engine.Session;
import io.qrrot.engine.store.CollectionView;
import io.qrrot.engine.store.EntryType;
import io.qrrot.recovery.fold.DeltaSort;
import io.qrrot.recovery.snapshot.SnapshotInfo;
import io.qrrot.recovery.snapshot.SnapshotOrder;
import io.qrrot.recovery.snapshot.SnapshotReader;
import io.qrrot.recovery.snapshot.SnapshotVisitor;
import io.qrrot.recovery.snapshot.SnapshotWriter;
import io.qrrot.storage.FileStorage;
import io.qrrot.testkit.TextReply;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fold of lists, whose elements are labels (8 bytes, in label order: the list's order) with values.
 *
 * <p>End to end: the seeded list workload of {@link ListReplayTest} (every writing list command, LINSERTs that
 * relabel windows and whole lists, a list growing to tens of thousands of elements, other types on the same
 * keys, renames, expiries) run on a {@link DurableQrrot} over several rounds, compacted with a sort budget so
 * small that every fold spills; each round's records change lists that the previous snapshot holds. After
 * every compaction the newest snapshot loaded alone into a fresh engine holds what the live store holds (every
 * label and value, LRANGE, every TTL), and so does every restart.
 *
 * <p>Large: a snapshot holding a list of 200,000 elements (irregular labels, adjacent ones too) and one whose
 * labels reach the top of the label space, loaded into an engine that then runs list commands on them (the
 * records name the snapshot's labels; LINSERTs at one spot relabel windows; an RPUSH finds no room past the
 * tail and relabels the whole second list): the records folded into the snapshot under a small sort budget,
 * element by element, give exactly the engine's lists, and load as them. A long variant does it with a
 * million elements. And a data directory whose snapshot holds a large list: commands on it, restarts (the
 * snapshot and the WAL after it), a compaction, each checked against a model of the list. Prints its seed.
 */
class ListFoldTest {
    private static final long SEED = Long.getLong("qrrot.seed", System.nanoTime());
    private static final long NOW = 1_700_000_000_000L;
    private static final long STRIDE = CollectionView.LABEL_STRIDE;

    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(NOW);

    QrrotOptions options() {
        return TestOptions.clocked(now).withCompactMemoryBytes(2048);
    }

    /** The newest snapshot loaded alone into a fresh engine, as {@link ListReplayTest#contents} shows it. */
    private TreeMap<String, String> loadNewest(int threads) throws IOException {
        try (SnapshotReader r = SnapshotReader.open(FileStorage.INSTANCE, SnapshotFiles.newestOf(dir));
             Engine e = options().newEngine(0)) {
            SnapshotLoad.load(r, e, threads);
            return ListReplayTest.contents(e, now.get());
        }
    }

    // ---- end to end ----

    @Test
    @Timeout(600)
    void listWorkloadsFoldIntoSnapshotsThatLoadAsTheLiveStore() throws IOException {
        System.out.println("ListFoldTest seed=" + SEED + " (rerun with -Dqrrot.seed=" + SEED + ")");
        Random rnd = new Random(SEED);
        ListReplayTest.Gen gen = new ListReplayTest.Gen(rnd, true);
        ListReplayTest.Hot hot = new ListReplayTest.Hot(3000);
        List<String> history = new ArrayList<>();
        ListReplayTest.Coverage coverage = new ListReplayTest.Coverage();
        TreeMap<String, String> expected = null;
        int compactions = 0;
        long t0 = System.nanoTime();
        for (int round = 0; round < 8; round++) {
            String where = "seed=" + SEED + " round=" + round;
            TreeMap<String, String> live;
            try (DurableQrrot q = DurableQrrot.open(dir, options())) {
                Db db = new Db(q);
                if (expected != null) {
                    // What the previous round left, rebuilt from its snapshot and the log after it.
                    CollectionFoldTest.assertSameKeys(expected, ListReplayTest.contents(q.engine(), now.get()),
                            where + ": after a restart");
                }
                long lsn = q.wal().lastLsn();
                for (int i = 0; i < 400; i++) {
                    String[] cmd = i < 399 ? gen.command() : new String[] {"EXEC"};
                    String[] insert = hot.insert(db, gen, i, round + "-");
                    cmd = insert != null ? insert : cmd;
                    String reply = ListReplayTest.step(db, gen, cmd, history);
                    hot.after(db, cmd, history);
                    assertFalse(reply.contains("could not apply"), where + ": " + String.join(" ", cmd) + " -> "
                            + reply + "; last commands " + history.subList(Math.max(0, history.size() - 10),
                            history.size()));
                    if (cmd[0].equals("LINSERT")) {
                        ListReplayTest.count(q, lsn, q.wal().lastLsn(), coverage);
                    }
                    lsn = q.wal().lastLsn();
                    if (rnd.nextInt(80) == 0) {
                        now.addAndGet(2L * rnd.nextInt(1000));
                    }
                }
                coverage.biggest = Math.max(coverage.biggest, ListReplayTest.longest(q.engine()));
                live = ListReplayTest.contents(q.engine(), now.get());
                boolean compact = round % 3 != 2; // some rounds leave their records to the next fold
                if (compact) {
                    Qrrot.SnapshotResult saved = q.saveSnapshot();
                    compactions++;
                    assertEquals(live.keySet().stream().filter(k -> !k.endsWith(" list")).count(), saved.keys(),
                            where + ": the snapshot's key count");
                    long spilled = Long.parseLong(q.info().get("persistence").get("compaction_spilled_bytes"));
                    assertTrue(spilled > 0, where + ": the fold spilled runs");
                    for (int threads = 1; threads <= 3; threads += 2) {
                        CollectionFoldTest.assertSameKeys(live, loadNewest(threads), where + ": the snapshot alone, "
                                + threads + " threads");
                    }
                }
            }
            now.addAndGet(2L * rnd.nextInt(1500)); // some keys expire
            expected = ListReplayTest.alive(live, now.get());
        }
        try (DurableQrrot q = DurableQrrot.open(dir, options())) {
            CollectionFoldTest.assertSameKeys(expected, ListReplayTest.contents(q.engine(), now.get()),
                    "seed=" + SEED + ": the last restart");
            q.saveSnapshot();
        }
        CollectionFoldTest.assertSameKeys(expected, loadNewest(2), "seed=" + SEED + ": the last snapshot");
        assertTrue(expected.values().stream().anyMatch(v -> v.startsWith(EntryType.LIST + " ")), "lists were folded");
        System.out.printf("  %d compactions, %s, in %.1f s%n", compactions + 1, coverage,
                (System.nanoTime() - t0) / 1e9);
        assertTrue(coverage.windowRelabels > 0, "LINSERT relabelled: " + coverage);
        assertTrue(coverage.biggest > 10_000, "a list grew large: " + coverage);
    }

    // ---- large lists: the engine's records folded into the snapshot it loaded ----

    @Test
    @Timeout(600)
    void aLargeListTouchedByManyCommandsFoldsElementByElement() throws IOException {
        Result r = fold(200_000, 240_000, 64 << 10);
        assertTrue(r.spilled > 0 && r.runs > 10, "the sort spilled: " + r.spilled + " bytes in " + r.runs + " runs");
        assertTrue(r.allocated < (4 << 20), "the merge allocated " + r.allocated + " bytes");
    }

    /** A million elements touched by two million commands: run by hand with {@code -Dgroups=long}. */
    @Test
    @Tag("long")
    void aMillionElementsTouchedByTwoMillionCommands() throws IOException {
        Result r = fold(1_000_000, 2_000_000, 16 << 20);
        assertTrue(r.spilled > 0, "the sort spilled: " + r.spilled + " bytes in " + r.runs + " runs");
        assertTrue(r.allocated < (16 << 20), "the merge allocated " + r.allocated + " bytes");
    }

    record Result(long spilled, int runs, long allocated) {
    }

    /** One list of a snapshot being written by hand: its key, expiry, labels and values. */
    record HandList(String key, long expiry, long[] labels, String[] values) {
        byte[] keyBytes() {
            return key.getBytes(StandardCharsets.UTF_8);
        }
    }

    static byte[] label(long label) {
        byte[] b = new byte[8];
        CollectionView.putLabel(new UnsafeBuffer(b), 0, label);
        return b;
    }

    /**
     * Labels as a list of pushes and LINSERTs leaves them: mostly STRIDE apart, some gaps of any size, runs of
     * adjacent labels (where a LINSERT must relabel), from {@code first} on.
     */
    static long[] irregularLabels(Random rnd, int n, long first) {
        long[] labels = new long[n];
        long l = first;
        for (int i = 0; i < n; i++) {
            labels[i] = l;
            int kind = rnd.nextInt(20);
            l += kind == 0 ? 1 : kind == 1 ? 1 + rnd.nextInt((int) STRIDE * 3) : kind == 2 ? 2 : STRIDE;
        }
        return labels;
    }

    /** Writes a hash-ordered snapshot of these lists at {@code baseLsn} into the directory {@code into}. */
    static SnapshotInfo writeSnapshot(Path into, long baseLsn, List<HandList> lists) throws IOException {
        List<HandList> sorted = new ArrayList<>(lists);
        sorted.sort(Comparator.comparing(HandList::keyBytes, (a, b) -> SnapshotOrder.compare(
                SnapshotOrder.hash(a, 0, a.length), a, a.length, SnapshotOrder.hash(b, 0, b.length), b, b.length)));
        try (SnapshotWriter w = SnapshotWriter.begin(FileStorage.INSTANCE, into, baseLsn, NOW, true)) {
            for (HandList l : sorted) {
                w.beginCollection(EntryType.LIST, l.keyBytes(), l.expiry());
                for (int i = 0; i < l.labels().length; i++) {
                    w.addElement(label(l.labels()[i]), l.values()[i].getBytes(StandardCharsets.UTF_8));
                }
            }
            return w.finish();
        }
    }

    /**
     * Writes a snapshot with the list "big" of {@code elements} elements (irregular labels) and the list "whole"
     * of a tenth of that whose last label leaves no room for a push, with a TTL; loads it into an engine; runs
     * {@code commands} list commands on the two, each record going to a {@link DeltaSort} of {@code budget}
     * bytes; folds the sorted records into the snapshot and checks the result, element by element, against the
     * engine, then loads it into another engine and compares the two.
     */
    private Result fold(int elements, int commands, long budget) throws IOException {
        System.out.println("ListFoldTest seed=" + SEED + " (rerun with -Dqrrot.seed=" + SEED + ")");
        Random rnd = new Random(SEED);
        long t0 = System.nanoTime();
        Path old = dir.resolve("old");
        long[] bigLabels = irregularLabels(rnd, elements, -(elements / 2) * STRIDE);
        String[] bigValues = new String[elements];
        for (int i = 0; i < elements; i++) {
            bigValues[i] = "e" + i;
        }
        int wholeCount = Math.max(10, elements / 10);
        long[] wholeLabels = irregularLabels(rnd, wholeCount, 0);
        long shift = CollectionView.LABEL_MAX - STRIDE / 2 - wholeLabels[wholeCount - 1];
        String[] wholeValues = new String[wholeCount];
        for (int i = 0; i < wholeCount; i++) {
            wholeLabels[i] += shift; // the tail at LABEL_MAX - STRIDE / 2: an RPUSH relabels the whole list
            wholeValues[i] = "w" + i;
        }
        long ttl = NOW + 1_000_000_001L;
        writeSnapshot(old, 1, List.of(new HandList("big", 0, bigLabels, bigValues),
                new HandList("whole", ttl, wholeLabels, wholeValues)));
        long t1 = System.nanoTime();

        Path out = dir.resolve("new");
        Files.createDirectories(out);
        SnapshotInfo written;
        long allocated;
        long spilled;
        int runs;
        ListReplayTest.Coverage coverage = new ListReplayTest.Coverage();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long t2;
        long t3;
        try (DeltaSort delta = new DeltaSort(FileStorage.INSTANCE, out, "snapshot-x.run", budget, 0, () -> { });
             Engine engine = QrrotOptions.defaults().withShards(4).withClock(now::get).newEngine(0)) {
            try (SnapshotReader r = SnapshotReader.open(FileStorage.INSTANCE, SnapshotFiles.newest(old))) {
                SnapshotLoad.load(r, engine, 2);
            }
            assertEquals(bigValues[elements - 1], one(engine, "LINDEX", "big", "-1"));
            assertEquals(Integer.toString(wholeCount), one(engine, "LLEN", "whole").replace("(integer) ", ""));
            t2 = System.nanoTime();
            // Every record the commands log goes to the sort, as the compactor reads it from the WAL.
            long[] records = {0};
            EffectLog log = (effect, offset, length) -> {
                EffectCodec.decode(effect, offset, length, delta);
                byte[] rec = new byte[length];
                effect.getBytes(offset, rec);
                classify(rec, coverage);
                return ++records[0];
            };
            Commands cmds = new Commands(engine, log, rnd, commands / 80);
            int rewriteAt = commands / 3;
            for (int c = 0; c < commands; c++) {
                cmds.next(c == rewriteAt);
            }
            assertEquals(0, cmds.errors, "commands refused, the last: " + cmds.lastError);
            t3 = System.nanoTime();
            long before = mx.getThreadAllocatedBytes(tid);
            try (SnapshotReader r = SnapshotReader.open(FileStorage.INSTANCE, SnapshotFiles.newest(old));
                 SnapshotWriter w = SnapshotWriter.begin(FileStorage.INSTANCE, out, 2, NOW, true)) {
                SnapshotMerge merge = new SnapshotMerge(delta.finish(), w, NOW, () -> { });
                r.readHashed(merge);
                merge.finish();
                written = w.finish();
            }
            allocated = mx.getThreadAllocatedBytes(tid) - before;
            spilled = delta.spilledBytes();
            runs = delta.runsWritten();
            long t4 = System.nanoTime();

            // The fold's result is the engine's lists, label by label.
            TreeMap<String, Elements> live = Elements.of(engine);
            TreeMap<String, Elements> folded = Elements.of(Path.of(written.file()));
            assertEquals(live.keySet(), folded.keySet(), "seed=" + SEED + ": the keys after the fold");
            live.forEach((k, e) -> e.assertSame(folded.get(k), "seed=" + SEED + ": " + k + " after the fold"));
            assertEquals(ttl, live.get("whole").expiry, "the relabelled list kept its TTL");
            long t5 = System.nanoTime();
            // Loaded into an engine: the same labels and values, LRANGE and LLEN alike.
            try (SnapshotReader r = SnapshotReader.open(FileStorage.INSTANCE, Path.of(written.file()));
                 Engine loaded = QrrotOptions.defaults().withShards(4).withClock(now::get).newEngine(0)) {
                SnapshotLoad.load(r, loaded, 3);
                TreeMap<String, Elements> again = Elements.of(loaded);
                live.forEach((k, e) -> e.assertSame(again.get(k), "seed=" + SEED + ": " + k + " loaded"));
                for (String k : live.keySet()) {
                    assertEquals(one(engine, "LLEN", k), one(loaded, "LLEN", k));
                    assertEquals(one(engine, "LRANGE", k, "0", "-1"), one(loaded, "LRANGE", k, "0", "-1"),
                            "seed=" + SEED + ": LRANGE " + k);
                    assertEquals(one(engine, "PTTL", k), one(loaded, "PTTL", k));
                }
            }
            System.out.printf("fold of a %,d-element list (and one of %,d relabelled whole) after %,d commands"
                            + " (%,d records, %s), budget %,d bytes: base written in %.2f s, loaded in %.2f s,"
                            + " commands in %.2f s, merged in %.2f s, %,d bytes spilled in %d runs, %,d bytes"
                            + " allocated by the merge, %,d elements after; checked and loaded again in %.2f s%n",
                    elements, wholeCount, commands, records[0], coverage.windowRelabels + " relabelled windows, "
                            + coverage.wholeRelabels + " relabelled whole list", budget, (t1 - t0) / 1e9,
                    (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9, spilled, runs, allocated,
                    live.get("big").size(), (System.nanoTime() - t5) / 1e9);
        }
        assertTrue(coverage.windowRelabels > 0, "LINSERT relabelled windows: " + coverage);
        assertEquals(1, coverage.wholeRelabels, "the RPUSH relabelled \"whole\": " + coverage);
        return new Result(spilled, runs, allocated);
    }

    /**
     * The commands of {@link #fold}, on "big" and "whole": LSET anywhere, pops and pushes at both ends, LINSERT
     * near the head (its pivot is found by a scan) and, {@code hotInserts} times, before one hot value, LREM,
     * LMOVE between the two, LTRIM, and once the RPUSH that relabels "whole". Every command must succeed.
     */
    static final class Commands {
        final Engine engine;
        final EffectLog log;
        final Random rnd;
        final Session session;
        final int hotInserts;
        int hot;
        boolean rewritten;
        int errors;
        String lastError;
        int counter;

        Commands(Engine engine, EffectLog log, Random rnd, int hotInserts) {
            this.engine = engine;
            this.log = log;
            this.rnd = rnd;
            this.hotInserts = hotInserts;
            this.session = engine.newSession();
            run("LSET", "big", "1500", "HOT");
        }

        String run(String... args) {
            TextReply reply = new TextReply();
            engine.execute(session, CommandArgs.of(args), reply, log);
            String text = reply.text();
            if (text.startsWith("(error)")) {
                errors++;
                lastError = String.join(" ", args) + " -> " + text;
            }
            return text;
        }

        private long len(String key) {
            return Long.parseLong(run("LLEN", key).replace("(integer) ", ""));
        }

        private String fresh() {
            return "n" + counter++;
        }

        void next(boolean rewrite) {
            if (rewrite) {
                run("RPUSH", "whole", fresh(), fresh());
                rewritten = true;
                return;
            }
            String key = rnd.nextInt(10) == 0 ? "whole" : "big";
            long n = len(key);
            if (n < 100) {
                run("LPUSH", key, fresh(), fresh(), fresh());
                return;
            }
            // Until its relabelling, "whole" keeps its tail (whose label leaves no room for a push) and grows at its
            // head only.
            boolean tail = !key.equals("whole") || rewritten;
            int what = rnd.nextInt(100);
            if (what < 35) {
                run("LSET", key, Long.toString(rnd.nextLong(n) - (rnd.nextBoolean() ? n : 0)), fresh());
            } else if (what < 45) {
                run(rnd.nextBoolean() && tail ? "RPOP" : "LPOP", key, Integer.toString(1 + rnd.nextInt(3)));
            } else if (what < 55) {
                run(rnd.nextBoolean() && tail ? "RPUSH" : "LPUSH", key, fresh(), fresh());
            } else if (what < 65) {
                // A pivot near the head (LINSERT scans for it): usually a midpoint between its neighbours.
                String pivot = run("LINDEX", key, Integer.toString(rnd.nextInt((int) Math.min(n, 3000))));
                run("LINSERT", key, rnd.nextBoolean() ? "BEFORE" : "AFTER", pivot, fresh());
            } else if (what < 85 && key.equals("big") && hot < hotInserts) {
                // Before the hot value, again and again: its neighbours' labels meet, windows are relabelled.
                // (Bounded: the windows grow with the inserts at one spot, and so do their records.)
                hot++;
                if (run("LINSERT", key, "BEFORE", "HOT", fresh()).equals("(integer) -1")) {
                    run("LSET", key, Integer.toString(rnd.nextInt((int) Math.min(n, 3000))), "HOT");
                }
            } else if (what < 90) {
                // A value near the head, removed from the head (LREM -1 would scan the whole list from its tail).
                String value = run("LINDEX", key, Integer.toString(rnd.nextInt((int) Math.min(n, 2000))));
                run("LREM", key, "1", value);
            } else if (what < 97) {
                String other = key.equals("big") ? "whole" : "big";
                boolean otherTail = !other.equals("whole") || rewritten;
                run("LMOVE", key, other, rnd.nextBoolean() && tail ? "RIGHT" : "LEFT",
                        rnd.nextBoolean() && otherTail ? "RIGHT" : "LEFT");
            } else {
                run("LTRIM", key, "1", tail ? "-2" : "-1");
            }
        }
    }

    private static String one(Engine e, String... args) {
        try (Session s = e.newSession()) {
            return ListReplayTest.read(e, s, args);
        }
    }

    /**
     * Counts the relabelling records of {@link Commands} (a DEL and puts: a whole list; deletes and puts: a
     * window), as {@link ListReplayTest#count} does for the WAL.
     */
    static void classify(byte[] rec, ListReplayTest.Coverage coverage) {
        int[] ops = new int[4];
        EffectCodec.decode(new UnsafeBuffer(rec), 0, rec.length, new ListReplayTest.Visitor() {
            @Override
            public void delete(DirectBuffer key, int koff, int klen) {
                ops[2]++;
            }

            @Override
            public void elementPut(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff,
                                   int elen, DirectBuffer payload, int poff, int plen) {
                ops[0]++;
            }

            @Override
            public void elementDelete(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element,
                                      int eoff, int elen) {
                ops[1]++;
            }
        });
        if (ops[2] > 0 && ops[0] > 1) {
            coverage.wholeRelabels++;
        } else if (ops[1] > 0 && ops[0] > 1) {
            coverage.windowRelabels++;
        }
    }

    /** A list (or any key) as labels and values, in order, with its type and expiry: compact for large lists. */
    static final class Elements {
        byte type;
        long expiry;
        long[] labels = new long[16];
        List<byte[]> values = new ArrayList<>();

        int size() {
            return values.size();
        }

        void add(byte t, DirectBuffer element, int eoff, int elen, DirectBuffer payload, int poff, int plen) {
            type = t;
            if (values.size() == labels.length) {
                labels = Arrays.copyOf(labels, 2 * labels.length);
            }
            assertEquals(8, elen, "a list element is an 8-byte label");
            labels[values.size()] = element.getLong(eoff, ByteOrder.BIG_ENDIAN) ^ Long.MIN_VALUE;
            byte[] v = new byte[plen];
            payload.getBytes(poff, v);
            values.add(v);
        }

        void assertSame(Elements other, String where) {
            assertTrue(other != null, where + ": missing");
            assertEquals(type, other.type, where + ": type");
            assertEquals(expiry, other.expiry, where + ": expiry");
            assertEquals(size(), other.size(), where + ": elements");
            for (int i = 0; i < size(); i++) {
                if (labels[i] != other.labels[i] || !Arrays.equals(values.get(i), other.values.get(i))) {
                    throw new AssertionError(where + ": element " + i + " is #" + labels[i] + "="
                            + new String(values.get(i), StandardCharsets.UTF_8) + ", not #" + other.labels[i] + "="
                            + new String(other.values.get(i), StandardCharsets.UTF_8));
                }
                if (i > 0 && labels[i] <= labels[i - 1]) {
                    throw new AssertionError(where + ": labels out of order at element " + i);
                }
            }
        }

        /** Every collection of an engine, elements in the engine's order (a list's: its order). */
        static TreeMap<String, Elements> of(Engine e) {
            TreeMap<String, Elements> out = new TreeMap<>();
            e.forEachEntry(new ListReplayTest.Visitor() {
                @Override
                public void put(byte type, DirectBuffer key, int koff, int klen, DirectBuffer value, int voff,
                                int vlen, long expiry) {
                    throw new AssertionError("only lists expected");
                }

                @Override
                public void expire(DirectBuffer key, int koff, int klen, long expiry) {
                    out.get(key.getStringWithoutLengthUtf8(koff, klen)).expiry = expiry;
                }

                @Override
                public void elementPut(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element,
                                       int eoff, int elen, DirectBuffer payload, int poff, int plen) {
                    out.computeIfAbsent(key.getStringWithoutLengthUtf8(koff, klen), k -> new Elements())
                            .add(type, element, eoff, elen, payload, poff, plen);
                }
            });
            return out;
        }

        /** Every collection of a snapshot file, elements in file order. */
        static TreeMap<String, Elements> of(Path snapshot) throws IOException {
            TreeMap<String, Elements> out = new TreeMap<>();
            try (SnapshotReader r = SnapshotReader.open(FileStorage.INSTANCE, snapshot)) {
                r.read(new SnapshotVisitor() {
                    @Override
                    public void onRecord(byte type, DirectBuffer k, DirectBuffer v, long expiry) {
                        throw new AssertionError("only lists expected");
                    }

                    @Override
                    public void onElement(byte type, DirectBuffer k, long expiry, DirectBuffer element,
                                          DirectBuffer p) {
                        Elements e = out.computeIfAbsent(k.getStringWithoutLengthUtf8(0, k.capacity()),
                                x -> new Elements());
                        e.expiry = expiry;
                        e.add(type, element, 0, element.capacity(), p, 0, p.capacity());
                    }
                });
            }
            return out;
        }
    }

    // ---- a data directory whose snapshot holds a large list ----

    /**
     * A snapshot (base LSN 10) holding "big", 200,000 elements with irregular labels (runs of adjacent ones)
     * from near the bottom of the label space to near its top, opened as a database: LSET, LINSERT (between
     * adjacent labels: windows relabelled), LREM, pops and LMOVE name the snapshot's labels in the WAL; a restart
     * replays them on the loaded snapshot. Then an RPUSH and an LPUSH that find no room relabel the whole list;
     * a restart, a compaction and the snapshot it writes each give the model's list again, labels and TTL
     * included.
     */
    @Test
    @Timeout(600)
    void aLargeListLoadedFromASnapshotTakesCommandsThatNameItsLabels() throws IOException {
        System.out.println("ListFoldTest seed=" + SEED + " (rerun with -Dqrrot.seed=" + SEED + ")");
        Random rnd = new Random(SEED);
        int n = 200_000;
        long[] labels = irregularLabels(rnd, n, 0);
        // The label space end to end: 500 labels 7 apart at either end (pops leave no room for a push there),
        // irregular ones in between, spread over the rest.
        int packed = 500;
        long low = CollectionView.LABEL_MIN + 1 + 7L * packed;
        long high = CollectionView.LABEL_MAX - 1 - 7L * packed;
        long base = labels[packed];
        double scale = (double) (high - low) / (labels[n - packed - 1] - base);
        for (int i = 0; i < n; i++) {
            long l;
            if (i < packed) {
                l = CollectionView.LABEL_MIN + 1 + 7L * i;
            } else if (i >= n - packed) {
                l = CollectionView.LABEL_MAX - 1 - 7L * (n - 1 - i);
            } else {
                l = Math.min(high, low + (long) ((labels[i] - base) * scale));
            }
            labels[i] = i == 0 ? l : Math.max(l, labels[i - 1] + 1);
        }
        for (int i = 1000; i < n - packed; i += 997) {
            labels[i] = labels[i - 1] + 1; // adjacent labels, spread along it
        }
        for (int i = 1; i < n; i++) {
            assertTrue(labels[i] > labels[i - 1] && labels[i] <= CollectionView.LABEL_MAX, "label " + i);
        }
        List<String> model = new ArrayList<>();
        String[] values = new String[n];
        for (int i = 0; i < n; i++) {
            values[i] = "e" + i;
            model.add(values[i]);
        }
        long ttl = NOW + 5_000_000_001L;
        Path snapshots = dir.resolve(DataDirectory.SNAPSHOT_DIR);
        writeSnapshot(snapshots, 10, List.of(new HandList("big", ttl, labels, values)));
        WalRecords.append(dir, List.of()); // the WAL, after the snapshot's base LSN
        ListReplayTest.Coverage coverage = new ListReplayTest.Coverage();
        TreeMap<String, String> live;
        long t0 = System.nanoTime();
        long t1;
        try (DurableQrrot q = DurableQrrot.open(dir, options())) {
            t1 = System.nanoTime();
            Db db = new Db(q);
            assertEquals("(integer) " + n, db.run("LLEN", "big"));
            TreeMap<String, Elements> loaded = Elements.of(q.engine());
            for (int i = 0; i < n; i++) {
                assertEquals(labels[i], loaded.get("big").labels[i], "label " + i + " as the snapshot holds it");
            }
            long lsn = q.wal().lastLsn();
            int counter = 0;
            for (int c = 0; c < 600; c++) {
                int what = rnd.nextInt(10);
                int i = rnd.nextInt(model.size());
                String v = "n" + counter++;
                if (what < 3) {
                    assertEquals("OK", db.run("LSET", "big", Integer.toString(i), v));
                    model.set(i, v);
                } else if (what < 6) {
                    // Now and then after the first of two adjacent labels: a window is relabelled. Never after
                    // the last element: that is a push, for later.
                    String pivot = "e" + (999 + 997 * rnd.nextInt(150));
                    if (rnd.nextBoolean() || !model.contains(pivot)) {
                        pivot = model.get(Math.min(i, model.size() - 2));
                    }
                    assertEquals("(integer) " + (model.size() + 1), db.run("LINSERT", "big", "AFTER", pivot, v));
                    model.add(model.indexOf(pivot) + 1, v);
                } else if (what < 7) {
                    String value = model.get(i);
                    assertEquals("(integer) 1", db.run("LREM", "big", "-1", value));
                    model.remove(model.lastIndexOf(value));
                } else if (what < 8) {
                    assertEquals(model.remove(0), db.run("LPOP", "big"));
                } else if (what < 9) {
                    assertEquals(model.remove(model.size() - 1), db.run("RPOP", "big"));
                } else {
                    assertEquals(model.get(0), db.run("LMOVE", "big", "other", "LEFT", "RIGHT"));
                    model.remove(0);
                }
            }
            ListReplayTest.count(q, lsn, q.wal().lastLsn(), coverage);
            assertTrue(coverage.windowRelabels > 0, "windows relabelled: " + coverage);
            assertModel(db, model, "seed=" + SEED + ": the commands on the snapshot's labels");
            live = ListReplayTest.contents(q.engine(), now.get());
        }
        try (DurableQrrot q = DurableQrrot.open(dir, options())) {
            CollectionFoldTest.assertSameKeys(live, ListReplayTest.contents(q.engine(), now.get()),
                    "seed=" + SEED + ": the snapshot and the WAL after it");
            Db db = new Db(q);
            long lsn = q.wal().lastLsn();
            assertEquals("(integer) " + (model.size() + 2), db.run("RPUSH", "big", "tail1", "tail2"));
            model.add("tail1");
            model.add("tail2");
            assertEquals("(integer) " + (model.size() + 1), db.run("LPUSH", "big", "head"));
            model.add(0, "head");
            ListReplayTest.Coverage pushes = new ListReplayTest.Coverage();
            ListReplayTest.count(q, lsn, q.wal().lastLsn(), pushes); // counted as LINSERT's records are
            assertTrue(pushes.wholeRelabels >= 1, "a push relabelled the whole list: " + pushes);
            assertEquals("OK", db.run("LSET", "big", "-1", "last"));
            model.set(model.size() - 1, "last");
            assertModel(db, model, "seed=" + SEED + ": after the pushes");
            assertEquals(Long.toString(ttl - now.get()), db.run("PTTL", "big").replace("(integer) ", ""),
                    "the relabelled list kept its TTL");
            live = ListReplayTest.contents(q.engine(), now.get());
        }
        try (DurableQrrot q = DurableQrrot.open(dir, options())) {
            CollectionFoldTest.assertSameKeys(live, ListReplayTest.contents(q.engine(), now.get()),
                    "seed=" + SEED + ": a restart after the relabelling");
            Qrrot.SnapshotResult saved = q.saveSnapshot();
            assertEquals(2, saved.keys());
            assertTrue(Long.parseLong(q.info().get("persistence").get("compaction_spilled_bytes")) > 0,
                    "the fold spilled runs");
        }
        CollectionFoldTest.assertSameKeys(live, loadNewest(3), "seed=" + SEED + ": the compacted snapshot");
        try (DurableQrrot q = DurableQrrot.open(dir, options())) {
            CollectionFoldTest.assertSameKeys(live, ListReplayTest.contents(q.engine(), now.get()),
                    "seed=" + SEED + ": a restart from the compacted snapshot");
            assertModel(new Db(q), model, "seed=" + SEED + ": a restart from the compacted snapshot");
        }
        System.out.printf("a %,d-element list from a snapshot (opened in %.2f s): 600 commands (%d windows"
                        + " relabelled), 3 restarts, a compaction and a load, in %.1f s%n", n, (t1 - t0) / 1e9,
                coverage.windowRelabels, (System.nanoTime() - t0) / 1e9);
    }

    private static void assertModel(Db db, List<String> model, String where) {
        assertEquals("(integer) " + model.size(), db.run("LLEN", "big"), where);
        assertEquals("[" + String.join(", ", model) + "]", db.run("LRANGE", "big", "0", "-1"), where);
    }
}
