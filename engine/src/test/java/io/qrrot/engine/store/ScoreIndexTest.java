package io.qrrot.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * A {@link ScoreIndex} against a sorted list: members are real blocks of an {@link ElementTable} (a member with
 * its score as an 8-byte payload), as a sorted set keeps them. Replay a failure with {@code -Dqrrot.seed=N}
 * (the seed is printed).
 */
class ScoreIndexTest {

    /** A member in the model: its score, its bytes and its element block. */
    record Member(double score, byte[] bytes, long block) {
    }

    /** The index's order: score with {@code <} (so -0.0 == 0.0), then unsigned bytes, a prefix first. */
    static final Comparator<Member> ORDER = (a, b) -> {
        if (a.score < b.score) {
            return -1;
        }
        if (a.score > b.score) {
            return 1;
        }
        return Arrays.compareUnsigned(a.bytes, b.bytes);
    };

    static String key(byte[] b) {
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** An element table of members with scores, and an index of them, sharing one allocator and budget. */
    static final class Fixture implements AutoCloseable {
        final SlabAllocator alloc = new SlabAllocator();
        final MemoryBudget budget;
        final long table;
        final long index;
        final List<Member> model = new ArrayList<>();
        final Map<String, Member> byKey = new HashMap<>();
        private final UnsafeBuffer e = new UnsafeBuffer(0, 0);
        private final UnsafeBuffer p = new UnsafeBuffer(new byte[8]);

        Fixture(long maxMemory) {
            budget = new MemoryBudget(maxMemory);
            table = ElementTable.create(alloc, budget, true, 0);
            index = ScoreIndex.create(alloc, budget);
        }

        long putElement(byte[] member, double score) {
            e.wrap(member);
            p.putDouble(0, score, ByteOrder.nativeOrder());
            ElementTable.put(table, alloc, budget, e, 0, member.length, ElementTable.hash(e, 0, member.length), p,
                    0, 8);
            return ElementTable.find(table, e, 0, member.length, ElementTable.hash(e, 0, member.length));
        }

        /** ZADD of a new member or with a new score (remove + insert). */
        void add(byte[] member, double score) {
            Member old = byKey.get(key(member));
            if (old != null) {
                assertTrue(ScoreIndex.remove(index, alloc, budget, old.score, old.block), "remove for update");
                model.remove(Collections.binarySearch(model, old, ORDER));
            }
            long block = putElement(member, score);
            ScoreIndex.insert(index, alloc, budget, score, block);
            Member m = new Member(score, member, block);
            int at = Collections.binarySearch(model, m, ORDER);
            assertTrue(at < 0, "model already has the member");
            model.add(~at, m);
            byKey.put(key(member), m);
        }

        /** ZREM. */
        boolean remove(byte[] member) {
            Member old = byKey.remove(key(member));
            if (old == null) {
                return false;
            }
            assertTrue(ScoreIndex.remove(index, alloc, budget, old.score, old.block), "remove");
            model.remove(Collections.binarySearch(model, old, ORDER));
            e.wrap(member);
            assertTrue(ElementTable.remove(table, alloc, budget, e, 0, member.length,
                    ElementTable.hash(e, 0, member.length)));
            return true;
        }

        void verify() {
            long[] blocks = new long[2];
            ElementTable.verify(table, blocks);
            ScoreIndex.verify(index, blocks);
            alloc.verify(blocks[0], blocks[1]);
            assertEquals(model.size(), ScoreIndex.count(index), "count");
            assertEquals(ElementTable.memoryBytes(table) + ScoreIndex.memoryBytes(index), budget.used(), "budget");
        }

        @Override
        public void close() {
            ScoreIndex.free(index, alloc, budget);
            ElementTable.freeLargeBlocks(table, alloc);
            alloc.releaseAll();
        }
    }

    private static final double[] SCORES = {Double.NEGATIVE_INFINITY, -1e300, -2.5, -1, -0.0, 0.0, 0.5, 1, 2, 3,
        1e15, Double.MAX_VALUE, Double.POSITIVE_INFINITY};
    private static final byte[] ALPHABET = {0, 1, 'a', 'b', 0x7F, (byte) 0x80, (byte) 0xFF};

    /** Short members over a small alphabet: many prefixes of each other, the empty member, binary bytes. */
    static byte[] member(Random random) {
        int roll = random.nextInt(100);
        int length = roll < 3 ? 0 : roll < 90 ? 1 + random.nextInt(6) : 7 + random.nextInt(30);
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return b;
    }

    static double score(Random random) {
        int roll = random.nextInt(10);
        if (roll < 5) {
            return SCORES[random.nextInt(SCORES.length)];
        }
        if (roll < 8) {
            return random.nextInt(20) - 10;
        }
        return random.nextGaussian() * 1000;
    }

    @Test
    void matchesASortedListWithManyEqualScores() {
        run("mixed", 60_000, false);
    }

    @Test
    void matchesASortedListWhenEveryScoreIsEqual() {
        run("equal-scores", 40_000, true);
    }

    private void run(String name, int ops, boolean equalScores) {
        long seed = Seeds.seed();
        System.out.println("ScoreIndexTest " + name + " seed=" + seed);
        String ctx = name + " seed=" + seed;
        Random random = new Random(seed);
        ScoreIndex.Cursor cursor = new ScoreIndex.Cursor();
        try (Fixture f = new Fixture(0)) {
            long emptyBytes = ScoreIndex.memoryBytes(f.index);
            int maxHeight = 0;
            for (int op = 0; op < ops; op++) {
                // Phases that grow to a few thousand members and shrink back, so nodes split and merge.
                double insertShare = (op / 12_000) % 2 == 0 ? 0.75 : 0.3;
                byte[] m = member(random);
                double s = equalScores ? 7.0 : score(random);
                if (random.nextDouble() < insertShare) {
                    f.add(m, s);
                } else if (!f.model.isEmpty() && random.nextBoolean()) {
                    f.remove(f.model.get(random.nextInt(f.model.size())).bytes());
                } else {
                    f.remove(m);
                }
                maxHeight = Math.max(maxHeight, ScoreIndex.height(f.index));
                String at = ctx + " op " + op;
                assertEquals(f.model.size(), ScoreIndex.count(f.index), at + ": count");
                if (op % 97 == 0) {
                    f.verify();
                }
                checkProbes(f, random, cursor, equalScores, at);
                if (op % 1500 == 0) {
                    walkAll(f, cursor, at);
                }
            }
            f.verify();
            walkAll(f, cursor, ctx);
            System.out.println(ctx + ": max height " + maxHeight + ", final count " + f.model.size());
            assertTrue(maxHeight >= 2, "the test should reach two inner levels");
            while (!f.model.isEmpty()) {
                f.remove(f.model.get(random.nextInt(f.model.size())).bytes());
            }
            f.verify();
            assertEquals(emptyBytes, ScoreIndex.memoryBytes(f.index), "empty again");
        }
    }

    private static void checkProbes(Fixture f, Random random, ScoreIndex.Cursor cursor, boolean equalScores,
                                    String at) {
        List<Member> model = f.model;
        int n = model.size();
        if (n > 0) {
            // Ranks of random members.
            for (int k = 0; k < 2; k++) {
                int r = random.nextInt(n);
                Member m = model.get(r);
                assertEquals(r, ScoreIndex.rank(f.index, m.score, m.block), at + ": rank");
            }
            // Seek and a short walk each way.
            int r = random.nextInt(n);
            assertTrue(cursor.seek(f.index, r), at + ": seek");
            for (int i = r; i < Math.min(n, r + 5); i++) {
                assertEquals(model.get(i).block, cursor.block(), at + ": next walk at " + i);
                assertEquals(model.get(i).score, cursor.score(), at + ": next walk score at " + i);
                assertEquals(i + 1 < n, cursor.next(), at + ": next at " + i);
            }
            assertTrue(cursor.seek(f.index, r));
            for (int i = r; i >= Math.max(0, r - 5); i--) {
                assertEquals(model.get(i).block, cursor.block(), at + ": prev walk at " + i);
                assertEquals(i > 0, cursor.prev(), at + ": prev at " + i);
            }
            // Absent: a member with another score.
            Member m = model.get(random.nextInt(n));
            double other = m.score == 1e15 ? 3 : 1e15;
            assertEquals(-1, ScoreIndex.rank(f.index, other, m.block), at + ": rank with a wrong score");
        }
        assertFalse(cursor.seek(f.index, n), at + ": seek past the end");
        assertFalse(cursor.seek(f.index, -1), at + ": seek before the start");
        // countBelow at a random probe, at a member's score and just around it.
        double probe = n > 0 && random.nextBoolean() ? model.get(random.nextInt(n)).score : score(random);
        for (double s : new double[] {probe, Math.nextUp(probe), Math.nextDown(probe)}) {
            for (boolean orEqual : new boolean[] {false, true}) {
                assertEquals(modelCountBelow(model, s, orEqual), ScoreIndex.countBelow(f.index, s, orEqual),
                        at + ": countBelow(" + s + ", " + orEqual + ")");
            }
        }
        if (equalScores) {
            byte[] lex = n > 0 && random.nextBoolean() ? model.get(random.nextInt(n)).bytes : member(random);
            UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(lex.length + 3));
            buffer.putBytes(3, lex);
            for (boolean orEqual : new boolean[] {false, true}) {
                long want = firstNotBelow(model, x -> {
                    int c = Arrays.compareUnsigned(x.bytes, lex);
                    return orEqual ? c <= 0 : c < 0;
                });
                assertEquals(want, ScoreIndex.countBelowLex(f.index, new UnsafeBuffer(lex), 0, lex.length, orEqual),
                        at + ": countBelowLex heap " + orEqual);
                assertEquals(want, ScoreIndex.countBelowLex(f.index, buffer, 3, lex.length, orEqual),
                        at + ": countBelowLex off-heap " + orEqual);
            }
        } else if (n > 0) {
            // Meaningless with mixed scores, but it must answer within [0, n].
            byte[] lex = member(random);
            long got = ScoreIndex.countBelowLex(f.index, new UnsafeBuffer(lex), 0, lex.length, false);
            assertTrue(got >= 0 && got <= n, at + ": countBelowLex in range");
        }
    }

