package io.qrrot.engine.store;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Random operations on an {@link ElementTable} against a {@link HashMap}, with the table's structure and
 * accounting verified after every batch, and scans interleaved with inserts, removals, growth and shrinking.
 * Elements are kept as ISO-8859-1 strings, which map bytes one to one. Replay a failure with
 * {@code -Dqrrot.seed=N} (the seed is printed).
 */
class ElementTableModelTest {

    private static String key(byte[] b) {
        return new String(b, ISO_8859_1);
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    /** Mostly short elements, a few empty ones, now and then one of more than 4096 bytes. */
    private static List<byte[]> elements(Random random, int n) {
        List<byte[]> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        while (out.size() < n) {
            int roll = random.nextInt(100);
            int length = roll == 0 ? 4097 + random.nextInt(3000) : roll < 5 ? random.nextInt(300) : random.nextInt(17);
            byte[] e = randomBytes(random, length);
            if (seen.add(key(e))) {
                out.add(e);
            }
        }
        return out;
    }

    private static byte[] payload(Random random) {
        int roll = random.nextInt(200);
        int length = roll == 0 ? 4097 + random.nextInt(6000) : roll < 10 ? random.nextInt(600) : random.nextInt(25);
        return randomBytes(random, length);
    }

    @Test
    void hashMatchesAHashMap() {
        run("hash", true, -1L, 40_000, 3000);
    }

    @Test
    void setMatchesAHashSet() {
        run("set", false, -1L, 25_000, 3000);
    }

    @Test
    void hashWithFewHomeBitsMatchesAHashMap() {
        // Four home bits: every run is long, tags still differ.
        run("few-home-bits", true, 0xF000_0000_0000_0FFFL, 15_000, 600);
    }

    @Test
    void hashWhereAllElementsCollideMatchesAHashMap() {
        run("all-colliding", true, 0L, 4_000, 250);
    }

    private void run(String name, boolean payloads, long mask, int ops, int space) {
        long seed = Seeds.seed();
        System.out.println("ElementTableModelTest " + name + " seed=" + seed);
        String ctx = name + " seed=" + seed;
        Random random = new Random(seed);
        List<byte[]> elements = elements(random, space);
        Map<String, byte[]> model = new HashMap<>();
        UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(16_384));
        UnsafeBuffer heapE = new UnsafeBuffer(0, 0);
        UnsafeBuffer heapP = new UnsafeBuffer(0, 0);
        int grows = 0;
        int shrinks = 0;
        try (ElementTableFixture t = new ElementTableFixture(0, payloads, random.nextInt(200), mask)) {
            for (int op = 0; op < ops; op++) {
                // Phases of mostly inserts then mostly removals, so the table grows and shrinks repeatedly.
                // Each phase lasts four times the element space: it ends near its equilibrium of 97% or 3% present.
                double insertShare = (op / (4 * space)) % 2 == 0 ? 0.97 : 0.03;
                byte[] e = elements.get(random.nextInt(elements.size()));
                byte[] expected = model.get(key(e));
                int bitsBefore = t.capacityBits();
                // Half of the operations read their arguments from off-heap memory.
                boolean offHeap = random.nextBoolean() && e.length <= 8192;
                UnsafeBuffer eb = offHeap ? direct : heapE;
                int eoff = 0;
                if (offHeap) {
                    direct.putBytes(0, e);
                } else {
                    heapE.wrap(e);
                }
                long hash = ElementTable.hash(eb, eoff, e.length);
                if (random.nextDouble() < insertShare) {
                    byte[] p = payloads ? payload(random) : new byte[0];
                    UnsafeBuffer pb = heapP;
                    int poff = 0;
                    if (offHeap && p.length <= 8192) {
                        pb = direct;
                        poff = 8192;
                        direct.putBytes(poff, p);
                    } else {
                        heapP.wrap(p);
                    }
                    boolean added = ElementTable.put(t.table, t.alloc, t.budget, eb, eoff, e.length, hash, pb, poff,
                            p.length);
                    assertEquals(expected == null, added, ctx + " op " + op + ": put's answer");
                    model.put(key(e), p);
                } else {
                    boolean removed = ElementTable.remove(t.table, t.alloc, t.budget, eb, eoff, e.length, hash);
                    assertEquals(expected != null, removed, ctx + " op " + op + ": remove's answer");
                    model.remove(key(e));
                }
                int bitsAfter = t.capacityBits();
                grows += bitsAfter > bitsBefore ? 1 : 0;
                shrinks += bitsAfter < bitsBefore ? 1 : 0;
                byte[] probe = elements.get(random.nextInt(elements.size()));
                byte[] want = model.get(key(probe));
                byte[] got = t.get(probe);
                if (want == null) {
                    assertNull(got, ctx + " op " + op + ": found a removed element");
                } else {
                    assertArrayEquals(want, got, ctx + " op " + op + ": payload");
                }
                assertEquals(model.size(), t.count(), ctx + " op " + op + ": count");
                if (op % 1000 == 999) {
                    t.verify();
                    assertSameContent(t, model, ctx + " op " + op);
                }
            }
            t.verify();
            assertSameContent(t, model, ctx + " at the end");
            assertTrue(grows > 0 && shrinks > 0, ctx + ": grew " + grows + " times, shrank " + shrinks);
            t.free();
        }
    }

