package io.qrrot.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.engine.EffectCodec;
import io.qrrot.engine.Engine;
import io.qrrot.recovery.snapshot.SnapshotInfo;
import io.qrrot.recovery.snapshot.SnapshotReader;
import io.qrrot.recovery.snapshot.V1Snapshots;
import io.qrrot.storage.FileStorage;
import io.qrrot.testkit.Effects;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fold of collections, end to end: seeded random workloads of strings and hashes (puts, element puts and
 * deletes, DEL, EXPIRE, a PUT over a hash, a hash renamed, FLUSHALL, keys expiring as the clock moves) are
 * logged as effect records, replayed by a {@link DurableQrrot} and compacted, with a sort budget so small that
 * every compaction spills runs and merges them in several passes. After every step the live store, the newest
 * snapshot loaded alone into a fresh engine, and a restart all hold what a model of the keyspace holds. Prints
 * its seed.
 */
@Timeout(300)
class CollectionFoldTest {
    private static final long SEED = Long.getLong("qrrot.seed", System.nanoTime());
    private static final byte HASH = EffectCodec.TYPE_HASH;

    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    QrrotOptions options() {
        return TestOptions.clocked(now).withCompactMemoryBytes(2048);
    }

    /** One key of the model: a value (type and bytes) or a hash (field → value). */
    static final class Entry {
        byte type;
        byte[] value;
        TreeMap<String, String> hash;
        long expiry;

        static Entry value(byte type, byte[] value, long expiry) {
            Entry e = new Entry();
            e.type = type;
            e.value = value;
            e.expiry = expiry;
            return e;
        }

        static Entry hash() {
            Entry e = new Entry();
            e.type = HASH;
            e.hash = new TreeMap<>();
            return e;
        }

        /** As {@link StoreContents#entries} shows it. */
        String text() {
            HexFormat h = HexFormat.of();
            if (hash == null) {
                return type + " " + h.formatHex(value) + " " + expiry;
            }
            TreeMap<String, String> hex = new TreeMap<>();
            hash.forEach((f, v) -> hex.put(hex(f), hex(v)));
            StringBuilder sb = new StringBuilder().append(type).append(" {");
            hex.forEach((f, v) -> sb.append(f).append('=').append(v).append(','));
            return sb.append("} ").append(expiry).toString();
        }
    }

