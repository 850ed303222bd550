package io.qrrot.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.engine.Engine;
import io.qrrot.engine.EffectVisitor;
import io.qrrot.engine.store.EntryType;
import io.qrrot.recovery.fold.DeltaSort;
import io.qrrot.recovery.snapshot.SnapshotInfo;
import io.qrrot.recovery.snapshot.SnapshotOrder;
import io.qrrot.recovery.snapshot.SnapshotReader;
import io.qrrot.recovery.snapshot.SnapshotWriter;
import io.qrrot.storage.FileStorage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * The fold of sorted sets. End to end: a seeded workload of sorted-set commands (small sets, one that grows past
 * the packed encoding, ties, ±inf, -0, expiries, renames, pops and STORE forms) run on a {@link DurableQrrot},
 * compacted with a sort budget so small that every fold spills; after every round the newest snapshot loaded
 * alone into a fresh engine holds what the live store holds (every member's score bits, every TTL), and so does
 * a restart. Large: one sorted set in the previous snapshot touched by many score changes (the records ZADD and
 * ZINCRBY log: a member's resulting score) and removals, folded element by element under the budget, then
 * loaded into an engine; a long variant does it with a million members. Prints its seed.
 */
class ZSetFoldTest {
    private static final long SEED = Long.getLong("qrrot.seed", System.nanoTime());
    private static final long NOW = 1_700_000_000_000L;
    private static final String[] SCORES = {"0", "-0", "1", "1", "2.5", "-1", "+inf", "-inf", "1e300", "-1e-300",
        "7", "7"};

    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(NOW);

    QrrotOptions options() {
        return TestOptions.clocked(now).withCompactMemoryBytes(2048);
    }

    // ---- end to end ----

    private static String[] command(Random r) {
        String k = "z" + r.nextInt(6);
        String m = r.nextInt(10) == 0 ? "" : "m" + r.nextInt(40);
        String s = r.nextBoolean() ? SCORES[r.nextInt(SCORES.length)] : Double.toString(r.nextGaussian() * 100);
        switch (r.nextInt(20)) {
            case 0: case 1: case 2: case 3: case 4:
                return new String[] {"ZADD", k, s, m, SCORES[r.nextInt(SCORES.length)], "m" + r.nextInt(40)};
            case 5:
                return new String[] {"ZADD", k, r.nextBoolean() ? "GT" : "LT", "CH", s, m};
            case 6: case 7:
                return new String[] {"ZINCRBY", k, Integer.toString(r.nextInt(9) - 4), m};
            case 8:
                return new String[] {"ZREM", k, m};
            case 9:
                return new String[] {r.nextBoolean() ? "ZPOPMIN" : "ZPOPMAX", k, Integer.toString(r.nextInt(4))};
            case 10:
                return new String[] {"ZREMRANGEBYSCORE", k, "-inf", "(" + r.nextInt(3)};
            case 11:
                return new String[] {"ZUNIONSTORE", k, "2", "z" + r.nextInt(6), "z" + r.nextInt(6), "WEIGHTS", "2",
                    "-1", "AGGREGATE", new String[] {"SUM", "MIN", "MAX"}[r.nextInt(3)]};
            case 12:
                return new String[] {"ZRANGESTORE", k, "z" + r.nextInt(6), "0", Integer.toString(r.nextInt(30))};
            case 13:
                return new String[] {"PEXPIRE", k, Integer.toString(1 + 2 * r.nextInt(20_000))};
            case 14:
                return new String[] {"RENAME", k, "z" + r.nextInt(6)};
            case 15:
                return new String[] {"DEL", k};
            case 16:
                return new String[] {"HSET", "h" + r.nextInt(3), m, s};
            default: {
                // The big one: grows past 128 members (the large encoding and its index), members changing.
                List<String> a = new ArrayList<>(List.of("ZADD", "big"));
                for (int i = 0; i < 10; i++) {
                    a.add(r.nextInt(3) == 0 ? SCORES[r.nextInt(SCORES.length)] : Integer.toString(r.nextInt(50)));
                    a.add("b" + r.nextInt(600));
                }
                return a.toArray(String[]::new);
            }
        }
    }

    /** Everything live at {@code now} in an engine. */
    private static TreeMap<String, String> alive(Engine engine, long now) {
        TreeMap<String, String> out = new TreeMap<>();
        StoreContents.entries(engine).forEach((k, v) -> {
            long expiry = Long.parseLong(v.substring(v.lastIndexOf(' ') + 1));
            if (expiry == 0 || expiry > now) {
                out.put(k, v);
            }
        });
        return out;
    }

    private TreeMap<String, String> loadNewest(int threads) throws IOException {
        try (SnapshotReader r = SnapshotReader.open(FileStorage.INSTANCE, SnapshotFiles.newestOf(dir));
             Engine e = options().newEngine(0)) {
            SnapshotLoad.load(r, e, threads);
            return alive(e, now.get());
        }
    }

    @Test
    @Timeout(300)
    void sortedSetWorkloadsFoldIntoSnapshotsThatLoadAsTheLiveStore() throws IOException {
        System.out.println("ZSetFoldTest seed=" + SEED + " (rerun with -Dqrrot.seed=" + SEED + ")");
        Random rnd = new Random(SEED);
        List<String> history = new ArrayList<>();
        int biggest = 0;
        for (int round = 0; round < 8; round++) {
            String where = "seed=" + SEED + " round=" + round;
            TreeMap<String, String> live;
            try (DurableQrrot q = DurableQrrot.open(dir, options())) {
                Db db = new Db(q);
                if (round > 0) {
                    // What the previous round left, rebuilt from its snapshot and the log after it.
                    assertEquals(expectedAfterRestart, alive(q.engine(), now.get()), where + ": after a restart");
                }
                for (int i = 0; i < 300; i++) {
                    String[] cmd = command(rnd);
                    history.add(String.join(" ", cmd));
                    String reply = db.run(cmd);
                    assertFalse(reply.contains("could not apply"), where
                            + ": " + String.join(" ", cmd) + " -> " + reply + "; last commands "
                            + history.subList(Math.max(0, history.size() - 10), history.size()));
                }
                biggest = Math.max(biggest, Integer.parseInt(db.run("ZCARD", "big").replaceAll("\\D", "")));
                live = alive(q.engine(), now.get());
                boolean compact = round % 3 != 2; // some rounds leave their records to the next fold
                if (compact) {
                    Qrrot.SnapshotResult saved = q.saveSnapshot();
                    assertEquals(live.size(), saved.keys(), where + ": the snapshot's key count");
                    long spilled = Long.parseLong(q.info().get("persistence").get("compaction_spilled_bytes"));
                    assertTrue(spilled > 0, where + ": the fold spilled runs");
                    for (int threads = 1; threads <= 3; threads += 2) {
                        assertEquals(live, loadNewest(threads), where + ": the snapshot alone, " + threads
                                + " threads");
                    }
                }
            }
            now.addAndGet(2L * rnd.nextInt(4000)); // some keys expire
            expectedAfterRestart = new TreeMap<>();
            live.forEach((k, v) -> {
                long expiry = Long.parseLong(v.substring(v.lastIndexOf(' ') + 1));
                if (expiry == 0 || expiry > now.get()) {
                    expectedAfterRestart.put(k, v);
                }
            });
        }
        assertTrue(biggest > 128, "the big sorted set outgrew the packed encoding: " + biggest);
        try (DurableQrrot q = DurableQrrot.open(dir, options())) {
            assertEquals(expectedAfterRestart, alive(q.engine(), now.get()), "seed=" + SEED + ": the last restart");
            q.saveSnapshot();
        }
        assertEquals(expectedAfterRestart, loadNewest(2), "seed=" + SEED + ": the last snapshot");
        assertTrue(expectedAfterRestart.values().stream().anyMatch(v -> v.startsWith(EntryType.ZSET + " ")),
                "sorted sets were folded");
    }

    private TreeMap<String, String> expectedAfterRestart;

    // ---- one large sorted set ----

    @Test
    @Timeout(300)
    void aLargeSortedSetTouchedByManyScoreChangesFoldsElementByElement() throws IOException {
        Result r = fold(200_000, 240_000, 64 << 10);
        assertTrue(r.spilled > 0 && r.runs > 10, "the sort spilled: " + r.spilled + " bytes in " + r.runs + " runs");
        assertTrue(r.allocated < (4 << 20), "the merge allocated " + r.allocated + " bytes");
    }

    /** A million members touched by two million ZADD and ZINCRBY results: run by hand with {@code -Dgroups=long}. */
    @Test
    @Tag("long")
    void aMillionMembersTouchedByTwoMillionScoreChanges() throws IOException {
        Result r = fold(1_000_000, 2_000_000, 16 << 20);
        assertTrue(r.spilled > 0, "the sort spilled: " + r.spilled + " bytes in " + r.runs + " runs");
        assertTrue(r.allocated < (16 << 20), "the merge allocated " + r.allocated + " bytes");
    }

    record Result(long spilled, int runs, long allocated) {
    }

    private static byte[] member(int i) {
        return ("member:" + i).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] score(double s) {
        byte[] b = new byte[8];
        new UnsafeBuffer(b).putDouble(0, s, ByteOrder.LITTLE_ENDIAN);
        return b;
    }

    /** A score with ties (small integers), ±inf, -0 and fractions. */
    private static double randomScore(Random rnd) {
        switch (rnd.nextInt(8)) {
            case 0:
                return rnd.nextInt(10);
            case 1:
                return new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0}[rnd.nextInt(4)];
            default:
                return rnd.nextGaussian() * 1e6;
        }
    }

    /**
     * Writes a snapshot with the sorted set "big" of {@code members} members, folds {@code changes} element
     * changes into it with {@code budget} bytes of sort memory: two in three a ZADD or a ZINCRBY (the member's
     * resulting score; ZINCRBY adds to the model's score), one in ten a ZREM, members old and new. Then checks
     * every member's score bits in the result and loads it into an engine.
     */
    private Result fold(int members, int changes, long budget) throws IOException {
        System.out.println("ZSetFoldTest seed=" + SEED + " (rerun with -Dqrrot.seed=" + SEED + ")");
        Random rnd = new Random(SEED);
        int universe = members + members / 10;
        double[] scores = new double[universe];
        boolean[] present = new boolean[universe];
        long t0 = System.nanoTime();
        Path old = dir.resolve("old");
        int[] order = hashOrder(members);
        byte type = EntryType.ZSET;
        try (SnapshotWriter w = SnapshotWriter.begin(FileStorage.INSTANCE, old, 1, NOW, true)) {
            UnsafeBuffer k = new UnsafeBuffer("big".getBytes(StandardCharsets.US_ASCII));
            w.beginCollection(type, k, 0, k.capacity(), 0);
            for (int i : order) {
                scores[i] = randomScore(rnd);
                present[i] = true;
                w.addElement(member(i), score(scores[i]));
            }
            w.finish();
        }
        long t1 = System.nanoTime();
        Path out = dir.resolve("new");
        SnapshotInfo written;
        long allocated;
        long spilled;
        int runs;
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        try (DeltaSort delta = new DeltaSort(FileStorage.INSTANCE, out, "snapshot-x.run", budget, 0, () -> { })) {
            Files.createDirectories(out);
            UnsafeBuffer key = new UnsafeBuffer("big".getBytes(StandardCharsets.US_ASCII));
            for (int c = 0; c < changes; c++) {
                int i = rnd.nextInt(universe);
                UnsafeBuffer m = new UnsafeBuffer(member(i));
                int what = rnd.nextInt(10);
                if (what == 0) { // ZREM
                    delta.elementDelete(type, key, 0, key.capacity(), m, 0, m.capacity());
                    present[i] = false;
                    continue;
                }
                if (what < 5 || !present[i]) { // ZADD
                    scores[i] = randomScore(rnd);
                } else { // ZINCRBY
                    double sum = scores[i] + (rnd.nextInt(21) - 10);
                    scores[i] = Double.isNaN(sum) ? scores[i] : sum; // inf + -inf is refused, nothing logged
                }
                present[i] = true;
                UnsafeBuffer p = new UnsafeBuffer(score(scores[i]));
                delta.elementPut(type, key, 0, key.capacity(), m, 0, m.capacity(), p, 0, p.capacity());
            }
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
        }
        long t2 = System.nanoTime();
        long expected = 0;
        for (boolean b : present) {
            expected += b ? 1 : 0;
        }
        assertEquals(1, written.keyCount());
        System.out.printf("fold of a %,d-member sorted set with %,d score changes, budget %,d bytes: base written in"
                        + " %.2f s, sorted and merged in %.2f s, %,d bytes spilled in %d runs, %,d bytes allocated by"
                        + " the merge, %,d members after%n", members, changes, budget, (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                spilled, runs, allocated, expected);
        // The snapshot, and an engine loaded from it (the large encoding: its index built member by member).
        long[] seen = {0, 0};
        long t3 = System.nanoTime();
        try (SnapshotReader r = SnapshotReader.open(FileStorage.INSTANCE, Path.of(written.file()));
             Engine e = QrrotOptions.defaults().withShards(4).newEngine(1)) {
            r.read(new io.qrrot.recovery.snapshot.SnapshotVisitor() {
                @Override
                public void onRecord(byte t, DirectBuffer k, DirectBuffer v, long ex) {
                    throw new AssertionError("no value expected");
                }

                @Override
                public void onElement(byte t, DirectBuffer k, long ex, DirectBuffer element, DirectBuffer p) {
                    assertEquals(EntryType.ZSET, t);
                    check(element, 0, element.capacity(), p, 0, p.capacity(), present, scores);
                    e.loadElement(t, k, 0, k.capacity(), ex, element, 0, element.capacity(), p, 0, p.capacity());
                    seen[0]++;
                }
            });
            e.forEachEntry(new EffectVisitor() {
                @Override
                public void put(byte t, DirectBuffer k, int ko, int kl, DirectBuffer v, int vo, int vl, long ex) {
                    throw new AssertionError("no value expected");
                }

                @Override
                public void delete(DirectBuffer k, int ko, int kl) {
                }

                @Override
                public void expire(DirectBuffer k, int ko, int kl, long ex) {
                }

                @Override
                public void clear() {
                }

                @Override
                public void elementPut(byte t, DirectBuffer k, int ko, int kl, DirectBuffer el, int eo, int elen,
                                       DirectBuffer p, int po, int pl) {
                    check(el, eo, elen, p, po, pl, present, scores);
                    seen[1]++;
                }

                @Override
                public void elementDelete(byte t, DirectBuffer k, int ko, int kl, DirectBuffer el, int eo, int elen) {
                }
            });
        }
        System.out.printf("  loaded into an engine in %.2f s%n", (System.nanoTime() - t3) / 1e9);
        assertEquals(expected, seen[0], "seed=" + SEED + ": members after the fold");
        assertEquals(expected, seen[1], "seed=" + SEED + ": members loaded");
        return new Result(spilled, runs, allocated);
    }

    private static void check(DirectBuffer element, int eoff, int elen, DirectBuffer p, int poff, int plen,
                              boolean[] present, double[] scores) {
        int i = Integer.parseInt(element.getStringWithoutLengthAscii(eoff + 7, elen - 7));
        assertTrue(present[i], "seed=" + SEED + ": member " + i + " was removed");
        assertEquals(8, plen, "seed=" + SEED + ": a score is 8 bytes");
        assertEquals(Double.doubleToRawLongBits(scores[i]),
                Double.doubleToRawLongBits(p.getDouble(poff, ByteOrder.LITTLE_ENDIAN)),
                "seed=" + SEED + ": score bits of member " + i);
    }

    /** The members 0..n-1 in {@link SnapshotOrder}. */
    private static int[] hashOrder(int n) {
        long[] hashes = new long[n];
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            byte[] m = member(i);
            hashes[i] = SnapshotOrder.hash(m, 0, m.length);
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> {
            byte[] x = member(a);
            byte[] y = member(b);
            return SnapshotOrder.compare(hashes[a], x, x.length, hashes[b], y, y.length);
        });
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = idx[i];
        }
        return out;
    }
}
