package io.qrrot.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sorted sets in the store against a model: {@link Shard#elementPut} and {@link Shard#elementRemove} with
 * scores, through both encodings (packed in (score, member) order, and the table with its ScoreIndex) and the
 * conversion between them, read back through {@link CollectionView}'s order: ranks, seeks both ways, and score
 * and lexicographic bounds. Seeded: {@code -Dqrrot.seed=N} replays a run.
 */
class SortedSetStoreTest {
    private final Keyspace keyspace = new Keyspace(KeyspaceConfig.defaults().withShards(4));
    private final StoreFixture store = new StoreFixture(keyspace);

    @AfterEach
    void close() {
        keyspace.close();
    }

    /** Redis's order: score ({@code <}), then member bytes unsigned, a prefix first. */
    private static final Comparator<Map.Entry<String, Double>> ORDER = (a, b) -> {
        if (a.getValue() < b.getValue()) {
            return -1;
        }
        if (a.getValue() > b.getValue()) {
            return 1;
        }
        return Arrays.compareUnsigned(a.getKey().getBytes(StandardCharsets.ISO_8859_1),
                b.getKey().getBytes(StandardCharsets.ISO_8859_1));
    };

    private boolean put(byte[] key, String member, double score, int maxEntries) {
        byte[] m = member.getBytes(StandardCharsets.ISO_8859_1);
        UnsafeBuffer p = new UnsafeBuffer(new byte[8]);
        p.putLong(0, Double.doubleToRawLongBits(score), ByteOrder.LITTLE_ENDIAN);
        Shard s = store.shard(key);
        s.lock();
        try {
            return s.elementPut(StoreFixture.buf(key), 0, key.length, store.hash(key), EntryType.ZSET,
                    StoreFixture.buf(m), 0, m.length, p, 0, 8, maxEntries, 64);
        } finally {
            s.unlock();
        }
    }

    private boolean remove(byte[] key, String member) {
        byte[] m = member.getBytes(StandardCharsets.ISO_8859_1);
        Shard s = store.shard(key);
        s.lock();
        try {
            return s.elementRemove(StoreFixture.buf(key), 0, key.length, store.hash(key), StoreFixture.buf(m), 0,
                    m.length);
        } finally {
            s.unlock();
        }
    }

    private static String text(org.agrona.DirectBuffer b) {
        byte[] x = new byte[b.capacity()];
        b.getBytes(0, x);
        return new String(x, StandardCharsets.ISO_8859_1);
    }

    /** Checks the stored set against the model: count, order both ways, ranks, and bounds. */
    private void check(byte[] key, Map<String, Double> model, Random random, String where) {
        Shard s = store.shard(key);
        s.lock();
        try {
            EntryView e = new EntryView();
            if (model.isEmpty()) {
                assertFalse(s.find(StoreFixture.buf(key), 0, key.length, store.hash(key), e), where);
                return;
            }
            assertTrue(s.find(StoreFixture.buf(key), 0, key.length, store.hash(key), e), where);
            CollectionView z = new CollectionView().wrap(e);
            List<Map.Entry<String, Double>> sorted = new ArrayList<>(model.entrySet());
            sorted.sort(ORDER);
            assertEquals(sorted.size(), z.count(), where);
            List<String> forward = new ArrayList<>();
            assertTrue(z.seekRank(0), where);
            do {
                forward.add(text(z.element()) + "=" + z.score());
            } while (z.nextInOrder());
            List<String> expected = new ArrayList<>();
            for (Map.Entry<String, Double> x : sorted) {
                expected.add(x.getKey() + "=" + x.getValue());
            }
            assertEquals(expected, forward, where);
            List<String> backward = new ArrayList<>();
            assertTrue(z.seekRank(sorted.size() - 1), where);
            do {
                backward.add(text(z.element()) + "=" + z.score());
            } while (z.prevInOrder());
            java.util.Collections.reverse(backward);
            assertEquals(expected, backward, where);
            assertFalse(z.seekRank(sorted.size()), where);
            for (int i = 0; i < sorted.size(); i++) {
                String m = sorted.get(i).getKey();
                byte[] mb = m.getBytes(StandardCharsets.ISO_8859_1);
                assertTrue(z.find(StoreFixture.buf(mb), 0, mb.length), where);
                assertEquals(i, z.rank(), where + " rank of " + m);
                assertEquals(Double.doubleToRawLongBits(sorted.get(i).getValue()), Double.doubleToRawLongBits(
                        z.score()), where + " score of " + m);
            }
            for (int probe = 0; probe < 20; probe++) {
                double t = probe < 10 ? sorted.get(random.nextInt(sorted.size())).getValue() : random.nextInt(12) - 1;
                long below = sorted.stream().filter(x -> x.getValue() < t).count();
                long atMost = sorted.stream().filter(x -> x.getValue() <= t).count();
                assertEquals(below, z.countBelow(t, false), where + " countBelow " + t);
                assertEquals(atMost, z.countBelow(t, true), where + " countBelow<= " + t);
            }
            keyspace.verify();
        } finally {
            s.unlock();
        }
    }

    @Test
    void randomChangesThroughBothEncodings() {
        long seed = Seeds.seed();
        Random random = new Random(seed);
        String where = "seed " + seed + " (replay with -Dqrrot.seed=" + seed + ")";
        System.out.println("SortedSetStoreTest " + where);
        double[] scores = {0, 1, 1, 2, 2.5, -1, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-300, 7};
        for (int round = 0; round < 6; round++) {
            byte[] key = ("z" + round).getBytes(StandardCharsets.UTF_8);
            int maxEntries = round % 2 == 0 ? 16 : 128;
            Map<String, Double> model = new HashMap<>();
            int steps = 400 + random.nextInt(400);
            for (int step = 0; step < steps; step++) {
                String member = random.nextInt(20) == 0 ? "m" : "m" + random.nextInt(round < 3 ? 40 : 300);
                if (random.nextInt(4) == 0) {
                    boolean had = model.remove(member) != null;
                    assertEquals(had, remove(key, member), where + " step " + step + " ZREM " + member);
                } else {
                    double score = scores[random.nextInt(scores.length)];
                    boolean isNew = !model.containsKey(member);
                    assertEquals(isNew, put(key, member, score, maxEntries), where);
                    model.put(member, score);
                }
                try {
                    keyspace.verify();
                } catch (IllegalStateException e) {
                    throw new AssertionError(where + " round " + round + " step " + step + ": " + e.getMessage(), e);
                }
                if (step % 50 == 0 || step == steps - 1) {
                    check(key, model, random, where + " round " + round + " step " + step);
                }
            }
        }
    }

    /** The store keeps the score bits it is given, packed or not (the commands decide what -0 becomes). */
    @Test
    void scoresKeepTheirBitsInBothEncodings() {
        byte[] key = StoreFixture.bytes("zero");
        put(key, "a", -0.0, 128);
        Map<String, Double> model = new HashMap<>();
        model.put("a", -0.0);
        check(key, model, new Random(1), "packed");
        byte[] big = StoreFixture.bytes("zero-table");
        put(big, "a", 1, 0);
        put(big, "b", -0.0, 0);
        model.clear();
        model.put("a", 1.0);
        model.put("b", -0.0);
        check(big, model, new Random(1), "table");
    }

    @Test
    void lexicographicBoundsWhenScoresAreEqual() {
        for (int maxEntries : new int[] {128, 0}) {
            byte[] key = StoreFixture.bytes("lex" + maxEntries);
            String[] members = {"", "a", "aa", "ab", "b", "\u00ff", "ba"};
            for (String m : members) {
                put(key, m, 0, maxEntries);
            }
            Shard s = store.shard(key);
            s.lock();
            try {
                EntryView e = new EntryView();
                assertTrue(s.find(StoreFixture.buf(key), 0, key.length, store.hash(key), e));
                CollectionView z = new CollectionView().wrap(e);
                List<String> sorted = new ArrayList<>(List.of(members));
                sorted.sort((x, y) -> Arrays.compareUnsigned(x.getBytes(StandardCharsets.ISO_8859_1),
                        y.getBytes(StandardCharsets.ISO_8859_1)));
                for (String probe : new String[] {"", "a", "ab", "abc", "b", "c", "\u00ff", "\u00ff\u00ff"}) {
                    byte[] p = probe.getBytes(StandardCharsets.ISO_8859_1);
                    long below = sorted.stream().filter(x -> Arrays.compareUnsigned(x.getBytes(
                            StandardCharsets.ISO_8859_1), p) < 0).count();
                    long atMost = sorted.stream().filter(x -> Arrays.compareUnsigned(x.getBytes(
                            StandardCharsets.ISO_8859_1), p) <= 0).count();
                    assertEquals(below, z.countBelowLex(StoreFixture.buf(p), 0, p.length, false), probe);
                    assertEquals(atMost, z.countBelowLex(StoreFixture.buf(p), 0, p.length, true), probe);
                }
            } finally {
                s.unlock();
            }
        }
    }

    @Test
    void removingEverythingFreesTheTableAndIndex() {
        byte[] key = StoreFixture.bytes("big");
        long before = keyspace.stats(new StoreStats()).liveBytes();
        for (int i = 0; i < 5000; i++) {
            put(key, "member:" + i, i % 17, 128);
        }
        for (int i = 0; i < 5000; i++) {
            assertTrue(remove(key, "member:" + i));
        }
        assertEquals(before, keyspace.stats(new StoreStats()).liveBytes());
        keyspace.verify();
    }
}
