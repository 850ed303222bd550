package io.qrrot.engine.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * ListNodes against a model (a sorted map of label to value): seeded random pushes at both ends, inserts between
 * neighbours, replacements that grow and shrink values, removals anywhere, elements larger than a node; after
 * each step the structure's invariants, and regularly a full walk both ways and seeks by index.
 * {@code -Dseed=N} replays a run.
 */
class ListNodesTest {
    private final SlabAllocator alloc = new SlabAllocator();
    private final MemoryBudget budget = new MemoryBudget(0);
    private final ListNodes.Place place = ListNodes.newPlace();

    @Test
    void randomOperationsMatchTheModel() {
        long seed = Long.getLong("seed", System.nanoTime());
        System.out.println("ListNodesTest seed " + seed + " (-Dseed=" + seed + " replays)");
        Random r = new Random(seed);
        for (int round = 0; round < 6; round++) {
            long list = ListNodes.create(alloc, budget);
            TreeMap<Long, byte[]> model = new TreeMap<>();
            int steps = 4000;
            int maxValue = round % 3 == 0 ? 12 : round % 3 == 1 ? 300 : 6000;
            for (int step = 0; step < steps; step++) {
                int op = r.nextInt(10);
                byte[] value = randomValue(r, r.nextInt(20) == 0 ? maxValue : Math.min(maxValue, 12));
                if (op < 3 || model.isEmpty()) {
                    long label = model.isEmpty() ? 0 : model.lastKey() + ListNodes.STRIDE;
                    put(list, model, label, value);
                } else if (op < 5) {
                    put(list, model, model.firstKey() - ListNodes.STRIDE, value);
                } else if (op < 7) {
                    long a = randomLabel(r, model);
                    Long b = model.higherKey(a);
                    if (b != null && b - a >= 2) {
                        put(list, model, a + (b - a) / 2, value);
                    } else {
                        put(list, model, a, value); // a replacement
                    }
                } else if (op < 9) {
                    long a = randomLabel(r, model);
                    assertTrue(ListNodes.remove(list, alloc, budget, a, place));
                    model.remove(a);
                    assertFalse(ListNodes.remove(list, alloc, budget, a, place));
                } else {
                    // remove from an end, as pops do
                    long a = r.nextBoolean() ? model.firstKey() : model.lastKey();
                    assertTrue(ListNodes.remove(list, alloc, budget, a, place));
                    model.remove(a);
                }
                ListNodes.verify(list);
                assertEquals(model.size(), ListNodes.count(list));
                if (step % 200 == 0 || step == steps - 1) {
                    compare(list, model, r);
                }
            }
            ListNodes.free(list, alloc, budget);
            assertEquals(0, budget.used(), "round " + round + ": every block released");
        }
    }

    @Test
    void pushesCostAbout2BytesAnElementBeyondTheValue() {
        long list = ListNodes.create(alloc, budget);
        UnsafeBuffer v = new UnsafeBuffer(new byte[10]);
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            assertTrue(ListNodes.put(list, alloc, budget, (long) i * ListNodes.STRIDE, v, 0, 10, place));
        }
        ListNodes.verify(list);
        double perElement = (double) ListNodes.memoryBytes(list) / n;
        assertTrue(perElement < 12.5, "bytes per 10-byte element: " + perElement);
        ListNodes.free(list, alloc, budget);
    }

    private void put(long list, TreeMap<Long, byte[]> model, long label, byte[] value) {
        boolean added = ListNodes.put(list, alloc, budget, label, new UnsafeBuffer(value), 0, value.length, place);
        assertEquals(!model.containsKey(label), added);
        model.put(label, value);
    }

    private static long randomLabel(Random r, TreeMap<Long, byte[]> model) {
        long lo = model.firstKey();
        long hi = model.lastKey();
        Long k = model.ceilingKey(lo + (long) (r.nextDouble() * (hi - lo)));
        return k == null ? hi : k;
    }

    private static byte[] randomValue(Random r, int max) {
        byte[] b = new byte[r.nextInt(max + 1)];
        r.nextBytes(b);
        return b;
    }

    private static void compare(long list, TreeMap<Long, byte[]> model, Random r) {
        List<Map.Entry<Long, byte[]>> expected = new ArrayList<>(model.entrySet());
        ListNodes.Cursor c = new ListNodes.Cursor();
        if (expected.isEmpty()) {
            assertFalse(c.seek(list, 0));
            return;
        }
        assertTrue(c.seek(list, 0));
        for (int i = 0; i < expected.size(); i++) {
            check(c, expected.get(i), i);
            assertEquals(i < expected.size() - 1, c.next());
        }
        assertTrue(c.seek(list, expected.size() - 1));
        for (int i = expected.size() - 1; i >= 0; i--) {
            check(c, expected.get(i), i);
            assertEquals(i > 0, c.prev());
        }
        for (int k = 0; k < 20; k++) {
            int i = r.nextInt(expected.size());
            assertTrue(c.seek(list, i));
            check(c, expected.get(i), i);
        }
        assertFalse(c.seek(list, expected.size()));
        assertFalse(c.seek(list, -1));
    }

    private static void check(ListNodes.Cursor c, Map.Entry<Long, byte[]> e, int i) {
        assertEquals(i, c.index());
        assertEquals((long) e.getKey(), c.label(), "label at " + i);
        byte[] got = new byte[c.valueLength];
        new UnsafeBuffer(c.value, c.valueLength).getBytes(0, got);
        assertArrayEquals(e.getValue(), got, "value at " + i);
    }
}