    /** A scan without concurrent changes returns every element exactly once; every element is found. */
    private static void assertSameContent(ElementTableFixture t, Map<String, byte[]> model, String ctx) {
        Map<String, byte[]> scanned = new HashMap<>();
        long cursor = 0;
        int calls = 0;
        do {
            cursor = ElementTable.scan(t.table, cursor, 1 + calls % 37, (e, el, p, pl) -> {
                byte[] previous = scanned.put(key(ElementTableFixture.copy(e, el)), ElementTableFixture.copy(p, pl));
                assertNull(previous, ctx + ": an element was returned twice by an undisturbed scan");
            });
            calls++;
        } while (cursor != 0);
        assertEquals(model.keySet(), scanned.keySet(), ctx + ": scanned elements");
        for (Map.Entry<String, byte[]> m : model.entrySet()) {
            assertArrayEquals(m.getValue(), scanned.get(m.getKey()), ctx + ": scanned payload");
            byte[] e = m.getKey().getBytes(ISO_8859_1);
            long block = t.find(e);
            assertTrue(block != 0, ctx + ": element not found");
            assertArrayEquals(m.getValue(), ElementTableFixture.payload(block), ctx + ": payload");
        }
    }

    /** Insert bursts stop at this size, so that a long scan does not double the table without end. */
    private static final int MAX_SCAN_TABLE = 30_000;