    static long modelCountBelow(List<Member> model, double s, boolean orEqual) {
        return firstNotBelow(model, m -> orEqual ? m.score <= s : m.score < s);
    }

    /** The number of leading members of the sorted model that pass {@code below} (a prefix of it). */
    static int firstNotBelow(List<Member> model, java.util.function.Predicate<Member> below) {
        int lo = 0;
        int hi = model.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (below.test(model.get(mid))) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static void walkAll(Fixture f, ScoreIndex.Cursor cursor, String at) {
        int n = f.model.size();
        if (n == 0) {
            assertFalse(cursor.seek(f.index, 0));
            return;
        }
        assertTrue(cursor.seek(f.index, 0));
        for (int i = 0; i < n; i++) {
            assertEquals(f.model.get(i).block, cursor.block(), at + ": forward walk at " + i);
            assertEquals(i + 1 < n, cursor.next());
        }
        assertTrue(cursor.seek(f.index, n - 1));
        for (int i = n - 1; i >= 0; i--) {
            assertEquals(f.model.get(i).block, cursor.block(), at + ": backward walk at " + i);
            assertEquals(i > 0, cursor.prev());
        }
    }

    @Test
    void orderOfSpecialScoresAndPrefixes() {
        try (Fixture f = new Fixture(0)) {
            f.add(StoreFixture.bytes("b"), 0.0);
            f.add(StoreFixture.bytes("a"), -0.0);
            f.add(new byte[0], 0.0);
            f.add(StoreFixture.bytes("ab"), 0.0);
            f.add(new byte[] {(byte) 0xFF}, 0.0);
            f.add(StoreFixture.bytes("z"), Double.NEGATIVE_INFINITY);
            f.add(StoreFixture.bytes("y"), Double.POSITIVE_INFINITY);
            f.verify();
            String[] want = {"z", "", "a", "ab", "b", "\u00ff", "y"};
            ScoreIndex.Cursor c = new ScoreIndex.Cursor();
            assertTrue(c.seek(f.index, 0));
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], key(ElementTableFixture.element(c.block())), "at " + i);
                assertEquals(i + 1 < want.length, c.next());
            }
            assertEquals(1, ScoreIndex.countBelow(f.index, -0.0, false));
            assertEquals(6, ScoreIndex.countBelow(f.index, 0.0, true));
            assertEquals(6, ScoreIndex.countBelow(f.index, Double.MAX_VALUE, true));
            assertEquals(7, ScoreIndex.countBelow(f.index, Double.POSITIVE_INFINITY, true));
            assertEquals(0, ScoreIndex.countBelow(f.index, Double.NEGATIVE_INFINITY, false));
            Member a = f.byKey.get("a");
            assertEquals(2, ScoreIndex.rank(f.index, 0.0, a.block), "-0.0 and 0.0 are the same score");
            assertThrows(IllegalStateException.class,
                    () -> ScoreIndex.insert(f.index, f.alloc, f.budget, a.score, a.block));
            assertFalse(ScoreIndex.remove(f.index, f.alloc, f.budget, 1.0, a.block));
            f.verify();
        }
    }

    @Test
    void memoryReturnsToEmptyAfterRemovingEverything() {
        Random random = new Random(Seeds.seed());
        try (Fixture f = new Fixture(0)) {
            long emptyIndex = ScoreIndex.memoryBytes(f.index);
            long emptyUsed = f.budget.used();
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 20_000; i++) {
                    f.add(StoreFixture.bytes("m" + i), round == 0 ? i : random.nextInt(1000));
                }
                f.verify();
                assertTrue(ScoreIndex.memoryBytes(f.index) > emptyIndex);
                for (int i = 0; i < 20_000; i++) {
                    assertTrue(f.remove(StoreFixture.bytes("m" + (round == 0 ? i : 19_999 - i))));
                }
                f.verify();
                assertEquals(emptyIndex, ScoreIndex.memoryBytes(f.index));
                assertEquals(emptyUsed, f.budget.used());
                assertEquals(0, ScoreIndex.height(f.index));
            }
        }
        SlabAllocator alloc = new SlabAllocator();
        MemoryBudget budget = new MemoryBudget(0);
        long index = ScoreIndex.create(alloc, budget);
        assertEquals(ScoreIndex.memoryBytes(index), budget.used());
        assertEquals(ScoreIndex.memoryBytes(index), alloc.blockBytes());
        ScoreIndex.free(index, alloc, budget);
        assertEquals(0, budget.used());
        assertEquals(0, alloc.blockBytes());
        alloc.releaseAll();
    }

    /** What a refused insert must leave as it was. */
    record Snapshot(long count, int height, long memoryBytes, long used, long blockBytes, long contentHash) {
        static Snapshot of(Fixture f) {
            long h = 0;
            ScoreIndex.Cursor c = new ScoreIndex.Cursor();
            if (c.seek(f.index, 0)) {
                do {
                    h = h * 31 + c.block() + Double.doubleToLongBits(c.score());
                } while (c.next());
            }
            return new Snapshot(ScoreIndex.count(f.index), ScoreIndex.height(f.index),
                    ScoreIndex.memoryBytes(f.index), f.budget.used(), f.alloc.blockBytes(), h);
        }
    }

    @Test
    void aRefusedInsertChangesNothing() {
        SlabAllocator alloc = new SlabAllocator();
        MemoryBudget tiny = new MemoryBudget(1000);
        assertThrows(StoreMemoryException.class, () -> ScoreIndex.create(alloc, tiny));
        assertEquals(0, tiny.used());
        assertEquals(0, alloc.blockBytes());

        long seed = Seeds.seed();
        System.out.println("ScoreIndexTest refusals seed=" + seed);
        Random random = new Random(seed);
        for (boolean ascending : new boolean[] {true, false}) {
            try (Fixture f = new Fixture(1L << 30)) {
                int refusals = 0;
                for (int i = 0; i < 70_000; i++) {
                    byte[] m = StoreFixture.bytes("m" + i);
                    double s = ascending ? i : random.nextInt(5000);
                    long block = f.putElement(m, s);
                    // No room for a single node: inserts that need to split are refused.
                    long held = f.budget.max() - f.budget.used() - 1000;
                    f.budget.reserve(held);
                    Snapshot before = i % 64 == 0 ? Snapshot.of(f) : null;
                    try {
                        ScoreIndex.insert(f.index, f.alloc, f.budget, s, block);
                    } catch (StoreMemoryException refused) {
                        refusals++;
                        if (before != null) {
                            assertEquals(before, Snapshot.of(f), "refused insert " + i);
                        }
                        if (refusals % 16 == 0) {
                            f.budget.release(held);
                            f.verify(); // the model lacks m: verify before adding it
                            f.budget.reserve(held);
                        }
                        f.budget.release(held);
                        ScoreIndex.insert(f.index, f.alloc, f.budget, s, block);
                        held = 0;
                    }
                    f.budget.release(held);
                    Member mm = new Member(s, m, block);
                    f.model.add(~Collections.binarySearch(f.model, mm, ORDER), mm);
                    f.byKey.put(key(m), mm);
                }
                f.verify();
                System.out.println("ScoreIndexTest refusals (ascending " + ascending + "): " + refusals
                        + ", height " + ScoreIndex.height(f.index));
                assertTrue(refusals > 100);
                assertTrue(ScoreIndex.height(f.index) >= 2);
            }
        }
    }

    /** Fake element blocks (a one-byte length varint and 8 member bytes each) for large loads. */
    static final class Blocks implements AutoCloseable {
        final long raw;
        final long base;

        Blocks(int n) {
            raw = UnsafeApi.allocateMemory(16L * n + 16);
            base = (raw + 15) & ~15L;
            for (int i = 0; i < n; i++) {
                long b = block(i);
                UnsafeApi.putByte(b, (byte) (8 << 1));
                UnsafeApi.putLong(b + 1, Long.reverseBytes(i)); // big-endian: member order is i's order
            }
        }

        long block(int i) {
            return base + 16L * i;
        }

        @Override
        public void close() {
            UnsafeApi.freeMemory(raw);
        }
    }

    @Test
    void bytesPerMemberAndRankSeekAtOneMillion() {
        int n = 1_000_000;
        ScoreIndex.Cursor c = new ScoreIndex.Cursor();
        try (Blocks blocks = new Blocks(n)) {
            oneMillion(n, blocks, c);
        }
    }

    private static void oneMillion(int n, Blocks blocks, ScoreIndex.Cursor c) {
        for (String order : new String[] {"ascending", "random"}) {
            double[] scores = new double[n];
            SlabAllocator alloc = new SlabAllocator();
            MemoryBudget budget = new MemoryBudget(0);
            long index = ScoreIndex.create(alloc, budget);
            Random random = new Random(42);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                double s = order.equals("ascending") ? i : random.nextInt(1 << 30);
                scores[i] = s;
                ScoreIndex.insert(index, alloc, budget, s, blocks.block(i));
            }
            long t1 = System.nanoTime();
            double perMember = (double) ScoreIndex.memoryBytes(index) / n;
            System.out.printf("ScoreIndexTest 1M %s: %.2f bytes per member, height %d, %.0f ns per insert%n",
                    order, perMember, ScoreIndex.height(index), (t1 - t0) / (double) n);
            assertTrue(perMember < 24, order + ": " + perMember + " bytes per member");
            assertEquals(ScoreIndex.memoryBytes(index), budget.used());
            ScoreIndex.verify(index);
            assertEquals(n, ScoreIndex.count(index));
            double last = Double.NEGATIVE_INFINITY;
            for (int r = 0; r < n; r += 1000) {
                assertTrue(c.seek(index, r));
                assertEquals(r, ScoreIndex.rank(index, c.score(), c.block()), order + " rank " + r);
                assertTrue(c.score() >= last);
                last = c.score();
                long below = ScoreIndex.countBelow(index, c.score(), false);
                long atMost = ScoreIndex.countBelow(index, c.score(), true);
                assertTrue(below <= r && r < atMost, order + " countBelow at rank " + r);
            }
            // Remove every other member, then the rest: the index shrinks back to one empty leaf.
            for (int i = 0; i < n; i += 2) {
                assertTrue(ScoreIndex.remove(index, alloc, budget, scores[i], blocks.block(i)));
            }
            ScoreIndex.verify(index);
            System.out.printf("ScoreIndexTest 1M %s: %.2f bytes per member after removing half%n", order,
                    (double) ScoreIndex.memoryBytes(index) / ScoreIndex.count(index));
            ScoreIndex.free(index, alloc, budget);
            assertEquals(0, budget.used());
            alloc.releaseAll();
        }
    }
}
