package io.qrrot.engine.store;

import static io.qrrot.engine.store.StoreFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class ElementTableTest {

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    /** {@code n} distinct elements whose xxHash3 has its top {@code bits} bits set: they share the last home. */
    static List<byte[]> elementsHashingToTheEnd(int n, int bits) {
        List<byte[]> out = new ArrayList<>();
        long mask = -1L << (64 - bits);
        for (long i = 0; out.size() < n; i++) {
            byte[] e = bytes("m" + i);
            if ((ElementTableFixture.hash(e) & mask) == mask) {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void putsFindsReplacesAndRemoves() {
        try (ElementTableFixture t = new ElementTableFixture(true)) {
            assertEquals(0, t.count());
            assertEquals(0, t.find(bytes("f1")));
            assertTrue(t.put(bytes("f1"), bytes("v1")));
            assertEquals(1, t.count());
            long block = t.find(bytes("f1"));
            assertNotEquals(0, block);
            assertArrayEquals(bytes("f1"), ElementTableFixture.element(block));
            assertArrayEquals(bytes("v1"), ElementTableFixture.payload(block));
            assertEquals(1 + 2 + 1 + 2, ElementTable.blockLength(block));
            t.verify();

            // Same size class: in place.
            assertFalse(t.put(bytes("f1"), bytes("value-2")));
            assertEquals(block, t.find(bytes("f1")));
            assertArrayEquals(bytes("value-2"), t.get(bytes("f1")));
            t.verify();

            // Bigger: moves to a new block, the old one is freed.
            byte[] big = pattern(200, 1);
            assertFalse(t.put(bytes("f1"), big));
            assertNotEquals(block, t.find(bytes("f1")));
            assertArrayEquals(big, t.get(bytes("f1")));
            assertEquals(1, t.count());
            t.verify();

            // Back to small: moves again (a block of another class).
            assertFalse(t.put(bytes("f1"), bytes("v")));
            assertArrayEquals(bytes("v"), t.get(bytes("f1")));
            t.verify();

            assertTrue(t.put(bytes("f2"), bytes("v2")));
            assertEquals(2, t.count());
            assertTrue(t.remove(bytes("f1")));
            assertFalse(t.remove(bytes("f1")));
            assertNull(t.get(bytes("f1")));
            assertArrayEquals(bytes("v2"), t.get(bytes("f2")));
            assertEquals(1, t.count());
            t.verify();
            t.free();
        }
    }

    @Test
    void emptyPayloadsAndTheEmptyElement() {
        try (ElementTableFixture t = new ElementTableFixture(true)) {
            assertTrue(t.put(new byte[0], new byte[0]));
            assertTrue(t.put(bytes("x"), new byte[0]));
            assertArrayEquals(new byte[0], t.get(new byte[0]));
            assertArrayEquals(new byte[0], t.get(bytes("x")));
            long block = t.find(new byte[0]);
            assertEquals(0, ElementTable.elementLength(block));
            assertEquals(2, ElementTable.blockLength(block));
            assertFalse(t.put(new byte[0], bytes("now")));
            assertArrayEquals(bytes("now"), t.get(new byte[0]));
            assertFalse(t.put(bytes("x"), bytes("y")));
            assertFalse(t.put(bytes("x"), new byte[0]));
            assertArrayEquals(new byte[0], t.get(bytes("x")));
            assertEquals(2, t.count());
            t.verify();
            assertTrue(t.remove(new byte[0]));
            assertNull(t.get(new byte[0]));
            assertArrayEquals(new byte[0], t.get(bytes("x")));
            t.verify();
            t.free();
        }
    }

    @Test
    void largeElementsAndPayloadsLiveInLargeBlocks() {
        try (ElementTableFixture t = new ElementTableFixture(true)) {
            byte[] element = pattern(5000, 3);
            byte[] payload = pattern(10_000, 4);
            assertTrue(t.put(element, payload));
            assertTrue(t.put(bytes("small"), bytes("s")));
            long block = t.find(element);
            assertEquals(2 + 5000 + 2 + 10_000, ElementTable.blockLength(block));
            assertArrayEquals(element, ElementTableFixture.element(block));
            assertArrayEquals(payload, ElementTableFixture.payload(block));
            t.verify();
            long before = t.budget.used();

            // Still more than half of the large block: rewritten in place, no memory change.
            byte[] shorter = pattern(6000, 5);
            assertFalse(t.put(element, shorter));
            assertEquals(block, t.find(element));
            assertArrayEquals(shorter, t.get(element));
            assertEquals(before, t.budget.used());
            t.verify();

            // Much smaller: a smaller large block, so the shrunk payload does not pin the big one.
            assertFalse(t.put(element, bytes("tiny")));
            assertNotEquals(block, t.find(element));
            assertArrayEquals(bytes("tiny"), t.get(element));
            assertTrue(t.budget.used() < before);
            t.verify();

            // A small element with a large payload, then the large element removed.
            assertTrue(t.put(bytes("k"), pattern(70_000, 6)));
            assertArrayEquals(pattern(70_000, 6), t.get(bytes("k")));
            assertTrue(t.remove(element));
            assertNull(t.get(element));
            t.verify();
            t.free();
        }
    }

    @Test
    void elementsAndPayloadsMayComeFromTheTableItself() {
        try (ElementTableFixture t = new ElementTableFixture(true)) {
            t.put(bytes("a"), bytes("payload-of-a"));
            t.put(bytes("b"), bytes("payload-of-b"));
            long a = t.find(bytes("a"));
            UnsafeBuffer aElement = new UnsafeBuffer(ElementTable.elementAddress(a), ElementTable.elementLength(a));
            UnsafeBuffer aPayload = new UnsafeBuffer(ElementTable.payloadAddress(a), ElementTable.payloadLength(a));
            // Its own payload again (the source overlaps the block it would be written to).
            long hashA = ElementTableFixture.hash(bytes("a"));
            assertFalse(ElementTable.put(t.table, t.alloc, t.budget, aElement, 0, 1, hashA, aPayload, 0,
                    aPayload.capacity()));
            assertArrayEquals(bytes("payload-of-a"), t.get(bytes("a")));
            // a's payload for b, and a's payload as a new element.
            long a2 = t.find(bytes("a"));
            UnsafeBuffer p2 = new UnsafeBuffer(ElementTable.payloadAddress(a2), ElementTable.payloadLength(a2));
            UnsafeBuffer bElement = new UnsafeBuffer(bytes("b"));
            ElementTable.put(t.table, t.alloc, t.budget, bElement, 0, 1, ElementTableFixture.hash(bytes("b")), p2, 0,
                    p2.capacity());
            assertArrayEquals(bytes("payload-of-a"), t.get(bytes("b")));
            assertTrue(ElementTable.put(t.table, t.alloc, t.budget, p2, 0, p2.capacity(),
                    ElementTable.hash(p2, 0, p2.capacity()), p2, 0, 7));
            assertArrayEquals(bytes("payload"), t.get(bytes("payload-of-a")));
            t.verify();
            t.free();
        }
    }

    @Test
    void growsByDoublingAndShrinksWhenSparse() {
        try (ElementTableFixture t = new ElementTableFixture(true)) {
            assertEquals(ElementTable.MIN_CAPACITY_BITS, t.capacityBits());
            int n = 5000;
            int lastBits = t.capacityBits();
            for (int i = 0; i < n; i++) {
                assertTrue(t.put(bytes("field:" + i), bytes("value:" + i)));
                int bits = t.capacityBits();
                assertTrue(bits == lastBits || bits == lastBits + 1, "grows one doubling at a time");
                assertTrue(t.count() <= ElementTable.maxCount(bits));
                assertTrue(bits == ElementTable.MIN_CAPACITY_BITS || t.count() > ElementTable.maxCount(bits - 1),
                        "grows only when full");
                lastBits = bits;
                if (i % 500 == 0) {
                    t.verify();
                }
            }
            assertEquals(13, t.capacityBits()); // 5000 > 0.85 * 4096
            t.verify();
            for (int i = 0; i < n; i++) {
                assertArrayEquals(bytes("value:" + i), t.get(bytes("field:" + i)));
            }
            for (int i = 0; i < n; i++) {
                assertTrue(t.remove(bytes("field:" + i)));
                int bits = t.capacityBits();
                assertTrue(bits == ElementTable.MIN_CAPACITY_BITS || t.count() >= (1 << bits) / 8,
                        "shrinks once less than 1/8 full");
                if (i % 500 == 0) {
                    t.verify();
                    for (int j = i + 1; j < n; j += 97) {
                        assertArrayEquals(bytes("value:" + j), t.get(bytes("field:" + j)));
                    }
                }
            }
            assertEquals(0, t.count());
            assertEquals(ElementTable.MIN_CAPACITY_BITS, t.capacityBits());
            t.verify();
            t.free();
        }
    }

    @Test
    void createPresizesForTheExpectedCount() {
        try (ElementTableFixture t = new ElementTableFixture(0, true, 1000, -1L)) {
            int bits = t.capacityBits();
            assertTrue(ElementTable.maxCount(bits) >= 1000 && ElementTable.maxCount(bits - 1) < 1000);
            for (int i = 0; i < 1000; i++) {
                t.put(bytes("f" + i), bytes("v"));
            }
            assertEquals(bits, t.capacityBits());
            t.verify();
        }
    }

    @Test
    void freeReturnsEveryByteToTheBudget() {
        try (ElementTableFixture t = new ElementTableFixture(true)) {
            for (int i = 0; i < 3000; i++) {
                t.put(bytes("f" + i), pattern(i % 7 == 0 ? 5000 : i % 40, i));
            }
            for (int i = 0; i < 3000; i += 3) {
                t.remove(bytes("f" + i));
            }
            t.verify();
            assertTrue(t.budget.used() > 0);
            t.free(); // asserts budget and allocator are back to 0
        }
    }

    @Test
    void freeLargeBlocksLeavesOnlySlabsForReleaseAll() {
        try (ElementTableFixture t = new ElementTableFixture(true)) {
            for (int i = 0; i < 2000; i++) {
                t.put(bytes("f" + i), pattern(i % 100 == 0 ? 9000 : 8, i));
            }
            long[] blocks = new long[2];
            ElementTable.verify(t.table, blocks);
            assertTrue(blocks[1] > 0);
            ElementTable.freeLargeBlocks(t.table, t.alloc);
            t.freed = true;
            t.alloc.releaseAll();
            assertEquals(0, t.alloc.allocatedBytes());
            assertEquals(0, t.alloc.blockBytes());
        }
    }

    @Test
    void memberOnlyTablesStoreNoPayload() {
        try (ElementTableFixture t = new ElementTableFixture(false)) {
            assertFalse(ElementTable.hasPayloads(t.table));
            assertTrue(t.put(bytes("member"), new byte[0]));
            assertFalse(t.put(bytes("member"), new byte[0]));
            long block = t.find(bytes("member"));
            assertEquals(1 + 6, ElementTable.blockLength(block));
            assertEquals(0, ElementTable.payloadLength(block));
            assertEquals(ElementTable.elementAddress(block) + 6, ElementTable.payloadAddress(block));
            assertThrows(IllegalArgumentException.class, () -> t.put(bytes("other"), bytes("p")));
            assertEquals(1, t.count());
            for (int i = 0; i < 500; i++) {
                t.put(bytes("m" + i), new byte[0]);
            }
            t.verify();
            assertTrue(t.remove(bytes("member")));
            assertEquals(0, t.find(bytes("member")));
            t.verify();
            t.free();
        }
    }

    @Test
    void rejectsBadArguments() {
        try (ElementTableFixture t = new ElementTableFixture(true)) {
            UnsafeBuffer small = new UnsafeBuffer(new byte[4]);
            assertThrows(IllegalArgumentException.class, () -> ElementTable.put(t.table, t.alloc, t.budget, small, 0,
                    ElementTable.MAX_ELEMENT_LENGTH + 1, 0, null, 0, 0));
            assertThrows(IllegalArgumentException.class,
                    () -> ElementTable.put(t.table, t.alloc, t.budget, small, 0, 4, 0, small, 0, -1));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> ElementTable.put(t.table, t.alloc, t.budget, small, 0, 5, 0, null, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> ElementTable.scan(t.table, 0, 0, (a, b, c, d) -> { }));
            assertEquals(0, ElementTable.scan(t.table, 1L << 32, 10, (a, b, c, d) -> { }));
            assertEquals(0, t.count());
            t.verify();
        }
    }

    @Test
    void collidingHashesSaturateDistancesAndEnlargeTheTail() {
        // 1800 elements in the last home slot up to 2^11 home slots: distances past 127, runs longer than the
        // default tail; then 2^12 slots split them into two long runs with saturated distances.
        List<byte[]> elements = elementsHashingToTheEnd(1800, 11);
        try (ElementTableFixture t = new ElementTableFixture(true)) {
            for (int i = 0; i < elements.size(); i++) {
                assertTrue(t.put(elements.get(i), pattern(i % 20, i)));
                if (i % 200 == 0 || i == ElementTable.maxCount(11)) {
                    t.verify();
                }
            }
            t.verify();
            assertEquals(12, t.capacityBits());
            assertTrue(ElementTable.slotCount(t.table) - (1 << t.capacityBits()) >= 800, "the tail was enlarged");
            for (int i = 0; i < elements.size(); i++) {
                assertArrayEquals(pattern(i % 20, i), t.get(elements.get(i)));
                assertFalse(t.put(elements.get(i), pattern(i % 30, i + 1)));
            }
            assertNull(t.get(bytes("absent")));
            for (int i = 0; i < elements.size(); i += 2) {
                assertTrue(t.remove(elements.get(i)));
                if (i % 200 == 0) {
                    t.verify();
                }
            }
            for (int i = 0; i < elements.size(); i++) {
                assertEquals(i % 2 == 1, t.get(elements.get(i)) != null);
            }
            for (int i = 1; i < elements.size(); i += 2) {
                assertTrue(t.remove(elements.get(i)));
            }
            assertEquals(0, t.count());
            assertEquals(ElementTable.MIN_CAPACITY_BITS, t.capacityBits());
            t.verify();
            t.free();
        }
    }

    @Test
    void elementsOfAnEarlierHomeShiftASaturatedRunForwardAndBack() {
        // Two bits of home: group B (home 256 of 1024) first, 150 long; then group A (home 0), 450 long, whose
        // run reaches B's and pushes all of B forward until even B's first element is 194 slots from home, so
        // the last A elements must find their place before a run that starts saturated. Then A goes again.
        long mask = 0xC000_0000_0000_0FFFL;
        List<byte[]> a = new ArrayList<>();
        List<byte[]> b = new ArrayList<>();
        for (long i = 0; a.size() < 450 || b.size() < 150; i++) {
            byte[] e = bytes("g" + i);
            long top = ElementTableFixture.hash(e) >>> 62;
            if (top == 0 && a.size() < 450) {
                a.add(e);
            } else if (top == 1 && b.size() < 150) {
                b.add(e);
            }
        }
        try (ElementTableFixture t = new ElementTableFixture(0, true, 600, mask)) {
            assertEquals(10, t.capacityBits());
            for (byte[] e : b) {
                t.put(e, e);
            }
            t.verify();
            for (int i = 0; i < a.size(); i++) {
                t.put(a.get(i), a.get(i));
                if (i % 25 == 0 || i > 380) {
                    t.verify();
                }
            }
            assertEquals(10, t.capacityBits());
            t.verify();
            for (byte[] e : a) {
                assertArrayEquals(e, t.get(e));
            }
            for (byte[] e : b) {
                assertArrayEquals(e, t.get(e));
            }
            for (int i = 0; i < a.size(); i++) {
                assertTrue(t.remove(a.get(i)));
                if (i % 25 == 0) {
                    t.verify();
                }
            }
            t.verify();
            for (byte[] e : b) {
                assertArrayEquals(e, t.get(e));
            }
            t.free();
        }
    }

    @Test
    void aHashMaskOfZeroPutsEveryElementInOneRun() {
        try (ElementTableFixture t = new ElementTableFixture(0, true, 0, 0L)) {
            for (int i = 0; i < 400; i++) {
                assertTrue(t.put(bytes("f" + i), bytes("v" + i)));
            }
            t.verify();
            for (int i = 0; i < 400; i++) {
                assertArrayEquals(bytes("v" + i), t.get(bytes("f" + i)));
            }
            for (int i = 399; i >= 0; i -= 3) {
                assertTrue(t.remove(bytes("f" + i)));
            }
            t.verify();
            Map<String, Integer> seen = new HashMap<>();
            long cursor = 0;
            do {
                cursor = ElementTable.scan(t.table, cursor, 7, (e, el, p, pl) ->
                        seen.merge(new String(ElementTableFixture.copy(e, el)), 1, Integer::sum));
            } while (cursor != 0);
            assertEquals(t.count(), seen.size());
            t.free();
        }
    }

    @Test
    void aMaxMemoryRefusalChangesNothing() {
        SlabAllocator alloc = new SlabAllocator();
        MemoryBudget tiny = new MemoryBudget(100);
        assertThrows(StoreMemoryException.class, () -> ElementTable.create(alloc, tiny, true, 0));
        assertEquals(0, tiny.used());
        assertEquals(0, alloc.blockBytes());

        try (ElementTableFixture t = new ElementTableFixture(1 << 20, true, 0, -1L)) {
            // Up to the last element before the table doubles.
            int full = ElementTable.maxCount(8);
            for (int i = 0; i < full; i++) {
                t.put(bytes("f" + i), bytes("v" + i));
            }
            assertEquals(8, t.capacityBits());

            // Room for the new element's block but not for doubling the slot array.
            long held = t.budget.max() - t.budget.used() - 64;
            t.budget.reserve(held);
            Snapshot before = Snapshot.of(t);
            assertThrows(StoreMemoryException.class, () -> t.put(bytes("new"), bytes("v")));
            assertEquals(before, Snapshot.of(t));

            // No growth needed, but no room for a new block, nor for a bigger payload.
            assertTrue(t.remove(bytes("f0")));
            held += t.budget.max() - t.budget.used();
            t.budget.reserve(t.budget.max() - t.budget.used());
            before = Snapshot.of(t);
            assertThrows(StoreMemoryException.class, () -> t.put(bytes("f0"), bytes("v0")));
            assertThrows(StoreMemoryException.class, () -> t.put(bytes("f1"), pattern(300, 1)));
            assertEquals(before, Snapshot.of(t));

            // What needs no more memory still works: same-class replacement, removal.
            assertFalse(t.put(bytes("f1"), bytes("w1")));
            assertArrayEquals(bytes("w1"), t.get(bytes("f1")));
            assertTrue(t.remove(bytes("f2")));
            t.budget.release(held);
            t.verify();
        }
    }

    @Test
    void aRefusedTailEnlargementChangesNothing() {
        List<byte[]> colliding = elementsHashingToTheEnd(200, 12);
        try (ElementTableFixture t = new ElementTableFixture(1 << 20, true, 150, -1L)) {
            assertEquals(8, t.capacityBits());
            int i = 0;
            while (ElementTable.blockAt(t.table, ElementTable.slotCount(t.table) - 1) == 0) {
                t.put(colliding.get(i++), bytes("v"));
            }
            int slots = ElementTable.slotCount(t.table);
            // Room for the element's block, not for the longer tail the run needs.
            long held = t.budget.max() - t.budget.used() - 64;
            t.budget.reserve(held);
            Snapshot before = Snapshot.of(t);
            byte[] next = colliding.get(i);
            assertThrows(StoreMemoryException.class, () -> t.put(next, bytes("v")));
            assertEquals(before, Snapshot.of(t));
            assertEquals(slots, ElementTable.slotCount(t.table));
            t.budget.release(held);
            assertTrue(t.put(next, bytes("v")));
            assertTrue(ElementTable.slotCount(t.table) > slots);
            t.verify();
        }
    }

    /** Everything a refusal must leave as it was. */
    record Snapshot(long count, int bits, long memoryBytes, long used, long blockBytes, Map<String, String> content) {
        static Snapshot of(ElementTableFixture t) {
            Map<String, String> content = new HashMap<>();
            long cursor = 0;
            do {
                cursor = ElementTable.scan(t.table, cursor, 100, (e, el, p, pl) -> content.put(
                        Arrays.toString(ElementTableFixture.copy(e, el)),
                        Arrays.toString(ElementTableFixture.copy(p, pl))));
            } while (cursor != 0);
            return new Snapshot(ElementTable.count(t.table), t.capacityBits(), ElementTable.memoryBytes(t.table),
                    t.budget.used(), t.alloc.blockBytes(), content);
        }
    }

    @Test
    void bytesPerElementStayFarBelowRedis() {
        try (ElementTableFixture t = new ElementTableFixture(true)) {
            UnsafeBuffer e = new UnsafeBuffer(ByteBuffer.allocateDirect(8));
            UnsafeBuffer p = new UnsafeBuffer(ByteBuffer.allocateDirect(8));
            int n = 200_000;
            for (long i = 0; i < n; i++) {
                e.putLong(0, i);
                p.putLong(0, ~i);
                ElementTable.put(t.table, t.alloc, t.budget, e, 0, 8, ElementTable.hash(e, 0, 8), p, 0, 8);
            }
            double perElement = (double) ElementTable.memoryBytes(t.table) / n;
            // 24-byte blocks and 2^18 slots of 8 bytes: 34.5 bytes.
            assertTrue(perElement < 40, "bytes per element: " + perElement);
            t.verify();
        }
    }
}