    @Test
    void scanReturnsEveryElementPresentThroughoutWhileTheTableChanges() {
        long seed = Seeds.seed();
        System.out.println("ElementTableModelTest scan seed=" + seed);
        Random random = new Random(seed);
        int grows = 0;
        int shrinks = 0;
        for (int round = 0; round < 60; round++) {
            String ctx = "seed=" + seed + " round " + round;
            long mask = round % 5 == 4 ? 0xFF00_0000_0000_0FFFL : -1L;
            try (ElementTableFixture t = new ElementTableFixture(0, true, 0, mask)) {
                Set<String> present = new HashSet<>();
                List<String> order = new ArrayList<>(); // the same elements, for picking one at random
                int next = 0;
                int initial = random.nextInt(4000);
                for (int i = 0; i < initial; i++) {
                    String k = "r" + round + ":" + next++;
                    t.put(k.getBytes(ISO_8859_1), new byte[random.nextInt(10)]);
                    present.add(k);
                    order.add(k);
                }
                Set<String> throughout = new HashSet<>(present);
                Set<String> visited = new HashSet<>();
                long cursor = 0;
                do {
                    cursor = ElementTable.scan(t.table, cursor, 1 + random.nextInt(60), (e, el, p, pl) -> {
                        String k = key(ElementTableFixture.copy(e, el));
                        assertTrue(present.contains(k), ctx + ": scan returned an element that is not there");
                        visited.add(k);
                    });
                    int bitsBefore = t.capacityBits();
                    int action = random.nextInt(10);
                    int size = order.size();
                    int n = action < 2 ? random.nextInt(Math.max(1, Math.min(2 * size + 50, MAX_SCAN_TABLE - size)))
                            : action < 4 ? random.nextInt(size + 1) // a burst of removals that may shrink it
                            : random.nextInt(8);
                    for (int i = 0; i < n; i++) {
                        boolean insert = action < 2 || (action >= 4 && random.nextBoolean());
                        if (insert || order.isEmpty()) {
                            String k = "r" + round + ":" + next++;
                            t.put(k.getBytes(ISO_8859_1), new byte[random.nextInt(10)]);
                            present.add(k);
                            order.add(k);
                        } else {
                            int at = random.nextInt(order.size());
                            String victim = order.get(at);
                            order.set(at, order.get(order.size() - 1));
                            order.remove(order.size() - 1);
                            assertTrue(t.remove(victim.getBytes(ISO_8859_1)));
                            present.remove(victim);
                            throughout.remove(victim);
                        }
                    }
                    grows += t.capacityBits() > bitsBefore ? 1 : 0;
                    shrinks += t.capacityBits() < bitsBefore ? 1 : 0;
                } while (cursor != 0);
                for (String k : throughout) {
                    assertTrue(visited.contains(k), ctx + ": an element present throughout was never returned");
                }
                t.verify();
                t.free();
            }
        }
        assertTrue(grows > 10 && shrinks > 10, "grew " + grows + " times, shrank " + shrinks + " during scans");
    }

    @Test
    void hashOverloadsAgree() {
        Random random = new Random(Seeds.seed());
        UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(300));
        for (int i = 0; i < 200; i++) {
            byte[] b = randomBytes(random, random.nextInt(300));
            direct.putBytes(0, b);
            long heap = ElementTable.hash(new UnsafeBuffer(b), 0, b.length);
            assertEquals(heap, ElementTable.hash(direct, 0, b.length));
            assertEquals(heap, ElementTable.hash(direct.addressOffset(), b.length));
        }
    }

    @Test
    void randomBlockIsRoughlyUniform() {
        Random random = new Random(Seeds.seed());
        try (ElementTableFixture t = new ElementTableFixture(true)) {
            assertEquals(0, ElementTable.randomBlock(t.table, 42));
            int n = 100;
            for (int i = 0; i < n; i++) {
                t.put(("e" + i).getBytes(ISO_8859_1), new byte[0]);
            }
            Map<String, Integer> hits = new HashMap<>();
            int draws = 100_000;
            for (int i = 0; i < draws; i++) {
                long block = ElementTable.randomBlock(t.table, random.nextLong());
                assertNotNull(t.get(ElementTableFixture.element(block)));
                hits.merge(key(ElementTableFixture.element(block)), 1, Integer::sum);
            }
            assertEquals(n, hits.size());
            for (int count : hits.values()) {
                // Expected 1000 each; a binomial standard deviation is about 31.
                assertTrue(count > 800 && count < 1200, "draws of one element: " + count);
            }
        }
    }

    @Test
    void aVisitorThatModifiesTheTableIsStopped() {
        try (ElementTableFixture t = new ElementTableFixture(true)) {
            for (int i = 0; i < 50; i++) {
                t.put(("e" + i).getBytes(ISO_8859_1), new byte[1]);
            }
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> ElementTable.scan(t.table, 0, 100,
                            (a, al, p, pl) -> t.put(("x" + a).getBytes(ISO_8859_1), new byte[0])));
            assertTrue(e.getMessage().contains("modified"));
        }
    }
}