    static String hex(String s) {
        return HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The keyspace as the effects leave it, and the generator of valid effects (those the engine would log). */
    static final class Model {
        final Map<String, Entry> keys = new HashMap<>();
        final Random rnd;
        final int keyCount;
        final int fields;

        Model(Random rnd, int keyCount, int fields) {
            this.rnd = rnd;
            this.keyCount = keyCount;
            this.fields = fields;
        }

        /** The live keys at {@code now}, as {@link StoreContents#entries} shows them. */
        TreeMap<String, String> alive(long now) {
            TreeMap<String, String> out = new TreeMap<>();
            keys.forEach((k, e) -> {
                if (e.expiry == 0 || e.expiry > now) {
                    out.put(hex(k), e.text());
                }
            });
            return out;
        }

        private String key() {
            return "k" + rnd.nextInt(keyCount);
        }

        private String field() {
            return "f" + rnd.nextInt(fields);
        }

        /** A future expiry an odd number of ms after {@code now}: the clock moves by even steps, never onto it. */
        private long future(long now) {
            return now + 1 + 2L * rnd.nextInt(20_000);
        }

        /**
         * The key as a command finds it: an expired one is deleted first (logged as DEL, as the engine's lazy
         * expiry does). Returns the live entry or null.
         */
        private Entry touch(String key, long now, Effects out) {
            Entry e = keys.get(key);
            if (e != null && e.expiry != 0 && e.expiry <= now) {
                out.del(key);
                keys.remove(key);
                return null;
            }
            return e;
        }

        /** One random record of one to three commands. */
        byte[] record(long now) {
            Effects out = new Effects();
            int commands = rnd.nextInt(8) == 0 ? 2 + rnd.nextInt(2) : 1;
            for (int c = 0; c < commands; c++) {
                command(now, out);
            }
            if (out.isEmpty()) { // every command was refused (WRONGTYPE, a missing key): a DEL instead
                String key = key();
                out.del(key);
                keys.remove(key);
            }
            return out.record();
        }

        private void command(long now, Effects out) {
            int op = rnd.nextInt(1000);
            String key = key();
            Entry e = touch(key, now, out);
            if (op < 5) {
                out.clear();
                keys.clear();
            } else if (op < 200 || (op < 260 && e != null && e.hash != null)) { // SET, over a hash too
                long expiry = rnd.nextInt(4) == 0 ? future(now) : 0;
                if (rnd.nextInt(5) == 0) {
                    byte[] v = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(rnd.nextLong()).array();
                    out.put(EffectCodec.TYPE_INT, key, v, expiry);
                    keys.put(key, Entry.value(EffectCodec.TYPE_INT, v, expiry));
                } else {
                    byte[] v = ("v" + rnd.nextInt(1000) + "x".repeat(rnd.nextInt(30))).getBytes(StandardCharsets.UTF_8);
                    out.put(EffectCodec.TYPE_STRING, key, v, expiry);
                    keys.put(key, Entry.value(EffectCodec.TYPE_STRING, v, expiry));
                }
            } else if (op < 290) {
                out.del(key);
                keys.remove(key);
            } else if (op < 380) {
                if (e != null) {
                    long expiry = rnd.nextInt(3) == 0 ? 0 : future(now);
                    out.expire(key, expiry);
                    e.expiry = expiry;
                }
            } else if (op < 750) {
                if (e == null || e.hash != null) { // HSET; WRONGTYPE on a value
                    if (e == null) {
                        e = Entry.hash();
                        keys.put(key, e);
                    }
                    List<String> fv = new ArrayList<>();
                    for (int i = rnd.nextInt(4); i >= 0; i--) {
                        String f = field();
                        String v = "h" + rnd.nextInt(100_000) + "y".repeat(rnd.nextInt(20));
                        fv.add(f);
                        fv.add(v);
                        e.hash.put(f, v);
                    }
                    out.hset(key, fv);
                }
            } else if (op < 960) {
                if (e != null && e.hash != null) { // HDEL; a hash left empty goes with its key, and a DEL says so
                    List<String> fs = new ArrayList<>();
                    for (int i = rnd.nextInt(3); i >= 0; i--) {
                        String f = rnd.nextInt(3) == 0 ? field() : e.hash.isEmpty() ? field()
                                : new ArrayList<>(e.hash.keySet()).get(rnd.nextInt(e.hash.size()));
                        fs.add(f);
                        e.hash.remove(f);
                    }
                    out.hdel(key, fs);
                    if (e.hash.isEmpty()) {
                        out.del(key);
                        keys.remove(key);
                    }
                }
            } else {
                // RENAME of a hash: DEL of the target, its elements put, its expiry, DEL of the source.
                String to = key();
                Entry target = touch(to, now, out);
                if (e != null && e.hash != null && !to.equals(key)) {
                    out.del(to);
                    List<String> fv = new ArrayList<>();
                    e.hash.forEach((f, v) -> {
                        fv.add(f);
                        fv.add(v);
                    });
                    out.hset(to, fv);
                    if (e.expiry != 0) {
                        out.expire(to, e.expiry);
                    }
                    out.del(key);
                    keys.remove(key);
                    keys.put(to, e);
                } else if (target == null && to.equals(key) && e == null) {
                    out.del(to);
                }
            }
        }
    }

    /** Equal maps, or a failure that lists only the keys that differ (the maps are large). */
    static void assertSameKeys(Map<String, String> expected, Map<String, String> actual, String where) {
        if (expected.equals(actual)) {
            return;
        }
        StringBuilder sb = new StringBuilder(where).append(": keys differ (key hex: expected / actual)");
        TreeMap<String, String> all = new TreeMap<>(expected);
        all.putAll(actual);
        all.keySet().stream().filter(k -> !java.util.Objects.equals(expected.get(k), actual.get(k))).limit(20)
                .forEach(k -> sb.append("\n  ").append(k).append(": ").append(expected.get(k)).append(" / ")
                        .append(actual.get(k)));
        throw new AssertionError(sb.toString());
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

    /** The newest snapshot loaded alone into a fresh engine (in parallel when it is hash-ordered). */
    private TreeMap<String, String> loadNewest(int threads) throws IOException {
        try (SnapshotReader r = SnapshotReader.open(FileStorage.INSTANCE, SnapshotFiles.newestOf(dir));
             Engine e = options().newEngine(0)) {
            SnapshotLoad.load(r, e, threads);
            return alive(e, now.get());
        }
    }

    @Test
    void randomWorkloadsOfStringsAndHashesFoldIntoSnapshotsThatLoadAsTheLiveStore() throws IOException {
        System.out.println("CollectionFoldTest seed=" + SEED + " (rerun with -Dqrrot.seed=" + SEED + ")");
        Random rnd = new Random(SEED);
        Model model = new Model(rnd, 150, 25);
        for (int round = 0; round < 10; round++) {
            String where = "seed=" + SEED + " round=" + round;
            List<byte[]> batch = new ArrayList<>();
            int records = 150 + rnd.nextInt(400);
            for (int i = 0; i < records; i++) {
                batch.add(model.record(now.get()));
            }
            WalRecords.append(dir, batch);
            boolean compact = round % 4 != 3; // some rounds leave their records to the next compaction
            try (DurableQrrot q = DurableQrrot.open(dir, options())) {
                assertSameKeys(model.alive(now.get()), alive(q.engine(), now.get()), where + ": the replayed log");
                if (compact) {
                    Qrrot.SnapshotResult saved = q.saveSnapshot();
                    assertEquals(model.alive(now.get()).size(), saved.keys(), where + ": the snapshot's key count");
                    long spilled = Long.parseLong(q.info().get("persistence").get("compaction_spilled_bytes"));
                    assertTrue(spilled > 0, where + ": the fold spilled runs");
                }
            }
            if (compact) {
                for (int threads = 1; threads <= 3; threads += 2) {
                    assertSameKeys(model.alive(now.get()), loadNewest(threads), where + ": the snapshot alone, "
                            + threads + " threads");
                }
            }
            now.addAndGet(2L * rnd.nextInt(4000)); // some keys expire
        }
        try (DurableQrrot q = DurableQrrot.open(dir, options())) {
            assertSameKeys(model.alive(now.get()), alive(q.engine(), now.get()), "seed=" + SEED + ": after a restart");
            q.saveSnapshot();
        }
        assertSameKeys(model.alive(now.get()), loadNewest(2), "seed=" + SEED + ": the last snapshot");
        try (DurableQrrot q = DurableQrrot.open(dir, options())) {
            assertSameKeys(model.alive(now.get()), alive(q.engine(), now.get()), "seed=" + SEED + ": the last restart");
        }
    }

    /**
     * The folds' rules one by one, each on a hash in the previous snapshot and in the delta: a PUT over a hash,
     * a DEL and new elements after it, an EXPIRE, element deletes emptying a hash (with the DEL the log then
     * holds) and a new one made, element changes older than a DEL, and a FLUSHALL.
     */
    @Test
    void theFoldRulesOnePerKey() throws IOException {
        long t = now.get();
        List<byte[]> first = List.of(
                new Effects().hset("put-over", List.of("a", "1", "b", "2")).record(),
                new Effects().hset("del-then-new", List.of("a", "1", "b", "2")).expire("del-then-new", t + 5001)
                        .record(),
                new Effects().hset("expire", List.of("a", "1")).record(),
                new Effects().hset("emptied", List.of("a", "1", "b", "2")).expire("emptied", t + 7001).record(),
                new Effects().hset("merged", List.of("a", "1", "b", "2", "c", "3")).expire("merged", t + 9001).record(),
                new Effects().hset("gone", List.of("a", "1")).record(),
                new Effects().put(EffectCodec.TYPE_STRING, "string", "s".getBytes(), 0).record());
        WalRecords.append(dir, first);
        try (DurableQrrot q = DurableQrrot.open(dir, options())) {
            q.saveSnapshot();
        }
        List<byte[]> second = List.of(
                new Effects().put(EffectCodec.TYPE_STRING, "put-over", "now a string".getBytes(), 0).record(),
                new Effects().hset("del-then-new", List.of("old", "x")).del("del-then-new")
                        .hset("del-then-new", List.of("c", "3")).record(),
                new Effects().expire("expire", t + 3001).record(),
                new Effects().hdel("emptied", List.of("a", "b")).del("emptied").hset("emptied", List.of("z", "9"))
                        .record(),
                new Effects().hdel("merged", List.of("b")).hset("merged", List.of("a", "10", "d", "4")).record(),
                new Effects().del("gone").record(),
                new Effects().hset("new", List.of("n", "1")).expire("new", t + 11_001).record(),
                new Effects().del("string").hset("string", List.of("was", "a string")).record());
        WalRecords.append(dir, second);
        Map<String, String> expected = new TreeMap<>();
        expected.put(hex("put-over"), "1 " + hex("now a string") + " 0");
        expected.put(hex("del-then-new"), "4 {" + hex("c") + "=" + hex("3") + ",} 0");
        expected.put(hex("expire"), "4 {" + hex("a") + "=" + hex("1") + ",} " + (t + 3001));
        expected.put(hex("emptied"), "4 {" + hex("z") + "=" + hex("9") + ",} 0");
        TreeMap<String, String> merged = new TreeMap<>(Map.of(hex("a"), hex("10"), hex("c"), hex("3"), hex("d"),
                hex("4")));
        StringBuilder m = new StringBuilder("4 {");
        merged.forEach((f, v) -> m.append(f).append('=').append(v).append(','));
        expected.put(hex("merged"), m.append("} ").append(t + 9001).toString());
        expected.put(hex("new"), "4 {" + hex("n") + "=" + hex("1") + ",} " + (t + 11_001));
        expected.put(hex("string"), "4 {" + hex("was") + "=" + hex("a string") + ",} 0");
        try (DurableQrrot q = DurableQrrot.open(dir, options())) {
            assertEquals(expected, alive(q.engine(), t));
            q.saveSnapshot();
        }
        assertEquals(expected, loadNewest(2));

        // Element changes before a FLUSHALL are gone with everything else; those after it make a new hash.
        WalRecords.append(dir, List.of(new Effects().hset("merged", List.of("e", "5")).record(),
                new Effects().clear().hset("after", List.of("x", "1")).record()));
        try (DurableQrrot q = DurableQrrot.open(dir, options())) {
            q.saveSnapshot();
        }
        assertEquals(Map.of(hex("after"), "4 {" + hex("x") + "=" + hex("1") + ",} 0"), loadNewest(1));

        // A hash whose expiry passes before the fold is left out, elements and all.
        WalRecords.append(dir, List.of(new Effects().expire("after", t + 1).record()));
        now.addAndGet(2);
        try (DurableQrrot q = DurableQrrot.open(dir, options())) {
            assertEquals(0, q.saveSnapshot().keys());
        }
    }

    /** A database whose snapshot is in format version 1 opens, replays its log and folds into version 2. */
    @Test
    void aVersionOneSnapshotLoadsAndFoldsIntoVersionTwo() throws IOException {
        long t = now.get();
        List<io.qrrot.recovery.snapshot.Rec> old = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            old.add(io.qrrot.recovery.snapshot.Rec.of(1, "old" + i, "v" + i, i % 5 == 0 ? t + 1 + 2 * i : 0));
        }
        old.add(io.qrrot.recovery.snapshot.Rec.of(1, "h", "a string, to be a hash", 0));
        for (boolean ordered : new boolean[] {true, false}) {
            Path sub = dir.resolve(ordered ? "ordered" : "file-order");
            List<io.qrrot.recovery.snapshot.Rec> records = new ArrayList<>(old);
            if (ordered) {
                records.sort((a, b) -> io.qrrot.recovery.snapshot.SnapshotOrder.compare(
                        io.qrrot.recovery.snapshot.SnapshotOrder.hash(a.key(), 0, a.key().length), a.key(),
                        a.key().length, io.qrrot.recovery.snapshot.SnapshotOrder.hash(b.key(), 0, b.key().length),
                        b.key(), b.key().length));
            }
            V1Snapshots.write(sub.resolve(DataDirectory.SNAPSHOT_DIR), 10, t, records, ordered);
            Files.createDirectories(sub.resolve(DataDirectory.WAL_DIR));
            // The log after the snapshot's base LSN 10.
            Path wal = sub.resolve(DataDirectory.WAL_DIR);
            try (io.qrrot.wal.Wal w = io.qrrot.wal.Wal.open(wal, io.qrrot.wal.WalOptions.defaults().withFirstLsn(11)
                    .withPreallocation(io.qrrot.wal.WalOptions.Preallocation.NONE), 10)) {
                w.append(new Effects().del("old1").record());
                w.append(new Effects().del("h").hset("h", List.of("f", "1", "g", "2")).record());
                w.append(new Effects().hset("old2x", List.of("f", "1")).expire("old2x", t + 77).record());
            }
            TreeMap<String, String> expected;
            try (DurableQrrot q = DurableQrrot.open(sub, options())) {
                expected = alive(q.engine(), t);
                assertEquals(201, expected.size());
                assertEquals("4 {" + hex("f") + "=" + hex("1") + "," + hex("g") + "=" + hex("2") + ",} 0",
                        expected.get(hex("h")));
                SnapshotInfo v1 = SnapshotReader.status(FileStorage.INSTANCE,
                        sub.resolve(DataDirectory.SNAPSHOT_DIR).resolve(
                                io.qrrot.recovery.snapshot.SnapshotFormat.fileName(10)));
                assertEquals(1, v1.formatVersion());
                Qrrot.SnapshotResult saved = q.saveSnapshot();
                assertEquals(201, saved.keys());
                SnapshotInfo v2 = SnapshotReader.status(FileStorage.INSTANCE, saved.file());
                assertEquals(2, v2.formatVersion());
                try (SnapshotReader r = SnapshotReader.open(FileStorage.INSTANCE, saved.file())) {
                    assertTrue(r.hashOrdered(), "the successor of any snapshot is hash-ordered");
                }
            }
            try (DurableQrrot q = DurableQrrot.open(sub, options())) {
                assertEquals(expected, alive(q.engine(), t));
            }
        }
    }
}
